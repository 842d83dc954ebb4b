"""The book's path: a fund, an order, the vendor's MARC, receiving, the van, invoices, closing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from wenyun.acquisitions import selectors, services
from wenyun.acquisitions.models import OrderStatus
from wenyun.core.errors import Conflict, DomainError, Forbidden, Refused

from .helpers import isbn, vendor_marc

pytestmark = pytest.mark.django_db


def _order(admin, vendor, fund, unit, *, copies=((None, 3),), n=1, price="50.00"):
    destinations = [(unit(code) if code else fund.unit, k) for code, k in copies]
    return services.order_create(
        actor=admin,
        vendor=vendor,
        fund=fund,
        lines=[
            services.LineIn(
                isbn=isbn(i),
                title=f"书{i}",
                price=price,
                quantity=sum(k for _c, k in copies),
                clc="I247.5",
                destinations=destinations,
            )
            for i in range(1, n + 1)
        ],
    )


def test_an_order_commits_its_cost_at_the_vendors_rate(county_admin, vendor, fund, unit):
    order = _order(county_admin, vendor, fund, unit, copies=((None, 2), ("YX-S01", 3)), n=2)
    figures = selectors.fund_figures(funds=[fund])[fund.pk]
    # 2 titles × 5 copies × 50 yuan at 八折 = 400 yuan committed
    assert figures.committed == Decimal("400.00")
    assert figures.available == Decimal("99600.00")
    assert selectors.order_total(order) == Decimal("400.00")
    assert order.status == OrderStatus.DRAFT


def test_an_order_beyond_the_fund_is_refused_with_its_figures_and_nothing_written(
    county_admin, vendor, fund, unit
):
    from wenyun.acquisitions.models import Order

    with pytest.raises(Refused) as refused:
        _order(county_admin, vendor, fund, unit, copies=((None, 3000),), price="50")  # 120,000 yuan at 八折
    assert refused.value.code == "fund_exceeded"
    assert "100000.00 yuan available" in str(refused.value)
    assert not Order.objects.exists()


def test_a_bad_line_names_its_number(county_admin, vendor, fund):
    with pytest.raises(DomainError) as bad:
        services.order_create(
            actor=county_admin,
            vendor=vendor,
            fund=fund,
            lines=[
                services.LineIn(isbn=isbn(1), title="好书", price="20", quantity=1),
                services.LineIn(isbn="9787530000000", title="坏书", price="20", quantity=1),
            ],
        )
    assert str(bad.value).startswith("Line 2:")


def test_input_as_people_write_it(county_admin, vendor, fund):
    order = services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[
            services.LineIn(
                isbn=isbn(7).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
                title="书",
                price="¥３５元",
                quantity="２",
            )
        ],
    )
    line = order.lines.get()
    assert (line.isbn, line.list_price, line.price, line.quantity) == (
        isbn(7),
        Decimal("35.00"),
        Decimal("28.00"),
        2,
    )


def test_only_the_hub_buys(station_manager, vendor, fund):
    with pytest.raises(Forbidden):
        services.order_create(
            actor=station_manager,
            vendor=vendor,
            fund=fund,
            lines=[services.LineIn(title="书", price=1, quantity=1)],
        )


def test_receive_with_the_vendors_marc_distribute_and_invoice(county_admin, vendor, fund, unit, book):
    from wenyun.catalog import selectors as catalog_selectors
    from wenyun.circulation import selectors as circulation_selectors

    order = _order(county_admin, vendor, fund, unit, copies=((None, 1), ("YX-S01", 2)), n=2)
    services.order_send(actor=county_admin, order=order)
    report = services.order_marc_load(
        actor=county_admin,
        order=order,
        data=vendor_marc([(isbn(1), "平凡的世界", "I247.57"), (isbn(2), "人生", "I247.57")]),
    )
    assert report["added"] == 2 and report["lines_linked"] == 2

    first = services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode="A0000001")
    assert first.action == "shelve" and first.unit.code == "YX-LIB"
    assert first.receipt.call_number == "I247.57/1"
    second = services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode="A0000002")
    assert second.action == "transit" and second.unit.code == "YX-S01"
    assert second.receipt.call_number == "I247.57/1"  # the same title keeps its call number
    item = catalog_selectors.item_get(barcode="A0000002")
    assert (item.home_unit.code, item.current_unit.code, item.status) == ("YX-S01", "YX-LIB", "in_transit")
    assert item.record.title == "平凡的世界"  # from the vendor's MARC
    assert [t.item.barcode for t in circulation_selectors.transits_outgoing(unit=unit("YX-LIB"))] == [
        "A0000002"
    ]
    order.refresh_from_db()
    assert order.status == OrderStatus.PARTLY_RECEIVED

    with pytest.raises(Conflict):  # a barcode already in use
        services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode="A0000001")
    services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode="A0000003")
    with pytest.raises(Refused) as refused:  # the line has all its copies
        services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode="A0000004")
    assert refused.value.code == "isbn_not_ordered" and isbn(2) in str(refused.value)
    for n in range(3):
        services.receipt_create(actor=county_admin, order=order, isbn=isbn(2), barcode=f"B000000{n}")
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert (
        catalog_selectors.item_get(barcode="B0000000").call_number == "I247.57/2"
    )  # a new title, the next number

    figures = selectors.fund_figures(funds=[fund])[fund.pk]
    assert (figures.committed, figures.spent) == (Decimal("240.00"), Decimal("0.00"))
    services.invoice_received(actor=county_admin, order=order, number="FP-001")
    figures = selectors.fund_figures(funds=[fund])[fund.pk]
    assert (figures.committed, figures.spent) == (Decimal("0.00"), Decimal("240.00"))
    order.refresh_from_db()
    assert order.status == OrderStatus.INVOICED
    services.order_close(actor=county_admin, order=order)
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED


def test_closing_releases_what_will_not_come(county_admin, vendor, fund, unit, book):
    order = _order(county_admin, vendor, fund, unit, copies=((None, 4),))
    services.order_send(actor=county_admin, order=order)
    services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode="C1")
    with pytest.raises(Refused) as refused:
        services.order_close(actor=county_admin, order=order)
    assert refused.value.code == "order_not_invoiced"
    services.invoice_received(actor=county_admin, order=order, number="FP-9")
    services.order_close(actor=county_admin, order=order)
    figures = selectors.fund_figures(funds=[fund])[fund.pk]
    assert (figures.committed, figures.spent, figures.available) == (
        Decimal("0.00"),
        Decimal("40.00"),
        Decimal("99960.00"),
    )


def test_an_invoice_bills_no_more_than_came(county_admin, vendor, fund, unit, book):
    order = _order(county_admin, vendor, fund, unit, copies=((None, 2),))
    services.order_send(actor=county_admin, order=order)
    services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode="D1")
    line = order.lines.get()
    with pytest.raises(Refused) as refused:
        services.invoice_create(
            actor=county_admin,
            order=order,
            number="X",
            lines=[services.InvoiceLineIn(line=line.pk, quantity=2, amount="80")],
        )
    assert refused.value.code == "invoice_over_received"
    assert not order.invoices.exists()


def test_a_fund_split_to_a_station_comes_out_of_the_parent(county_admin, fund, unit):
    child = services.fund_split(actor=county_admin, fund=fund, unit=unit("YX-S01"), amount="30000")
    figures = selectors.fund_figures(funds=[fund, child])
    assert figures[fund.pk].available == Decimal("70000.00")
    assert figures[child.pk].available == Decimal("30000.00")
    with pytest.raises(Refused):
        services.fund_split(actor=county_admin, fund=fund, unit=unit("YX-S02"), amount="70000.01")


def test_late_lines_are_listed_for_claiming(county_admin, vendor, fund, unit):
    order = _order(county_admin, vendor, fund, unit)
    order = services.order_send(actor=county_admin, order=order)
    order.expected_by = dt.date(2026, 1, 1)
    order.save(update_fields=["expected_by"])
    assert [line.order.number for line in selectors.late_lines(today=dt.date(2026, 2, 1))] == [order.number]
