"""Rotation sets moving among village bookstores, and reader choice at a partner bookstore."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from wenyun.acquisitions import selectors, services
from wenyun.acquisitions.models import ChoicePurchase, RotationMove
from wenyun.catalog import selectors as catalog_selectors
from wenyun.circulation.tests import factories as f
from wenyun.core.errors import Forbidden, NotFound, Refused

from .helpers import isbn

pytestmark = pytest.mark.django_db


@pytest.fixture
def village_set(station_manager, unit, book):
    v01, v02, v03 = unit("YX-S01-V01"), unit("YX-S01-V02"), unit("YX-S01-V03")
    barcodes = [f.item(home=v01, barcode=f"R{n:04d}", type=book).barcode for n in range(5)]
    return services.rotation_create(
        actor=station_manager,
        code="s01-a",
        name="城关流转书箱A",
        owner=unit("YX-S01"),
        stops=[v01, v02, v03],
        barcodes=barcodes,
        period_days=90,
        starts_on=dt.date(2026, 1, 5),
    )


def test_a_set_moves_on_its_copies_on_loan_follow_and_the_next_village_confirms(
    village_set, station_manager, village_manager, unit, rules
):
    from wenyun.circulation import services as circulation

    v01, v02 = unit("YX-S01-V01"), unit("YX-S01-V02")
    reader = f.reader(home=v01, card="YXR1")
    lent = catalog_selectors.item_get(barcode="R0004")
    circulation.loan_checkout(reader=reader, item=lent, at_unit=v01, actor=village_manager)
    assert village_set.next_move_on == dt.date(2026, 4, 5)

    with pytest.raises(Forbidden):  # the manager of V01 alone may not send it to V02
        services.rotation_move(actor=village_manager, rotation=village_set)
    assert not RotationMove.objects.exists()
    moved = services.rotation_move(actor=station_manager, rotation=village_set)
    assert sorted(moved.sent) == ["R0000", "R0001", "R0002", "R0003"]
    assert moved.following == [("R0004", "On loan")]
    item = catalog_selectors.item_get(barcode="R0000")
    assert (item.home_unit.code, item.current_unit.code, item.status) == (
        "YX-S01-V02",
        "YX-S01-V01",
        "in_transit",
    )
    with pytest.raises(Refused):  # not twice before it arrived
        services.rotation_move(actor=station_manager, rotation=village_set)

    move = selectors.rotation_moves_arriving(unit=v02)[0]
    assert services.rotation_arrive(actor=station_manager, move=move) == 4
    item = catalog_selectors.item_get(barcode="R0000")
    assert (item.current_unit.code, item.status) == ("YX-S01-V02", "available")
    move.refresh_from_db()
    assert move.status == RotationMove.Status.ARRIVED
    village_set.refresh_from_db()
    assert village_set.current_unit.code == "YX-S01-V02"
    assert village_set.next_move_on == timezone.localdate() + dt.timedelta(days=90)

    # The copy that was on loan comes back at V01: it goes on to the set, at V02.
    result = circulation.loan_checkin(item=lent, at_unit=v01, actor=village_manager)
    assert (result.action, result.unit.code) == ("transit", "YX-S01-V02")


def test_a_set_needs_its_copies_at_the_first_stop(station_manager, unit, book):
    elsewhere = f.item(home=unit("YX-S01-V02"), barcode="X1", type=book)
    with pytest.raises(Refused) as refused:
        services.rotation_create(
            actor=station_manager,
            code="B",
            name="B",
            owner=unit("YX-S01"),
            stops=[unit("YX-S01-V01"), unit("YX-S01-V02")],
            barcodes=[elsewhere.barcode],
        )
    assert refused.value.code == "rotation_item_elsewhere"
    from wenyun.acquisitions.models import RotationSet

    assert not RotationSet.objects.exists()


@pytest.fixture
def shop(county_admin, lib):
    return services.vendor_save(
        actor=county_admin, code="XHSD", name="新华书店城关门市", rate="100", partner_shop=True, shop_unit=lib
    )


@pytest.fixture
def choice_fund(county_admin, lib):
    return services.fund_create(
        actor=county_admin,
        code="RC-2026",
        name="你选书我买单",
        year=timezone.localdate().year,
        unit=lib,
        source="reader_choice",
        allocated="100",
    )


@pytest.fixture
def clerk(lib):
    from wenyun.core.models import Role, User

    return User.objects.create_user(username="shop-clerk", password="x", role=Role.VILLAGE_MANAGER, unit=lib)


def _book(n=1, **changes):
    fields = {
        "isbn": isbn(n),
        "title": f"新书{n}",
        "price": "45.00",
        "year": timezone.localdate().year,
        "clc": "I247.5",
    }
    fields.update(changes)
    return services.ChoiceBook(**fields)


def test_a_reader_takes_a_new_book_home_from_the_shop(shop, choice_fund, clerk, rules, lib):
    reader = f.reader(home=lib, card="YXC1", expires_on=dt.date(2030, 1, 1))
    result = services.choice_lend(actor=clerk, shop=shop, card="YXC1", book=_book(), barcode="N0001")
    item = catalog_selectors.item_get(barcode="N0001")
    assert (item.home_unit.code, item.status, item.record.title) == ("YX-LIB", "on_loan", "新书1")
    assert result.loan_due > timezone.localdate()
    figures = selectors.fund_figures(funds=[choice_fund])[choice_fund.pk]
    assert (figures.committed, figures.available) == (Decimal("45.00"), Decimal("55.00"))
    assert ChoicePurchase.objects.get().reader_id == reader.pk
    # the second book of the month joins the shop's order of the month
    services.choice_lend(actor=clerk, shop=shop, card="YXC1", book=_book(2, price="40"), barcode="N0002")
    assert ChoicePurchase.objects.values("order").distinct().count() == 1


@pytest.mark.parametrize(
    ("book", "code"),
    [
        (_book(price="120"), "choice_price_cap"),
        (_book(year=2001), "choice_too_old"),
        (_book(clc="G634.6"), "choice_excluded_class"),
        (_book(title="高考数学真题汇编"), "choice_excluded_kind"),
    ],
)
def test_the_rules_refuse_naming_the_rule(shop, choice_fund, clerk, rules, lib, book, code):
    f.reader(home=lib, card="YXC2", expires_on=dt.date(2030, 1, 1))
    with pytest.raises(Refused) as refused:
        services.choice_lend(actor=clerk, shop=shop, card="YXC2", book=book, barcode="N0009")
    assert refused.value.code == code
    assert not ChoicePurchase.objects.exists()
    with pytest.raises(NotFound):
        catalog_selectors.item_get(barcode="N0009")


def test_the_fund_and_the_month_limit(shop, choice_fund, clerk, rules, lib):
    f.reader(home=lib, card="YXC3", expires_on=dt.date(2030, 1, 1))
    services.choice_lend(actor=clerk, shop=shop, card="YXC3", book=_book(1, price="30"), barcode="M1")
    services.choice_lend(actor=clerk, shop=shop, card="YXC3", book=_book(2, price="30"), barcode="M2")
    with pytest.raises(Refused) as refused:
        services.choice_lend(actor=clerk, shop=shop, card="YXC3", book=_book(3, price="30"), barcode="M3")
    assert refused.value.code == "choice_reader_month"
    f.reader(home=lib, card="YXC4", expires_on=dt.date(2030, 1, 1))
    with pytest.raises(Refused) as refused:
        services.choice_lend(actor=clerk, shop=shop, card="YXC4", book=_book(4, price="50"), barcode="M4")
    assert refused.value.code == "fund_exceeded"
