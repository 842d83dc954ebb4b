"""Lending and taking back at any unit: due dates, refusals that change nothing, routing after check-in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from wenyun.catalog.models import Item, ItemStatus
from wenyun.circulation import services
from wenyun.circulation.models import CirculationEvent, Fee, Loan, ReturnPolicy, Transit
from wenyun.core.errors import DomainError

from . import factories as f
from .conftest import MONDAY

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _snapshot(item: Item) -> tuple:
    item.refresh_from_db()
    return (
        item.status,
        item.current_unit_id,
        Loan.objects.count(),
        CirculationEvent.objects.count(),
        Fee.objects.count(),
    )


def test_a_loan_at_the_county_library_is_due_on_its_next_open_day(zhang, lib, library_staff):
    copy = f.item(home=lib, barcode="B0001")

    loan = services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=library_staff, at=MONDAY)

    # 14 days from Monday 1 June is Monday 15 June, when the library is closed: due Tuesday 16 June.
    assert loan.due_on == dt.date(2026, 6, 16)
    assert (loan.reader, loan.lending_unit, loan.renewals, loan.returned_at) == (zhang, lib, 0, None)
    copy.refresh_from_db()
    assert (copy.status, copy.current_unit, copy.status_changed_at) == (ItemStatus.ON_LOAN, lib, MONDAY)
    event = CirculationEvent.objects.get(type="checkout")
    assert (event.item, event.reader, event.unit, event.actor, event.via, event.at) == (
        copy,
        zhang,
        lib,
        library_staff,
        "desk",
        MONDAY,
    )
    assert event.details == {"loan": loan.pk, "due": "2026-06-16"}


def test_a_kiosk_checkout_records_the_kiosk_as_the_channel(zhang, lib):
    copy = f.item(home=lib)

    services.loan_checkout(
        reader=zhang, item=copy, at_unit=lib, actor=None, via="sip2:lib-kiosk-1", at=MONDAY
    )

    event = CirculationEvent.objects.get(type="checkout")
    assert (event.actor, event.via) == (None, "sip2:lib-kiosk-1")


@pytest.mark.parametrize(
    "change, code, message",
    [
        ({"expires_on": dt.date(2026, 5, 31)}, "card_expired", "Card YX0001 expired on 2026-05-31."),
        ({"lost_card": True}, "card_lost", "Card YX0001 was reported lost."),
        ({"manual_block": "借书证借给他人使用"}, "blocked", "The card is blocked: 借书证借给他人使用"),
    ],
)
def test_a_card_that_is_expired_lost_or_blocked_borrows_nothing(
    zhang, lib, library_staff, change, code, message
):
    for key, value in change.items():
        setattr(zhang, key, value)
    zhang.save()
    copy = f.item(home=lib)
    before = _snapshot(copy)

    with pytest.raises(DomainError) as refused:
        services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=library_staff, at=MONDAY)

    assert (refused.value.code, refused.value.message) == (code, message)
    assert _snapshot(copy) == before


def test_five_overdue_items_stop_borrowing(zhang, lib, library_staff):
    for _ in range(5):
        Loan.objects.create(
            reader=zhang, item=f.item(home=lib), lending_unit=lib, out_at=MONDAY, due_on=dt.date(2026, 5, 1)
        )
    copy = f.item(home=lib)
    before = _snapshot(copy)

    with pytest.raises(DomainError) as refused:
        services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=library_staff, at=MONDAY)

    assert refused.value.code == "too_many_overdue"
    assert refused.value.message == (
        "5 items are overdue; at 5 overdue items borrowing stops until some come back."
    )
    assert _snapshot(copy) == before


def test_fees_above_the_limit_stop_borrowing(zhang, lib, library_staff):
    Fee.objects.create(reader=zhang, kind="other", amount=Decimal("10.50"), unit=lib, created_at=MONDAY)
    copy = f.item(home=lib)
    before = _snapshot(copy)

    with pytest.raises(DomainError) as refused:
        services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=library_staff, at=MONDAY)

    assert (refused.value.code, refused.value.message) == (
        "fees_over_limit",
        "10.50 yuan is owed, more than the limit of 10.00 yuan.",
    )
    assert _snapshot(copy) == before


def test_the_loan_limit_of_the_matrix_row_is_kept(zhang, lib, library_staff):
    for _ in range(3):
        services.loan_checkout(reader=zhang, item=f.item(home=lib), at_unit=lib, actor=None, at=MONDAY)
    copy = f.item(home=lib)
    before = _snapshot(copy)

    with pytest.raises(DomainError) as refused:
        services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=library_staff, at=MONDAY)

    assert refused.value.code == "loan_limit"
    assert refused.value.message == (
        "The reader already has 3 items on loan, the limit for this card and this kind of item."
    )
    assert _snapshot(copy) == before


def test_a_copy_on_loan_to_someone_else_is_refused(zhang, wang, lib, library_staff):
    copy = f.item(home=lib, barcode="B0002")
    services.loan_checkout(reader=wang, item=copy, at_unit=lib, actor=None, at=MONDAY)
    before = _snapshot(copy)

    with pytest.raises(DomainError) as refused:
        services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=library_staff, at=MONDAY)

    assert (refused.value.code, refused.value.message) == (
        "item_not_available",
        "B0002 is on loan to another reader; check it in first.",
    )
    assert _snapshot(copy) == before
    assert Loan.objects.get(item=copy).reader == wang


def test_a_withdrawn_copy_cannot_be_lent(zhang, lib, library_staff):
    copy = f.item(home=lib, barcode="B0003", status=ItemStatus.WITHDRAWN)
    before = _snapshot(copy)

    with pytest.raises(DomainError) as refused:
        services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=library_staff, at=MONDAY)

    assert (refused.value.code, refused.value.message) == (
        "item_not_available",
        "B0003 cannot be lent: it is Withdrawn.",
    )
    assert _snapshot(copy) == before


def test_a_village_manager_lends_only_at_his_own_village(zhang, v01, v02, village_manager):
    copy = f.item(home=v02)
    before = _snapshot(copy)

    with pytest.raises(DomainError) as refused:
        services.loan_checkout(reader=zhang, item=copy, at_unit=v02, actor=village_manager, at=MONDAY)

    assert refused.value.code == "unit_forbidden"
    assert _snapshot(copy) == before


def test_check_in_at_home_puts_the_copy_back_on_the_shelf(zhang, lib, library_staff):
    copy = f.item(home=lib)
    loan = services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=None, at=MONDAY)

    result = services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY + 3 * DAY)

    assert (result.action, result.unit, result.fee, result.hold) == ("shelve", lib, None, None)
    loan.refresh_from_db()
    assert (loan.returned_at, loan.return_unit) == (MONDAY + 3 * DAY, lib)
    copy.refresh_from_db()
    assert (copy.status, copy.current_unit) == (ItemStatus.AVAILABLE, lib)
    assert Transit.objects.count() == 0


def test_borrowed_at_a_village_returned_at_the_county_library_the_copy_travels_home(
    zhang, v01, lib, library_staff, village_manager
):
    copy = f.item(home=v01, barcode="V0101")
    services.loan_checkout(reader=zhang, item=copy, at_unit=v01, actor=village_manager, at=MONDAY)

    result = services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY + 5 * DAY)

    assert (result.action, result.unit) == ("transit", v01)
    transit = Transit.objects.get(item=copy)
    assert (transit.from_unit, transit.to_unit, transit.reason, transit.received_at) == (
        lib,
        v01,
        "home",
        None,
    )
    copy.refresh_from_db()
    assert (copy.status, copy.current_unit) == (ItemStatus.IN_TRANSIT, lib)

    services.transit_send(transit=transit, actor=library_staff)
    arrived = services.loan_checkin(item=copy, at_unit=v01, actor=village_manager, at=MONDAY + 9 * DAY)

    assert (arrived.action, arrived.unit) == ("shelve", v01)
    transit.refresh_from_db()
    assert transit.received_at == MONDAY + 9 * DAY
    copy.refresh_from_db()
    assert (copy.status, copy.current_unit) == (ItemStatus.AVAILABLE, v01)
    assert list(
        CirculationEvent.objects.filter(item=copy).order_by("pk").values_list("type", "unit__code")
    ) == [
        ("checkout", "YX-S01-V01"),
        ("transit_created", "YX-LIB"),
        ("checkin", "YX-LIB"),
        ("transit_sent", "YX-LIB"),
        ("transit_received", "YX-S01-V01"),
        ("checkin", "YX-S01-V01"),
    ]


def test_a_copy_passing_through_a_stop_keeps_travelling(zhang, v01, lib, s01, library_staff):
    copy = f.item(home=v01)
    services.loan_checkout(reader=zhang, item=copy, at_unit=v01, actor=None, at=MONDAY)
    services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY + DAY)

    result = services.loan_checkin(item=copy, at_unit=s01, actor=None, at=MONDAY + 2 * DAY)

    assert (result.action, result.unit) == ("transit", v01)
    assert Transit.objects.get(item=copy).received_at is None


def test_a_floating_collection_stays_where_it_is_returned(zhang, v01, lib, book, library_staff):
    f.rule(unit=v01, loan_days=21, return_policy=ReturnPolicy.FLOAT)
    copy = f.item(home=v01)
    services.loan_checkout(reader=zhang, item=copy, at_unit=v01, actor=None, at=MONDAY)

    result = services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY + DAY)

    assert (result.action, result.unit) == ("shelve", lib)
    copy.refresh_from_db()
    assert (copy.status, copy.current_unit, copy.home_unit) == (ItemStatus.AVAILABLE, lib, v01)


def test_the_lending_unit_policy_sends_the_copy_back_to_where_it_was_lent(
    zhang, v01, s01, s02, lib, library_staff
):
    f.rule(unit=s01, loan_days=21, return_policy=ReturnPolicy.LENDING)
    copy = f.item(home=s02)
    services.loan_checkout(reader=zhang, item=copy, at_unit=v01, actor=None, at=MONDAY)

    result = services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY + DAY)

    assert (result.action, result.unit) == ("transit", v01)
    assert Transit.objects.get(item=copy).reason == "lending"


def test_a_late_return_leaves_an_overdue_fee_up_to_the_cap(zhang, lib, library_staff):
    late = f.item(home=lib)
    very_late = f.item(home=lib)
    services.loan_checkout(reader=zhang, item=late, at_unit=lib, actor=None, at=MONDAY)
    services.loan_checkout(reader=zhang, item=very_late, at_unit=lib, actor=None, at=MONDAY)

    # Due 16 June: 10 days late on 26 June, 0.10 a day; 100 days late hits the 5.00 cap.
    first = services.loan_checkin(item=late, at_unit=lib, actor=library_staff, at=MONDAY + 25 * DAY)
    second = services.loan_checkin(item=very_late, at_unit=lib, actor=library_staff, at=MONDAY + 115 * DAY)

    assert (first.fee.amount, first.fee.kind, first.fee.status) == (Decimal("1.00"), "overdue", "open")
    assert second.fee.amount == Decimal("5.00")
    assert first.messages == ["Returned late: an overdue fee of 1.00 yuan."]


def test_a_row_with_no_fee_charges_nothing_however_late(lib, adult, library_staff):
    f.rule(loan_days=14)  # fee_per_day 0: the common Chinese public library setting
    reader = f.reader(home=lib, cat=adult)
    copy = f.item(home=lib)
    services.loan_checkout(reader=reader, item=copy, at_unit=lib, actor=None, at=MONDAY)

    result = services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY + 200 * DAY)

    assert result.fee is None
    assert Fee.objects.count() == 0


def test_renewing_moves_the_due_date_once_and_then_is_refused(zhang, lib, library_staff):
    copy = f.item(home=lib, barcode="B0004")
    loan = services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=None, at=MONDAY)

    renewed = services.loan_renew(loan=loan, actor=None, via="portal", at=MONDAY + 10 * DAY)

    # From Thursday 11 June, 14 days: Thursday 25 June, an open day.
    assert (renewed.due_on, renewed.renewals) == (dt.date(2026, 6, 25), 1)
    with pytest.raises(DomainError) as refused:
        services.loan_renew(loan=loan, actor=library_staff, at=MONDAY + 12 * DAY)
    assert (refused.value.code, refused.value.message) == (
        "not_renewable",
        "B0004 has been renewed 1 times, the most allowed.",
    )
    loan.refresh_from_db()
    assert (loan.due_on, loan.renewals) == (dt.date(2026, 6, 25), 1)
    assert CirculationEvent.objects.filter(type="renew").count() == 1


def test_a_copy_another_reader_waits_for_cannot_be_renewed(zhang, wang, lib, library_staff):
    copy = f.item(home=lib, barcode="B0005")
    loan = services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=None, at=MONDAY)
    services.hold_place(reader=wang, record=copy.record, pickup_unit=lib, actor=None, at=MONDAY + DAY)

    with pytest.raises(DomainError) as refused:
        services.loan_renew(loan=loan, actor=library_staff, at=MONDAY + 2 * DAY)

    assert (refused.value.code, refused.value.message) == (
        "renewal_on_hold",
        "B0005 cannot be renewed: another reader is waiting for it.",
    )
    loan.refresh_from_db()
    assert (loan.due_on, loan.renewals) == (dt.date(2026, 6, 16), 0)


def test_renew_all_says_for_each_loan_whether_it_was_renewed(zhang, wang, lib):
    free = f.item(home=lib, barcode="B0006")
    wanted = f.item(home=lib, barcode="B0007")
    services.loan_checkout(reader=zhang, item=free, at_unit=lib, actor=None, at=MONDAY)
    services.loan_checkout(reader=zhang, item=wanted, at_unit=lib, actor=None, at=MONDAY)
    services.hold_place(reader=wang, item=wanted, pickup_unit=lib, actor=None, at=MONDAY)

    results = services.loan_renew_all(reader=zhang, actor=None, via="portal", at=MONDAY + 5 * DAY)

    assert [(loan.item.barcode, exc.code if exc else None) for loan, exc in results] == [
        ("B0006", None),
        ("B0007", "renewal_on_hold"),
    ]


def test_a_lost_copy_is_charged_at_its_price_and_the_charge_dropped_if_it_comes_back(
    zhang, lib, library_staff
):
    copy = f.item(home=lib, price=Decimal("38.00"))
    loan = services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=None, at=MONDAY)

    services.item_mark_lost(item=copy, actor=library_staff, at_unit=lib, at=MONDAY + 40 * DAY)

    fee = Fee.objects.get(loan=loan)
    assert (fee.kind, fee.amount, fee.status) == ("lost", Decimal("38.00"), "open")
    copy.refresh_from_db()
    assert copy.status == ItemStatus.LOST
    # A lost loan does not count as overdue, but the fee is over the limit.
    assert [b.code for b in services.reader_blocks(reader=zhang, today=dt.date(2026, 7, 20))] == [
        "fees_over_limit"
    ]

    result = services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY + 50 * DAY)

    fee.refresh_from_db()
    assert (fee.status, result.fee, result.action) == ("waived", None, "shelve")


def test_claim_returned_stops_the_loan_counting_as_overdue(zhang, lib, library_staff):
    copy = f.item(home=lib)
    loan = services.loan_checkout(reader=zhang, item=copy, at_unit=lib, actor=None, at=MONDAY)

    services.loan_claim_returned(loan=loan, actor=library_staff, at_unit=lib, at=MONDAY + 30 * DAY)

    status = services.reader_status(reader=zhang, today=dt.date(2026, 7, 1))
    assert (status.loans, status.overdue) == (1, 0)
    copy.refresh_from_db()
    assert copy.status == ItemStatus.MISSING


def test_fees_are_paid_or_waived_with_a_reason(zhang, lib, library_staff):
    fee = Fee.objects.create(
        reader=zhang, kind="overdue", amount=Decimal("1.20"), unit=lib, created_at=MONDAY
    )
    other = Fee.objects.create(
        reader=zhang, kind="overdue", amount=Decimal("0.80"), unit=lib, created_at=MONDAY
    )

    services.fee_pay(fee=fee, actor=library_staff, at_unit=lib)
    with pytest.raises(DomainError) as no_reason:
        services.fee_waive(fee=other, actor=library_staff, at_unit=lib, reason="  ")
    services.fee_waive(fee=other, actor=library_staff, at_unit=lib, reason="老年读者首次逾期")
    with pytest.raises(DomainError) as twice:
        services.fee_pay(fee=fee, actor=library_staff, at_unit=lib)

    fee.refresh_from_db()
    other.refresh_from_db()
    assert (fee.status, other.status, other.note) == ("paid", "waived", "老年读者首次逾期")
    assert no_reason.value.code == "fee_reason_required"
    assert (twice.value.code, twice.value.message) == ("fee_not_open", "This fee is already Paid.")
    assert list(CirculationEvent.objects.order_by("pk").values_list("type", flat=True)) == [
        "fee_paid",
        "fee_waived",
    ]


def test_copies_waiting_at_a_stop_go_on_that_days_van_run_and_are_sent_together(
    zhang, v01, lib, s01, library_staff
):
    from wenyun.circulation.models import DeliveryRoute

    route = DeliveryRoute.objects.create(name="城关线", weekday=2)
    route.stops.set([lib, s01, v01])
    copies = [f.item(home=v01) for _ in range(2)]
    for copy in copies:
        services.loan_checkout(reader=zhang, item=copy, at_unit=v01, actor=None, at=MONDAY)
        services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY + DAY)

    runs = services.transit_runs_plan(day=dt.date(2026, 6, 3))  # a Wednesday
    sent = services.transit_run_send(run=runs[0], actor=library_staff)

    assert [run.route for run in runs] == [route]
    assert sent == 2
    assert [(t.run.route.name, t.sent_at is not None) for t in Transit.objects.all()] == [
        ("城关线", True)
    ] * 2
    assert CirculationEvent.objects.filter(type="transit_sent").count() == 2
