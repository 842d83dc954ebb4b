from __future__ import annotations

import datetime as dt

import pytest

from wenyun.core.errors import Conflict, DomainError, Forbidden, Refused
from wenyun.network.services import closure_add
from wenyun.programs import selectors, services
from wenyun.programs.models import Booking, MenuOrder, ProgramEvent, VisitSlot, VisitTicket

from .conftest import NOW, at


def _book(venue, start, end, name="县一中", purpose="合唱排练"):
    return services.booking_request(
        venue=venue,
        requester_kind="school",
        requester_name=name,
        phone="13800002222",
        purpose=purpose,
        starts_at=start,
        ends_at=end,
        attendees=30,
        at=NOW,
    )


def _bookings(venue):
    return list(Booking.objects.filter(venue=venue).order_by("pk").values_list("requester_name", "status"))


@pytest.mark.django_db
class TestBookings:
    def test_a_school_requests_a_room_and_the_station_manager_approves_it(self, room_s01, station_manager):
        booking = _book(room_s01, at(3, 14), at(3, 16))

        services.booking_approve(actor=station_manager, booking=booking, at=NOW)

        booking.refresh_from_db()
        assert (booking.status, booking.decided_by) == ("approved", station_manager)
        assert list(ProgramEvent.objects.values_list("type", flat=True).order_by("pk")) == [
            "booking_requested",
            "booking_approved",
        ]

    def test_booking_a_slot_that_clashes_with_an_approved_booking_is_refused(self, room_s01, station_manager):
        services.booking_approve(actor=station_manager, booking=_book(room_s01, at(3, 14), at(3, 16)), at=NOW)
        before = _bookings(room_s01)

        with pytest.raises(Refused) as refused:
            _book(room_s01, at(3, 15), at(3, 17), name="夕阳红舞蹈队", purpose="排练")

        assert refused.value.code == "venue_clash"
        assert refused.value.message == (
            "多功能活动室 is not free at that time: the booking by 县一中 for 合唱排练, 2026-06-03 14:00 to 16:00."
        )
        assert _bookings(room_s01) == before

    def test_booking_over_a_closure_is_refused_naming_it(self, room_s01, s01):
        closure_add(
            actor=None,
            unit=s01,
            first_day=dt.date(2026, 6, 3),
            last_day=dt.date(2026, 6, 3),
            reason="线路检修",
        )

        with pytest.raises(Refused) as refused:
            _book(room_s01, at(3, 14), at(3, 16))

        assert refused.value.message == (
            "多功能活动室 is not free at that time: 城关镇综合文化站 is closed from 2026-06-03 to 2026-06-03 (线路检修)."
        )
        assert _bookings(room_s01) == []

    def test_of_two_overlapping_requests_only_the_first_approved_stands(self, room_s01, station_manager):
        first = _book(room_s01, at(3, 14), at(3, 16))
        second = _book(room_s01, at(3, 15), at(3, 17), name="夕阳红舞蹈队", purpose="排练")
        services.booking_approve(actor=station_manager, booking=first, at=NOW)

        with pytest.raises(Refused):
            services.booking_approve(actor=station_manager, booking=second, at=NOW)

        assert _bookings(room_s01) == [("县一中", "approved"), ("夕阳红舞蹈队", "requested")]

    def test_a_station_manager_approving_another_stations_booking_is_refused(
        self, room_s01, other_station_manager
    ):
        booking = _book(room_s01, at(3, 14), at(3, 16))

        with pytest.raises(Forbidden) as refused:
            services.booking_approve(actor=other_station_manager, booking=booking, at=NOW)

        assert refused.value.message == "You may not act for 城关镇综合文化站: it is outside your unit."
        assert _bookings(room_s01) == [("县一中", "requested")]
        assert ProgramEvent.objects.filter(type="booking_approved").count() == 0

    def test_booking_outside_the_venues_hours_is_refused(self, room_s01):
        with pytest.raises(Refused) as refused:
            _book(room_s01, at(3, 20), at(3, 22))

        assert refused.value.message == "多功能活动室 can be booked from 08:30 to 21:00 on one day."
        assert _bookings(room_s01) == []

    def test_a_refusal_needs_a_reason(self, room_s01, station_manager):
        booking = _book(room_s01, at(3, 14), at(3, 16))

        with pytest.raises(DomainError) as refused:
            services.booking_refuse(actor=station_manager, booking=booking, reason=" ")

        assert refused.value.message == "The reason is missing."
        assert _bookings(room_s01) == [("县一中", "requested")]

    def test_the_requester_cancels_before_the_start_but_not_after(self, room_s01):
        booking = _book(room_s01, at(3, 14), at(3, 16))

        with pytest.raises(Refused):
            services.booking_cancel(booking=booking, at=at(3, 14, 30))
        services.booking_cancel(booking=booking, at=at(3, 13))

        assert _bookings(room_s01) == [("县一中", "cancelled")]


@pytest.fixture
def opera(cc):
    return services.menu_item_create(
        actor=None, provider=cc, title="黄梅戏专场", kind="performance", lead_days=7
    )


def _orders():
    return list(MenuOrder.objects.order_by("pk").values_list("unit__code", "status", "attendance", "rating"))


@pytest.mark.django_db
class TestMenu:
    def test_a_village_orders_the_county_confirms_and_the_village_records_attendance(
        self, opera, v01, village_manager, county_admin
    ):
        order = services.menu_order_place(
            actor=village_manager, item=opera, unit=v01, wanted_on=dt.date(2026, 6, 20), at=NOW
        )
        services.menu_order_confirm(actor=county_admin, order=order, at=NOW)
        services.menu_order_deliver(
            actor=village_manager, order=order, attendance=180, rating=5, feedback="很精彩", at=at(21, 9)
        )

        assert _orders() == [("YX-S01-V01", "delivered", 180, 5)]
        order.refresh_from_db()
        assert order.scheduled_at == at(20, 19)
        rows = {row["township"].code: row for row in selectors.township_performances(year=2026)}
        assert (rows["YX-S01"]["delivered"], rows["YX-S01"]["target"], rows["YX-S01"]["met"]) == (1, 4, False)
        assert rows["YX-S02"]["delivered"] == 0
        delivered = ProgramEvent.objects.get(type="menu_delivered")
        assert (delivered.unit, delivered.details["attendance"], delivered.details["township"]) == (
            v01,
            180,
            v01.parent_id,
        )

    def test_ordering_with_too_little_notice_is_refused(self, opera, v01, village_manager):
        with pytest.raises(Refused) as refused:
            services.menu_order_place(
                actor=village_manager, item=opera, unit=v01, wanted_on=dt.date(2026, 6, 5), at=NOW
            )

        assert refused.value.message == "黄梅戏专场 needs 7 days' notice: the earliest date is 2026-06-08."
        assert _orders() == []

    def test_a_village_manager_cannot_order_for_another_village(self, opera, unit, village_manager):
        with pytest.raises(Forbidden):
            services.menu_order_place(
                actor=village_manager,
                item=opera,
                unit=unit("YX-S01-V02"),
                wanted_on=dt.date(2026, 6, 20),
                at=NOW,
            )

        assert _orders() == []

    def test_a_village_cannot_confirm_its_own_order(self, opera, v01, village_manager):
        order = services.menu_order_place(
            actor=village_manager, item=opera, unit=v01, wanted_on=dt.date(2026, 6, 20), at=NOW
        )

        with pytest.raises(Forbidden):
            services.menu_order_confirm(actor=village_manager, order=order, at=NOW)

        assert _orders() == [("YX-S01-V01", "ordered", None, None)]

    def test_the_county_declines_with_a_reason(self, opera, v01, village_manager, county_admin):
        order = services.menu_order_place(
            actor=village_manager, item=opera, unit=v01, wanted_on=dt.date(2026, 6, 20), at=NOW
        )

        services.menu_order_decline(actor=county_admin, order=order, reason="剧团当日已有演出", at=NOW)

        order.refresh_from_db()
        assert (order.status, order.reason) == ("declined", "剧团当日已有演出")

    def test_delivery_cannot_be_recorded_before_the_scheduled_time_or_twice(
        self, opera, v01, village_manager, county_admin
    ):
        order = services.menu_order_place(
            actor=village_manager, item=opera, unit=v01, wanted_on=dt.date(2026, 6, 20), at=NOW
        )
        services.menu_order_confirm(actor=county_admin, order=order, at=NOW)

        with pytest.raises(Refused) as early:
            services.menu_order_deliver(actor=village_manager, order=order, attendance=10, rating=4, at=NOW)
        services.menu_order_deliver(actor=village_manager, order=order, attendance=10, rating=4, at=at(21, 9))
        with pytest.raises(Refused) as twice:
            services.menu_order_deliver(
                actor=village_manager, order=order, attendance=99, rating=1, at=at(21, 9)
            )

        assert early.value.code == "not_yet_delivered"
        assert twice.value.message == "黄梅戏专场 is Delivered: that cannot be done now."
        assert _orders() == [("YX-S01-V01", "delivered", 10, 4)]

    def test_a_rating_outside_one_to_five_is_refused(self, opera, v01, village_manager, county_admin):
        order = services.menu_order_place(
            actor=village_manager, item=opera, unit=v01, wanted_on=dt.date(2026, 6, 20), at=NOW
        )
        services.menu_order_confirm(actor=county_admin, order=order, at=NOW)

        with pytest.raises(DomainError) as refused:
            services.menu_order_deliver(
                actor=village_manager, order=order, attendance=10, rating=6, at=at(21, 9)
            )

        assert refused.value.message == "Rate the service from 1 to 5."
        assert _orders() == [("YX-S01-V01", "confirmed", None, None)]


@pytest.fixture
def museum_slots(unit):
    museum = unit("YX-MUS")
    services.visit_slots_create(
        actor=None,
        unit=museum,
        first_day=dt.date(2026, 6, 1),
        last_day=dt.date(2026, 6, 7),
        times=[(dt.time(9, 0), dt.time(11, 0)), (dt.time(14, 0), dt.time(16, 0))],
        capacity=3,
    )
    return museum


@pytest.mark.django_db
class TestTimedEntry:
    def test_slots_are_opened_only_on_open_days(self, museum_slots):
        days = sorted({slot.day.weekday() for slot in VisitSlot.objects.filter(unit=museum_slots)})

        assert days == [1, 2, 3, 4, 5, 6]  # the museum is closed on Mondays
        assert VisitSlot.objects.filter(unit=museum_slots).count() == 12

    def test_a_family_books_tickets_and_each_is_checked_at_the_door(self, museum_slots, county_admin):
        slot = VisitSlot.objects.get(unit=museum_slots, day=dt.date(2026, 6, 6), starts=dt.time(9))

        tickets = services.visit_book(slot=slot, name="周华", phone="13600001234", persons=2, at=NOW)
        services.visit_enter(actor=county_admin, code=tickets[0].code.lower(), at=at(6, 9, 10))

        slot.refresh_from_db()
        assert (slot.booked, slot.left) == (2, 1)
        assert selectors.year_figures(unit=museum_slots, year=2026)["visitors"] == 1

    def test_more_people_than_tickets_left_is_refused(self, museum_slots):
        slot = VisitSlot.objects.get(unit=museum_slots, day=dt.date(2026, 6, 6), starts=dt.time(9))
        services.visit_book(slot=slot, name="周华", phone="13600001234", persons=2, at=NOW)

        with pytest.raises(Refused) as refused:
            services.visit_book(slot=slot, name="吴敏", phone="13600005678", persons=2, at=NOW)

        assert refused.value.message == "Only 1 tickets are left for this time."
        slot.refresh_from_db()
        assert (slot.booked, VisitTicket.objects.count()) == (2, 2)

    def test_the_same_phone_booking_twice_for_a_day_is_refused(self, museum_slots):
        morning, afternoon = VisitSlot.objects.filter(unit=museum_slots, day=dt.date(2026, 6, 6))
        services.visit_book(slot=morning, name="周华", phone="13600001234", at=NOW)

        with pytest.raises(Conflict):
            services.visit_book(slot=afternoon, name="周华", phone="13600001234", at=NOW)

        assert VisitTicket.objects.count() == 1

    def test_a_ticket_for_another_day_does_not_open_the_door(self, museum_slots, county_admin):
        slot = VisitSlot.objects.get(unit=museum_slots, day=dt.date(2026, 6, 6), starts=dt.time(9))
        ticket = services.visit_book(slot=slot, name="周华", phone="13600001234", at=NOW)[0]

        with pytest.raises(Refused) as refused:
            services.visit_enter(actor=county_admin, code=ticket.code, at=at(5, 9))

        assert refused.value.message == "This ticket is for 2026-06-06, not today."
        ticket.refresh_from_db()
        assert ticket.entered_at is None
