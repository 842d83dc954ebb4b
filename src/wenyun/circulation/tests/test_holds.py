"""Holds: placed on a title or a copy, filled by the nearest copy, first come first served, picked up anywhere."""

from __future__ import annotations

import datetime as dt

import pytest

from wenyun.catalog.models import ItemStatus
from wenyun.circulation import services
from wenyun.circulation.models import CirculationEvent, Hold, Notice, Transit
from wenyun.core.errors import DomainError

from . import factories as f
from .conftest import MONDAY

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def test_the_holds_pass_picks_the_copy_in_the_pickup_units_township_before_the_county(zhang, lib, v01, unit):
    book = f.record("白鹿原")
    at_library = f.item(home=lib, rec=book)
    same_township = f.item(home=unit("YX-S01-V03"), rec=book)
    f.item(home=unit("YX-S02-V01"), rec=book)
    hold = services.hold_place(reader=zhang, record=book, pickup_unit=v01, actor=None, at=MONDAY)

    assert services.holds_fill() == 1

    hold.refresh_from_db()
    assert (hold.status, hold.target) == ("waiting", same_township)
    assert at_library.pk != same_township.pk


def test_a_copy_at_the_pickup_unit_itself_is_nearest(zhang, lib, v01, unit):
    book = f.record("活着")
    f.item(home=unit("YX-S01-V03"), rec=book)
    here = f.item(home=v01, rec=book)
    hold = services.hold_place(reader=zhang, record=book, pickup_unit=v01, actor=None, at=MONDAY)

    services.holds_fill()

    hold.refresh_from_db()
    assert hold.target == here


def test_one_copy_and_two_holds_the_first_placed_gets_it(zhang, wang, lib):
    book = f.record("围城")
    copy = f.item(home=lib, rec=book)
    later = services.hold_place(reader=wang, record=book, pickup_unit=lib, actor=None, at=MONDAY + DAY)
    first = services.hold_place(reader=zhang, record=book, pickup_unit=lib, actor=None, at=MONDAY)

    services.holds_fill()

    first.refresh_from_db()
    later.refresh_from_db()
    assert (first.target, later.target) == (copy, None)


def test_a_pulled_copy_checked_in_at_the_pickup_unit_goes_on_the_hold_shelf_and_the_reader_is_told(
    zhang, lib, library_staff, django_capture_on_commit_callbacks
):
    book = f.record("红楼梦")
    copy = f.item(home=lib, rec=book)
    hold = services.hold_place(reader=zhang, record=book, pickup_unit=lib, actor=None, at=MONDAY)
    services.holds_fill()

    with pytest.raises(DomainError):
        # Held on the pull list: another reader cannot take it.
        services.loan_checkout(
            reader=f.reader(home=lib), item=copy, at_unit=lib, actor=library_staff, at=MONDAY
        )
    with django_capture_on_commit_callbacks(execute=True):
        result = services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY + DAY)

    assert (result.action, result.unit, result.hold) == ("hold_shelf", lib, hold)
    hold.refresh_from_db()
    # 7 days on the shelf from Tuesday 2 June: Tuesday 9 June, an open day.
    assert (hold.status, hold.target, hold.shelf_until) == ("ready", copy, dt.date(2026, 6, 9))
    copy.refresh_from_db()
    assert copy.status == ItemStatus.ON_HOLD_SHELF
    notice = Notice.objects.get(reader=zhang)
    assert (notice.kind, notice.text) == (
        "hold_ready",
        "红楼梦 is ready for you at 云溪县图书馆 until 2026-06-09.",
    )
    assert notice.sent_at is not None


def test_a_returned_copy_goes_to_the_next_readers_pickup_unit_and_waits_for_him_there(
    zhang, wang, v01, lib, s02, library_staff, village_manager
):
    book = f.record("人生")
    copy = f.item(home=v01, rec=book, barcode="V0102")
    services.loan_checkout(reader=zhang, item=copy, at_unit=v01, actor=village_manager, at=MONDAY)
    hold = services.hold_place(
        reader=wang, record=book, pickup_unit=s02, actor=None, via="portal", at=MONDAY + DAY
    )

    result = services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY + 5 * DAY)

    assert (result.action, result.unit, result.hold) == ("transit", s02, hold)
    transit = Transit.objects.get(item=copy)
    assert (transit.to_unit, transit.reason, transit.hold) == (s02, "hold", hold)
    hold.refresh_from_db()
    assert hold.status == "in_transit"

    arrived = services.loan_checkin(item=copy, at_unit=s02, actor=None, at=MONDAY + 8 * DAY)

    assert (arrived.action, arrived.unit) == ("hold_shelf", s02)
    hold.refresh_from_db()
    assert hold.status == "ready"
    with pytest.raises(DomainError) as refused:
        services.loan_checkout(reader=zhang, item=copy, at_unit=s02, actor=None, at=MONDAY + 9 * DAY)
    assert (refused.value.code, refused.value.message) == (
        "item_on_hold_for_other",
        "V0102 is on the hold shelf for another reader.",
    )

    loan = services.loan_checkout(reader=wang, item=copy, at_unit=s02, actor=None, at=MONDAY + 9 * DAY)

    hold.refresh_from_db()
    assert (hold.status, loan.lending_unit) == ("fulfilled", s02)
    assert list(
        CirculationEvent.objects.filter(item=copy).order_by("pk").values_list("type", "unit__code")
    ) == [
        ("checkout", "YX-S01-V01"),
        ("transit_created", "YX-LIB"),
        ("checkin", "YX-LIB"),
        ("transit_received", "YX-S02"),
        ("hold_trapped", "YX-S02"),
        ("checkin", "YX-S02"),
        ("checkout", "YX-S02"),
    ]


def test_a_reader_cannot_hold_a_title_twice_or_one_he_has_on_loan(zhang, lib):
    book = f.record("家")
    copy = f.item(home=lib, rec=book)
    services.hold_place(reader=zhang, record=book, pickup_unit=lib, actor=None, at=MONDAY)

    with pytest.raises(DomainError) as twice:
        services.hold_place(reader=zhang, item=copy, pickup_unit=lib, actor=None, at=MONDAY)
    other = f.record("春")
    services.loan_checkout(reader=zhang, item=f.item(home=lib, rec=other), at_unit=lib, actor=None, at=MONDAY)
    with pytest.raises(DomainError) as on_loan:
        services.hold_place(reader=zhang, record=other, pickup_unit=lib, actor=None, at=MONDAY)

    assert (twice.value.code, twice.value.message) == (
        "hold_duplicate",
        "The reader already has a hold on 家.",
    )
    assert (on_loan.value.code, on_loan.value.message) == (
        "hold_already_on_loan",
        "The reader already has 春 on loan.",
    )
    assert Hold.objects.filter(reader=zhang).count() == 1


def test_a_row_that_allows_no_holds_refuses_them(lib, book, adult):
    f.rule(holds_allowed=False)
    reader = f.reader(home=lib, cat=adult)
    copy = f.item(home=lib)

    with pytest.raises(DomainError) as refused:
        services.hold_place(reader=reader, item=copy, pickup_unit=lib, actor=None)

    assert (refused.value.code, refused.value.message) == (
        "holds_not_allowed",
        "This kind of item cannot be held with this card.",
    )
    assert Hold.objects.count() == 0


def test_cancelling_a_ready_hold_sends_the_copy_home(zhang, v01, lib, library_staff):
    book = f.record("骆驼祥子")
    copy = f.item(home=v01, rec=book, current=lib)
    hold = services.hold_place(reader=zhang, record=book, pickup_unit=lib, actor=None, at=MONDAY)
    services.holds_fill()
    services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY)

    services.hold_cancel(hold=hold, actor=None, via="portal", at=MONDAY + DAY)

    hold.refresh_from_db()
    assert hold.status == "cancelled"
    transit = Transit.objects.get(item=copy)
    assert (transit.from_unit, transit.to_unit, transit.reason) == (lib, v01, "home")
    with pytest.raises(DomainError) as again:
        services.hold_cancel(hold=hold, actor=None)
    assert (again.value.code, again.value.message) == ("hold_not_active", "This hold is already Cancelled.")


def test_a_hold_not_collected_by_its_shelf_date_expires_and_the_copy_serves_the_next_reader(
    zhang, wang, lib, library_staff
):
    book = f.record("边城")
    copy = f.item(home=lib, rec=book)
    first = services.hold_place(reader=zhang, record=book, pickup_unit=lib, actor=None, at=MONDAY)
    second = services.hold_place(reader=wang, record=book, pickup_unit=lib, actor=None, at=MONDAY + DAY)
    services.holds_fill()
    services.loan_checkin(item=copy, at_unit=lib, actor=library_staff, at=MONDAY + DAY)

    assert services.hold_expire(today=dt.date(2026, 6, 9)) == 0
    assert services.hold_expire(today=dt.date(2026, 6, 10)) == 1

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.target) == ("expired", "ready", copy)


def test_due_soon_and_overdue_notices_go_out_once_a_day(zhang, wang, lib):
    from wenyun.circulation.models import Loan as LoanModel

    due_soon = f.item(home=lib, rec=f.record("草房子"))
    late = f.item(home=lib, rec=f.record("青铜葵花"))
    LoanModel.objects.create(
        item=due_soon, reader=zhang, lending_unit=lib, out_at=MONDAY, due_on=dt.date(2026, 6, 3)
    )
    LoanModel.objects.create(
        item=late, reader=wang, lending_unit=lib, out_at=MONDAY, due_on=dt.date(2026, 5, 20)
    )

    first = services.notices_due(today=dt.date(2026, 6, 1))
    again = services.notices_due(today=dt.date(2026, 6, 1))

    assert (first, again) == ({"due_soon": 1, "overdue": 1}, {"due_soon": 0, "overdue": 0})
    assert list(Notice.objects.order_by("reader__card").values_list("reader__card", "kind", "text")) == [
        ("YX0001", "due_soon", "《草房子》 due on 2026-06-03; renew online or return at any unit."),
        ("YX0002", "overdue", "《青铜葵花》 overdue since 2026-05-20; please return at any unit."),
    ]
