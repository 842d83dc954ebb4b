from __future__ import annotations

import datetime as dt

import pytest

from wenyun.core.errors import Conflict, DomainError, Forbidden, Refused
from wenyun.programs import selectors, services
from wenyun.programs.models import Activity, Attendance, ProgramEvent

from .conftest import NOW, SATURDAY, at


def _state(activity):
    activity.refresh_from_db()
    return (
        activity.confirmed_count,
        activity.waiting_count,
        list(activity.registrations.order_by("pk").values_list("name", "status")),
        ProgramEvent.objects.filter(details__activity=activity.pk).count(),
    )


def _fill(activity, count=3):
    return [
        services.registration_create(activity=activity, name=f"读者{i}", phone=f"1380000000{i}", at=NOW)
        for i in range(count)
    ]


@pytest.mark.django_db
class TestRegistering:
    def test_a_person_with_a_phone_gets_a_confirmed_place_while_places_are_left(self, lecture):
        registration = services.registration_create(
            activity=lecture, name="王芳", phone="138 0000 1111", at=NOW
        )

        assert (registration.status, registration.phone, registration.party) == (
            "confirmed",
            "13800001111",
            "phone:13800001111",
        )
        lecture.refresh_from_db()
        assert (lecture.confirmed_count, lecture.waiting_count, lecture.places_left) == (1, 0, 2)
        event = ProgramEvent.objects.get(type="registered")
        assert event.details == {
            "activity": lecture.pk,
            "registration": registration.pk,
            "status": "confirmed",
            "channel": "phone",
        }

    def test_a_reader_registers_by_card_with_the_name_and_phone_of_his_card(self, lecture, make_reader):
        reader = make_reader("YX0000123", "李雷", "13912345678")

        registration = services.registration_create(activity=lecture, reader=reader, at=NOW)

        assert (registration.name, registration.phone, registration.party) == (
            "李雷",
            "13912345678",
            "card:YX0000123",
        )
        assert selectors.registration_for(activity=lecture, card="YX0000123") == registration

    def test_a_portal_account_linked_to_a_card_registers_as_that_reader(
        self, lecture, make_reader, reader_account
    ):
        make_reader("YX0000124", "张三", account=reader_account)

        registration = services.registration_create(activity=lecture, account=reader_account, at=NOW)

        assert (registration.party, registration.account) == ("card:YX0000124", reader_account)
        assert list(selectors.registrations_of(account=reader_account)) == [registration]

    def test_when_the_activity_is_full_the_next_person_joins_the_waiting_list(self, lecture):
        _fill(lecture)

        waiting = services.registration_create(activity=lecture, name="赵六", phone="13700000000", at=NOW)

        assert waiting.status == "waiting"
        lecture.refresh_from_db()
        assert (lecture.confirmed_count, lecture.waiting_count, lecture.places_left) == (3, 1, 0)

    def test_a_cancelled_place_goes_to_the_first_on_the_waiting_list(self, lecture):
        first, *_rest = _fill(lecture)
        second_waiting_time = at(1, 11)
        early = services.registration_create(
            activity=lecture, name="赵六", phone="13700000000", at=at(1, 10, 30)
        )
        services.registration_create(
            activity=lecture, name="钱七", phone="13700000001", at=second_waiting_time
        )

        promoted = services.registration_cancel(registration=first, at=at(2, 9))

        assert promoted == early
        early.refresh_from_db()
        assert (early.status, early.promoted_at) == ("confirmed", at(2, 9))
        assert _state(lecture)[:2] == (3, 1)
        assert ProgramEvent.objects.get(type="promoted").details == {
            "activity": lecture.pk,
            "registration": early.pk,
        }

    def test_cancelling_a_waiting_place_promotes_nobody(self, lecture):
        _fill(lecture)
        waiting = services.registration_create(activity=lecture, name="赵六", phone="13700000000", at=NOW)

        assert services.registration_cancel(registration=waiting, at=at(2, 9)) is None
        assert _state(lecture)[:2] == (3, 0)


@pytest.mark.django_db
class TestChangingPlaces:
    def test_added_places_go_to_the_waiting_list_in_order(self, lecture, library_staff):
        _fill(lecture)
        early = services.registration_create(activity=lecture, name="赵六", phone="13700000000", at=at(1, 11))
        late = services.registration_create(activity=lecture, name="钱七", phone="13700000001", at=at(1, 12))

        promoted = services.activity_set_capacity(
            actor=library_staff, activity=lecture, capacity=4, at=at(2, 9)
        )

        assert promoted == [early]
        late.refresh_from_db()
        assert (late.status, _state(lecture)[:2]) == ("waiting", (4, 1))

    def test_fewer_places_than_people_holding_them_is_refused(self, lecture, library_staff):
        _fill(lecture, 2)

        with pytest.raises(Refused) as refused:
            services.activity_set_capacity(actor=library_staff, activity=lecture, capacity=1)

        assert refused.value.message == "2 people already hold places: the activity cannot have fewer."
        lecture.refresh_from_db()
        assert (lecture.capacity, lecture.confirmed_count) == (3, 2)


@pytest.mark.django_db
class TestRefusedRegistrations:
    def test_registering_twice_is_refused_and_changes_nothing(self, lecture):
        services.registration_create(activity=lecture, name="王芳", phone="13800001111", at=NOW)
        before = _state(lecture)

        with pytest.raises(Conflict) as refused:
            services.registration_create(activity=lecture, name="王芳", phone="13800001111", at=NOW)

        assert refused.value.code == "already_registered"
        assert refused.value.message == "王芳 is already registered for 家风家训讲座."
        assert _state(lecture) == before

    def test_registering_after_the_window_closed_is_refused_and_changes_nothing(self, lecture):
        before = _state(lecture)

        with pytest.raises(Refused) as refused:
            services.registration_create(activity=lecture, name="王芳", phone="13800001111", at=at(5, 18))

        assert refused.value.code == "registration_closed"
        assert refused.value.message == "Registration for 家风家训讲座 closed at 2026-06-05 18:00."
        assert _state(lecture) == before

    def test_registering_before_the_window_opens_is_refused(self, lib, hall):
        activity = services.activity_create(
            actor=None,
            unit=lib,
            title="少儿编程体验课",
            category="training",
            venue=hall,
            sessions=[(SATURDAY, SATURDAY + dt.timedelta(hours=1))],
            registration_opens=at(3, 9),
            publish=True,
        )

        with pytest.raises(Refused) as refused:
            services.registration_create(activity=activity, name="王芳", phone="13800001111", at=NOW)

        assert refused.value.code == "registration_not_yet_open"
        assert activity.registrations.count() == 0

    def test_a_phone_number_that_is_not_a_mobile_is_refused(self, lecture):
        with pytest.raises(DomainError) as refused:
            services.registration_create(activity=lecture, name="王芳", phone="12345", at=NOW)

        assert (
            refused.value.message == "12345 is not a mobile phone number: give the 11 digits starting with 1."
        )
        assert lecture.registrations.count() == 0

    def test_a_draft_is_not_open_for_registration(self, lib, hall):
        draft = services.activity_create(
            actor=None,
            unit=lib,
            title="草稿",
            category="lecture",
            venue=hall,
            sessions=[(SATURDAY, SATURDAY + dt.timedelta(hours=1))],
        )

        with pytest.raises(Refused) as refused:
            services.registration_create(activity=draft, name="王芳", phone="13800001111", at=NOW)

        assert refused.value.code == "not_open"

    def test_cancelling_after_the_activity_began_is_refused(self, lecture):
        registration = services.registration_create(
            activity=lecture, name="王芳", phone="13800001111", at=NOW
        )

        with pytest.raises(Refused) as refused:
            services.registration_cancel(registration=registration, at=SATURDAY)

        assert refused.value.code == "activity_begun"
        registration.refresh_from_db()
        assert registration.status == "confirmed"


@pytest.mark.django_db
class TestCheckIn:
    def test_staff_check_a_confirmed_registrant_in_on_the_day(self, lecture, library_staff):
        registration = services.registration_create(
            activity=lecture, name="王芳", phone="13800001111", at=NOW
        )
        session = lecture.sessions.get()

        attendance = services.attendance_check_in(
            actor=library_staff, session=session, registration=registration, method="qr", at=SATURDAY
        )

        assert (attendance.method, attendance.by) == ("qr", library_staff)
        assert selectors.year_figures(unit=lecture.unit, year=2026)["attendance"] == 1

    def test_check_in_opens_an_hour_before_the_session(self, lecture, library_staff):
        registration = services.registration_create(
            activity=lecture, name="王芳", phone="13800001111", at=NOW
        )

        with pytest.raises(Refused) as refused:
            services.attendance_check_in(
                actor=library_staff,
                session=lecture.sessions.get(),
                registration=registration,
                at=SATURDAY - dt.timedelta(hours=1, minutes=1),
            )

        assert refused.value.message == "Check-in for this session opens at 2026-06-06 08:30."
        assert Attendance.objects.count() == 0

    def test_checking_in_twice_is_refused(self, lecture, library_staff):
        registration = services.registration_create(
            activity=lecture, name="王芳", phone="13800001111", at=NOW
        )
        session = lecture.sessions.get()
        services.attendance_check_in(
            actor=library_staff, session=session, registration=registration, at=SATURDAY
        )

        with pytest.raises(Conflict) as refused:
            services.attendance_check_in(
                actor=library_staff, session=session, registration=registration, at=SATURDAY
            )

        assert refused.value.message == "王芳 already checked in at 2026-06-06 09:30."
        assert Attendance.objects.count() == 1

    def test_a_waiting_registrant_cannot_check_in(self, lecture, library_staff):
        _fill(lecture)
        waiting = services.registration_create(activity=lecture, name="赵六", phone="13700000000", at=NOW)

        with pytest.raises(Refused) as refused:
            services.attendance_check_in(
                actor=library_staff, session=lecture.sessions.get(), registration=waiting, at=SATURDAY
            )

        assert refused.value.code == "not_confirmed"
        assert Attendance.objects.count() == 0

    def test_a_station_manager_cannot_check_in_at_the_county_library(self, lecture, station_manager):
        registration = services.registration_create(
            activity=lecture, name="王芳", phone="13800001111", at=NOW
        )

        with pytest.raises(Forbidden):
            services.attendance_check_in(
                actor=station_manager, session=lecture.sessions.get(), registration=registration, at=SATURDAY
            )

        assert Attendance.objects.count() == 0

    def test_walk_ins_add_to_the_attendance(self, lecture, library_staff):
        services.session_walk_ins_record(actor=library_staff, session=lecture.sessions.get(), count=25)

        assert selectors.year_figures(unit=lecture.unit, year=2026)["attendance"] == 25


@pytest.mark.django_db
class TestSchedule:
    def test_a_weekly_class_has_one_session_a_week(self, lib, hall):
        periods = services.weekly_sessions(first_start=SATURDAY, minutes=60, count=4)

        activity = services.activity_create(
            actor=None,
            unit=lib,
            title="书法班",
            category="training",
            venue=hall,
            sessions=periods,
            publish=True,
        )

        assert [s.starts_at.day for s in activity.sessions.all()] == [6, 13, 20, 27]
        assert (activity.starts_at, activity.ends_at) == (SATURDAY, at(27, 10, 30))

    def test_an_activity_clashing_with_another_at_the_same_venue_is_refused(self, lecture, lib, hall):
        with pytest.raises(Refused) as refused:
            services.activity_create(
                actor=None,
                unit=lib,
                title="读书会",
                category="reading",
                venue=hall,
                sessions=[(SATURDAY + dt.timedelta(hours=1), SATURDAY + dt.timedelta(hours=2))],
            )

        assert refused.value.message == (
            "报告厅 is not free at that time: the activity 家风家训讲座, 2026-06-06 09:30 to 11:00."
        )
        assert Activity.objects.count() == 1

    def test_cancelling_an_activity_ends_its_registrations(self, lecture, library_staff):
        services.registration_create(activity=lecture, name="王芳", phone="13800001111", at=NOW)

        services.activity_cancel(actor=library_staff, activity=lecture)

        assert list(lecture.registrations.values_list("status", flat=True)) == ["cancelled"]
        assert selectors.calendar_activities(first_day=SATURDAY.date(), last_day=SATURDAY.date()) == []

    def test_the_calendar_filters_by_township_and_category(self, lecture, s01, room_s01):
        village_show = services.activity_create(
            actor=None,
            unit=s01,
            title="广场舞展演",
            category="performance",
            venue=room_s01,
            sessions=[(SATURDAY, SATURDAY + dt.timedelta(hours=2))],
            registration_required=False,
            publish=True,
        )
        day = SATURDAY.date()

        assert selectors.calendar_activities(first_day=day, last_day=day) == [lecture, village_show]
        assert selectors.calendar_activities(first_day=day, last_day=day, unit=s01) == [village_show]
        assert selectors.calendar_activities(first_day=day, last_day=day, category="lecture") == [lecture]
        assert (
            selectors.calendar_activities(
                first_day=day + dt.timedelta(days=1), last_day=day + dt.timedelta(days=1)
            )
            == []
        )


def test_registering_by_card_and_pin_is_under_the_sign_in_throttle(client, lecture, make_reader):
    """The activity form takes a card and a PIN: five wrong PINs lock the card there as at the portal's
    sign-in, so the form cannot be used to guess PINs (the right one is refused meanwhile)."""
    from wenyun.circulation.services import pin_hash
    from wenyun.programs.models import Registration

    reader = make_reader("YX90000001", "王小明")
    reader.pin_hash = pin_hash("4863")
    reader.save(update_fields=["pin_hash"])
    url = f"/activities/{lecture.pk}/"
    for _attempt in range(5):
        client.post(url, {"card": reader.card, "pin": "0000"}, HTTP_ACCEPT_LANGUAGE="en")

    answer = client.post(url, {"card": reader.card, "pin": "4863"}, HTTP_ACCEPT_LANGUAGE="en")

    assert "Too many wrong PINs for this card" in answer.content.decode()
    assert not Registration.objects.filter(activity=lecture).exists()
