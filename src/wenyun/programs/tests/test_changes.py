"""Changing an activity after it was created: its description and place, and one session's time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from wenyun.core.errors import DomainError, Forbidden, Refused
from wenyun.programs import services
from wenyun.programs.models import Activity, ProgramEvent, Session

from .conftest import NOW, SATURDAY, at


def _details(activity, **changes):
    values = {
        "title": activity.title,
        "category": activity.category,
        "audience": activity.audience,
        "description": activity.description,
        "venue": activity.venue,
        "place": activity.place,
        "registration_required": activity.registration_required,
        "registration_opens": activity.registration_opens,
        "registration_closes": activity.registration_closes,
    }
    values.update(changes)
    return values


def _snapshot(activity):
    activity.refresh_from_db()
    return (
        activity.title,
        activity.venue_id,
        activity.place,
        activity.registration_required,
        activity.starts_at,
        activity.ends_at,
        list(activity.sessions.values_list("starts_at", "ends_at")),
        ProgramEvent.objects.filter(type__in=["activity_changed", "session_moved"]).count(),
    )


@pytest.fixture
def weekly(lib, hall):
    """Three weekly sessions, Saturdays 6, 13 and 20 June 2026, 14:00-16:00 in the hall."""
    first = at(6, 14)
    return services.activity_create(
        actor=None,
        unit=lib,
        title="书法培训班",
        category="training",
        venue=hall,
        capacity=20,
        sessions=services.weekly_sessions(first_start=first, minutes=120, count=3),
        publish=True,
        at=NOW,
    )


@pytest.mark.django_db
class TestChangingAnActivity:
    def test_staff_change_the_title_and_move_it_to_another_place(self, lecture, library_staff):
        services.activity_update(
            actor=library_staff,
            activity=lecture,
            at=NOW,
            **_details(lecture, title="家风家训专题讲座", venue=None, place="县图书馆二楼阅览室"),
        )

        lecture.refresh_from_db()
        assert (lecture.title, lecture.venue_id, lecture.where) == (
            "家风家训专题讲座",
            None,
            "县图书馆二楼阅览室",
        )
        event = ProgramEvent.objects.get(type="activity_changed")
        assert event.details == {"activity": lecture.pk, "fields": ["title", "venue", "place"]}

    def test_saving_without_a_change_records_nothing(self, lecture, library_staff):
        services.activity_update(actor=library_staff, activity=lecture, at=NOW, **_details(lecture))

        assert not ProgramEvent.objects.filter(type="activity_changed").exists()

    def test_a_venue_taken_at_a_coming_session_is_refused_and_nothing_changes(
        self, lecture, weekly, library_staff, lib
    ):
        other = services.venue_create(actor=None, unit=lib, name="少儿活动室", capacity=30)
        services.activity_create(
            actor=None,
            unit=lib,
            title="绘本故事会",
            category="reading",
            venue=other,
            sessions=[(at(13, 15), at(13, 16))],
            at=NOW,
        )
        before = _snapshot(weekly)

        with pytest.raises(Refused) as refused:
            services.activity_update(
                actor=library_staff, activity=weekly, at=NOW, **_details(weekly, venue=other)
            )

        assert refused.value.code == "venue_clash"
        assert "绘本故事会" in refused.value.message
        assert _snapshot(weekly) == before

    @pytest.mark.parametrize(
        ("changes", "code"),
        [
            ({"title": "  "}, "field_missing"),
            ({"category": "juggling"}, "category_invalid"),
            ({"audience": "martians"}, "audience_invalid"),
            ({"venue": None, "place": ""}, "place_missing"),
            ({"registration_opens": at(5, 18), "registration_closes": at(5, 9)}, "window_invalid"),
            ({"registration_closes": at(7, 9)}, "window_invalid"),
        ],
    )
    def test_wrong_details_are_refused_with_one_sentence_and_nothing_changes(
        self, lecture, library_staff, changes, code
    ):
        before = _snapshot(lecture)

        with pytest.raises(DomainError) as refused:
            services.activity_update(
                actor=library_staff, activity=lecture, at=NOW, **_details(lecture, **changes)
            )

        assert refused.value.code == code
        assert refused.value.message.endswith(".")
        assert _snapshot(lecture) == before

    def test_registration_stays_needed_while_people_hold_places(self, lecture, library_staff):
        services.registration_create(activity=lecture, name="王芳", phone="13800001111", at=NOW)

        with pytest.raises(Refused) as refused:
            services.activity_update(
                actor=library_staff,
                activity=lecture,
                at=NOW,
                **_details(lecture, registration_required=False),
            )

        assert refused.value.code == "registrations_exist"
        assert "1 people" in refused.value.message
        lecture.refresh_from_db()
        assert lecture.registration_required is True
        assert not ProgramEvent.objects.filter(type="activity_changed").exists()

    def test_a_cancelled_activity_is_not_changed(self, lecture, library_staff):
        services.activity_cancel(actor=library_staff, activity=lecture, at=NOW)

        with pytest.raises(Refused) as refused:
            services.activity_update(
                actor=library_staff, activity=lecture, at=NOW, **_details(lecture, title="新")
            )

        assert refused.value.code == "wrong_status"
        lecture.refresh_from_db()
        assert lecture.title == "家风家训讲座"
        assert not ProgramEvent.objects.filter(type="activity_changed").exists()

    def test_a_village_manager_cannot_change_the_librarys_activity(self, lecture, village_manager):
        with pytest.raises(Forbidden):
            services.activity_update(
                actor=village_manager, activity=lecture, at=NOW, **_details(lecture, title="新")
            )
        lecture.refresh_from_db()
        assert lecture.title == "家风家训讲座"


@pytest.mark.django_db
class TestMovingASession:
    def test_the_second_session_moves_to_sunday_and_the_activity_keeps_its_span(self, weekly, library_staff):
        second = weekly.sessions.order_by("starts_at")[1]

        services.session_move(
            actor=library_staff, session=second, starts_at=at(14, 9), ends_at=at(14, 11), at=NOW
        )

        weekly.refresh_from_db()
        assert [
            (timezone.localtime(s).day, timezone.localtime(s).hour)
            for s, _e in weekly.sessions.values_list("starts_at", "ends_at")
        ] == [(6, 14), (14, 9), (20, 14)]
        assert (weekly.starts_at, weekly.ends_at) == (at(6, 14), at(20, 16))
        event = ProgramEvent.objects.get(type="session_moved")
        assert event.details == {
            "activity": weekly.pk,
            "session": second.pk,
            "was": "2026-06-13 14:00",
            "now": "2026-06-14 09:00",
        }

    def test_moving_the_last_session_later_stretches_the_activity(self, weekly, library_staff):
        last = weekly.sessions.order_by("starts_at").last()

        services.session_move(
            actor=library_staff, session=last, starts_at=at(27, 14), ends_at=at(27, 16), at=NOW
        )

        weekly.refresh_from_db()
        assert weekly.ends_at == at(27, 16)

    @pytest.mark.parametrize(
        ("start", "end", "code"),
        [
            (at(14, 11), at(14, 9), "sessions_invalid"),  # ends before it starts
            (at(1, 8), at(1, 9), "sessions_invalid"),  # in the past
            (at(6, 15), at(6, 17), "sessions_overlap"),  # over the first session
        ],
    )
    def test_a_wrong_time_is_refused_and_nothing_changes(self, weekly, library_staff, start, end, code):
        second = weekly.sessions.order_by("starts_at")[1]
        before = _snapshot(weekly)

        with pytest.raises(DomainError) as refused:
            services.session_move(actor=library_staff, session=second, starts_at=start, ends_at=end, at=NOW)

        assert refused.value.code == code
        assert _snapshot(weekly) == before

    def test_a_time_when_the_hall_is_taken_is_refused(self, weekly, lecture, library_staff):
        second = weekly.sessions.order_by("starts_at")[1]
        before = _snapshot(weekly)

        with pytest.raises(Refused) as refused:
            services.session_move(
                actor=library_staff,
                session=second,
                starts_at=SATURDAY,
                ends_at=SATURDAY + dt.timedelta(hours=1),
                at=NOW,
            )

        assert refused.value.code == "venue_clash"
        assert "家风家训讲座" in refused.value.message
        assert _snapshot(weekly) == before

    def test_a_session_that_has_begun_stays_where_it_was(self, weekly, library_staff):
        first = weekly.sessions.order_by("starts_at")[0]

        with pytest.raises(Refused) as refused:
            services.session_move(
                actor=library_staff, session=first, starts_at=at(7, 14), ends_at=at(7, 16), at=at(6, 14, 30)
            )

        assert refused.value.code == "session_begun"
        assert Session.objects.get(pk=first.pk).starts_at == at(6, 14)


@pytest.mark.django_db
class TestTheChangePages:
    def _coming(self, lib, hall):
        start = timezone.localtime(timezone.now() + dt.timedelta(days=10)).replace(
            hour=19, minute=0, second=0, microsecond=0
        )
        return services.activity_create(
            actor=None,
            unit=lib,
            title="非遗剪纸体验课",
            category="training",
            venue=hall,
            capacity=15,
            sessions=services.weekly_sessions(first_start=start, minutes=90, count=2),
            publish=True,
        )

    def test_staff_change_an_activity_from_its_form(self, client, library_staff, lib, hall):
        activity = self._coming(lib, hall)
        client.force_login(library_staff)
        page = client.get(f"/staff/programs/activities/{activity.pk}/edit/")
        assert page.status_code == 200
        assert "非遗剪纸体验课" in page.content.decode()

        answer = client.post(
            f"/staff/programs/activities/{activity.pk}/edit/",
            {
                "title": "非遗剪纸体验课（第二期）",
                "category": "training",
                "audience": "children",
                "venue": hall.pk,
                "description": "请自带剪刀",
                "registration_required": "on",
            },
        )

        assert answer.status_code == 302
        activity.refresh_from_db()
        assert (activity.title, activity.audience, activity.description) == (
            "非遗剪纸体验课（第二期）",
            "children",
            "请自带剪刀",
        )

    def test_a_refused_change_shows_the_reason_on_the_form(self, client, library_staff, lib, hall):
        activity = self._coming(lib, hall)
        client.force_login(library_staff)

        answer = client.post(
            f"/staff/programs/activities/{activity.pk}/edit/",
            {"title": "新名称", "category": "training", "audience": "all", "venue": "", "place": ""},
        )

        assert answer.status_code == 200
        assert "请填写活动地点：选择场地或填写地点。" in answer.content.decode()
        activity.refresh_from_db()
        assert activity.title == "非遗剪纸体验课"

    def test_staff_move_a_session_from_the_activity_page(self, client, library_staff, lib, hall):
        activity = self._coming(lib, hall)
        second = activity.sessions.order_by("starts_at")[1]
        new_day = timezone.localtime(second.starts_at).date() + dt.timedelta(days=1)
        client.force_login(library_staff)
        page = client.get(f"/staff/programs/activities/{activity.pk}/?session={second.pk}").content.decode()
        # The form to move it comes filled in with the session's day and times, as the date input reads them.
        was = timezone.localtime(second.starts_at).date().isoformat()
        assert (
            'id="move"' in page
            and f'name="day" value="{was}"' in page
            and 'name="starts" value="19:00"' in page
        )

        client.post(
            f"/staff/programs/activities/{activity.pk}/move/",
            {"session": second.pk, "day": new_day.isoformat(), "starts": "10:00", "ends": "11:30"},
        )

        second.refresh_from_db()
        assert timezone.localtime(second.starts_at).date() == new_day
        assert timezone.localtime(second.starts_at).time() == dt.time(10, 0)
        assert Activity.objects.get(pk=activity.pk).ends_at == second.ends_at

    def test_a_village_manager_does_not_open_the_librarys_change_form(
        self, client, village_manager, lib, hall
    ):
        activity = self._coming(lib, hall)
        client.force_login(village_manager)

        assert client.get(f"/staff/programs/activities/{activity.pk}/edit/").status_code == 404
