"""The desk's reader form refuses a card that would be born expired, with a sentence, saving nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from wenyun.circulation.models import Reader

pytestmark = pytest.mark.django_db


def _register(user, expires_on: str):
    desk = Client(HTTP_ACCEPT_LANGUAGE="en")
    desk.force_login(user)
    return desk.post(
        "/staff/circulation/readers/new/",
        {
            "card": "YX0009001",
            "name": "刘一",
            "category": "adult",
            "home_unit": "YX-LIB",
            "expires_on": expires_on,
        },
    )


def test_a_card_registered_already_expired_is_refused_and_not_saved(library_staff, adult):
    answer = _register(library_staff, "2001-01-01")

    assert answer.status_code == 200
    assert "A new card cannot have expired already: 2001-01-01 is past." in answer.content.decode()
    assert not Reader.objects.filter(card="YX0009001").exists()


def test_a_card_expiring_far_ahead_is_refused_and_not_saved(library_staff, adult):
    answer = _register(library_staff, "9999-12-31")

    latest = timezone.localdate().replace(year=timezone.localdate().year + 10)
    assert answer.status_code == 200
    assert f"9999-12-31 is too far ahead: give a day up to {latest.isoformat()}." in answer.content.decode()
    assert not Reader.objects.filter(card="YX0009001").exists()


def test_a_card_expiring_in_three_years_is_registered(library_staff, adult):
    day = timezone.localdate() + dt.timedelta(days=3 * 365)

    answer = _register(library_staff, day.isoformat())

    assert answer.status_code == 302
    assert Reader.objects.get(card="YX0009001").expires_on == day
