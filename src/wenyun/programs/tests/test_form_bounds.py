"""Dates far back or far ahead on the activity forms are refused with a sentence, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from wenyun.core.errors import DomainError
from wenyun.programs import services
from wenyun.programs.models import Activity, Registration, Session

pytestmark = pytest.mark.django_db

LATEST = timezone.localdate().replace(year=timezone.localdate().year + 10).isoformat()


def _new_activity(user, first_day: str, count: str = "3"):
    desk = Client(HTTP_ACCEPT_LANGUAGE="en")
    desk.force_login(user)
    return desk.post(
        "/staff/programs/activities/new/",
        {
            "title": "书法培训班",
            "category": "training",
            "audience": "adults",
            "place": "报告厅",
            "first_day": first_day,
            "starts": "09:00",
            "minutes": "120",
            "count": count,
            "capacity": "20",
            "publish": "on",
        },
    )


def _reading_group(lib, *, publish: bool = False) -> Activity:
    """A reading group at the library in two days, one hour long."""
    start = timezone.now() + dt.timedelta(days=2)
    return services.activity_create(
        actor=None,
        unit=lib,
        title="读书分享会",
        category="reading",
        place="报告厅",
        sessions=[(start, start + dt.timedelta(hours=1))],
        publish=publish,
    )


def test_a_new_activity_with_sessions_far_ahead_is_refused_with_a_sentence(library_staff):
    answer = _new_activity(library_staff, "9999-12-25", count="60")

    assert answer.status_code == 200
    assert f"9999-12-25 is too far ahead: give a day up to {LATEST}." in answer.content.decode()
    assert (Activity.objects.count(), Session.objects.count()) == (0, 0)


def test_an_activity_dated_1999_is_refused_and_neither_saved_nor_published(library_staff):
    answer = _new_activity(library_staff, "1999-01-01")

    assert answer.status_code == 200
    assert "1999-01-01 is too long ago: give a day from 2000-01-01 on." in answer.content.decode()
    assert (Activity.objects.count(), Session.objects.count()) == (0, 0)


def test_weekly_sessions_starting_far_ahead_are_a_refusal_not_an_overflow():
    start = timezone.make_aware(dt.datetime(9999, 12, 25, 9, 0))

    with pytest.raises(DomainError) as refused:
        services.weekly_sessions(first_start=start, minutes=60, count=60)

    assert refused.value.message == f"9999-12-25 is too far ahead: give a day up to {LATEST}."


def test_an_activity_created_through_the_service_keeps_its_sessions_in_the_window(lib):
    start = timezone.make_aware(dt.datetime(1999, 1, 1, 9, 0))

    with pytest.raises(DomainError) as refused:
        services.activity_create(
            actor=None,
            unit=lib,
            title="旧活动",
            category="reading",
            place="报告厅",
            sessions=[(start, start + dt.timedelta(hours=1))],
            publish=True,
        )

    assert refused.value.message == "1999-01-01 is too long ago: give a day from 2000-01-01 on."
    assert Activity.objects.count() == 0


def test_a_portal_registration_with_a_3000_character_name_is_returned_with_the_fields_error(client, lib):
    activity = _reading_group(lib, publish=True)

    answer = client.post(
        f"/activities/{activity.pk}/",
        {"name": "张" * 3000, "phone": "13911112222"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert answer.status_code == 200
    assert "Ensure this value has at most 60 characters (it has 3000)." in answer.content.decode()
    assert Registration.objects.count() == 0


def test_places_and_head_counts_past_the_maximum_are_refused_not_a_500(library_staff, lib):
    activity = _reading_group(lib)
    desk = Client(HTTP_ACCEPT_LANGUAGE="en")
    desk.force_login(library_staff)
    session = activity.sessions.get()

    places = desk.post(
        f"/staff/programs/activities/{activity.pk}/capacity/", {"capacity": "9" * 20}, follow=True
    )
    walk_ins = desk.post(
        f"/staff/programs/activities/{activity.pk}/walk_ins/",
        {"session": session.pk, "count": "9" * 20},
        follow=True,
    )

    assert "An activity has at most 100,000 places." in places.content.decode()
    assert "A head count is at most 100,000." in walk_ins.content.decode()
    activity.refresh_from_db()
    session.refresh_from_db()
    assert (activity.capacity, session.walk_ins) == (0, 0)


def test_a_session_id_that_is_not_a_number_is_not_found_rather_than_a_500(library_staff, lib):
    activity = _reading_group(lib)
    start = activity.sessions.get().starts_at
    desk = Client(HTTP_ACCEPT_LANGUAGE="en")
    desk.force_login(library_staff)

    answer = desk.post(
        f"/staff/programs/activities/{activity.pk}/move/",
        {"session": "1e400", "day": "2026-06-06", "starts": "09:00", "ends": "10:00"},
    )

    assert answer.status_code == 404
    assert activity.sessions.get().starts_at == start
