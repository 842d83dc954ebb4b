"""The access helpers: a row by id or code for whoever may reach it, else not found."""

from __future__ import annotations

import datetime as dt

import pytest

from wenyun.core.errors import NotFound
from wenyun.programs import selectors, services

from .conftest import NOW, SATURDAY


@pytest.fixture
def draft(lib, hall):
    """A draft lecture in the library's hall, the Sunday after the published one."""
    sunday = SATURDAY + dt.timedelta(days=1)
    return services.activity_create(
        actor=None,
        unit=lib,
        title="草稿",
        category="lecture",
        venue=hall,
        sessions=[(sunday, sunday + dt.timedelta(hours=1))],
    )


@pytest.mark.django_db
class TestStaffReachTheirSubtree:
    def test_the_librarys_staff_and_the_county_open_the_librarys_draft(
        self, draft, library_staff, county_admin
    ):
        assert selectors.access_activity(library_staff, draft.pk) == draft
        assert selectors.access_activity(county_admin, draft.pk) == draft

    def test_a_village_manager_does_not_find_the_librarys_activity(self, draft, village_manager):
        with pytest.raises(NotFound) as refused:
            selectors.access_activity(village_manager, draft.pk)

        assert refused.value.code == "activity_not_found"

    def test_a_session_of_another_activity_is_not_found(self, draft, lecture, library_staff):
        other = lecture.sessions.get()

        with pytest.raises(NotFound) as refused:
            selectors.access_session(library_staff, other.pk, activity=draft)

        assert refused.value.code == "session_not_found"
        assert selectors.access_session(library_staff, other.pk, activity=lecture) == other

    def test_a_registration_code_opens_only_for_the_activitys_unit(
        self, lecture, library_staff, station_manager
    ):
        registration = services.registration_create(
            activity=lecture, name="王芳", phone="13800000001", at=NOW
        )

        assert selectors.access_registration_by_code(library_staff, registration.code.lower()) == registration
        with pytest.raises(NotFound) as refused:
            selectors.access_registration_by_code(station_manager, registration.code)
        assert refused.value.code == "code_unknown"

    def test_any_staff_member_reaches_a_booking_and_a_reader_does_not(
        self, room_s01, other_station_manager, reader_account
    ):
        booking = services.booking_request(
            venue=room_s01,
            requester_kind="reader",
            requester_name="王芳",
            phone="13800000001",
            purpose="排练",
            starts_at=SATURDAY,
            ends_at=SATURDAY + dt.timedelta(hours=1),
            at=NOW,
        )

        assert selectors.access_booking(other_station_manager, booking.pk) == booking
        with pytest.raises(NotFound):
            selectors.access_booking(reader_account, booking.pk)


@pytest.mark.django_db
class TestThePublicPages:
    def test_a_draft_news_item_is_not_public(self, s01, station_manager):
        item = services.news_save(actor=station_manager, unit=s01, title="通知", body="周六闭馆。")

        assert selectors.news_get(pk=item.pk) == item
        with pytest.raises(NotFound) as refused:
            selectors.news_get(pk=item.pk, public=True)
        assert refused.value.code == "news_not_found"

    def test_a_venue_that_cannot_be_booked_is_not_found_for_booking(self, s01):
        store = services.venue_create(actor=None, unit=s01, name="库房", bookable=False)

        assert selectors.venue_get(pk=store.pk) == store
        with pytest.raises(NotFound) as refused:
            selectors.venue_get(pk=store.pk, bookable=True)
        assert refused.value.code == "venue_not_found"
