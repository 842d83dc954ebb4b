"""What acquisitions feed: the year's spending from invoices, the copies distributed to each branch and
their share of new books, and the local standard's S7/S8 judged on them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from wenyun.acquisitions import services
from wenyun.circulation import services as circulation
from wenyun.stats.metrics import metric_values

from .helpers import isbn

pytestmark = pytest.mark.django_db


def test_spending_distribution_and_the_branch_indicators(county_admin, vendor, fund, unit, book):
    from wenyun.catalog.selectors import item_get

    s01, lib = unit("YX-S01"), unit("YX-LIB")
    order = services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[services.LineIn(isbn=isbn(1), title="书", price="50", quantity=4, destinations=[(s01, 3)])],
    )
    services.order_send(actor=county_admin, order=order)
    for n in range(4):
        services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode=f"F{n}")
    for n in range(3):  # the first three go to the station (its unit comes first), the fourth stays
        circulation.loan_checkin(item=item_get(barcode=f"F{n}"), at_unit=s01, actor=None)
    services.invoice_received(actor=county_admin, order=order, number="FP1")

    today = timezone.localdate()
    start, end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)

    def figure(code, units, sub_units=False):
        return metric_values(
            code=code, units=units, include_sub_units=sub_units, period_start=start, period_end=end
        )

    assert figure("acquisition_spending", [lib])["YX-LIB"] == Decimal("160.00")
    assert figure("copies_distributed", [s01], True)["YX-S01"] == 3
    assert figure("new_copies_distributed", [s01], True)["YX-S01"] == 3
    assert figure("new_acquisitions", [s01])["YX-S01"] == 3
    assert figure("new_titles", [s01])["YX-S01"] == 1  # three copies of one title
    assert figure("new_titles", [unit("YX")], True)["YX"] == 1  # bought for two units: one title
    assert figure("copies_distributed", [unit("YX-S02")], True)["YX-S02"] == 0

    # The local standard's S7 and S8, as shipped, judged on these copies: 3 distributed to 城关镇, all new.
    from pathlib import Path

    from wenyun.ledger import services as ledger
    from wenyun.ledger.evaluate import indicator_evaluate

    shipped = Path(ledger.__file__).with_name("standards") / "township-village-local.json"
    standard = ledger.standard_load(actor=None, raw=shipped.read_text(encoding="utf-8"), name=shipped.name)
    s7 = indicator_evaluate(indicator=standard.indicators.get(code="S7"), year=today.year)
    s8 = indicator_evaluate(indicator=standard.indicators.get(code="S8"), year=today.year)
    row7 = next(r for r in s7.rows if r.unit.code == "YX-S01")
    row8 = next(r for r in s8.rows if r.unit.code == "YX-S01")
    assert (row7.value, row7.met) == (3, False)  # 3 of the 500 a year
    assert (row8.value, row8.met) == (100, True)  # all of them new
