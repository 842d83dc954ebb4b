"""Two desks receiving the last copy of a line at the same moment: one wins, the other is told what is
still awaited; two orders on the last money of a fund: one is placed, the other refused with the figures.

Real threads, each with its own connection, start together at a barrier, on SQLite (BEGIN IMMEDIATE
queues the writers) and on PostgreSQL (SELECT ... FOR UPDATE)."""

from __future__ import annotations

import pytest
from django.conf import settings

from wenyun.acquisitions import selectors, services
from wenyun.acquisitions.models import Order, Receipt
from wenyun.circulation.tests.test_concurrency import _race
from wenyun.core.errors import DomainError

from .helpers import isbn

race = pytest.mark.django_db(transaction=True, available_apps=list(settings.INSTALLED_APPS))
DESKS = 4


@race
def test_the_last_copy_of_a_line_is_received_once(county, county_admin, vendor, fund, book):
    order = services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[services.LineIn(isbn=isbn(1), title="书", price="20", quantity=1)],
    )
    services.order_send(actor=county_admin, order=order)
    outcomes = _race(
        [
            (
                lambda n=n: services.receipt_create(
                    actor=county_admin, order=order, isbn=isbn(1), barcode=f"RACE{n}"
                )
            )
            for n in range(DESKS)
        ]
    )
    won = [o for o in outcomes if isinstance(o, services.Received)]
    lost = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(won) == 1 and len(lost) == DESKS - 1, outcomes
    assert {error.code for error in lost} == {"isbn_not_ordered"}
    assert Receipt.objects.count() == 1
    assert order.lines.get().received == 1


@race
def test_two_orders_on_the_last_money_of_a_fund(county, county_admin, vendor, fund):
    # The fund has 100,000 yuan; each order costs 60,000 at the vendor's rate: only one fits.
    def place():
        return services.order_create(
            actor=county_admin,
            vendor=vendor,
            fund=fund,
            lines=[services.LineIn(isbn=isbn(2), title="书", price="750", quantity=100)],
        )

    outcomes = _race([place, place])
    assert sum(isinstance(o, Order) for o in outcomes) == 1, outcomes
    assert [o.code for o in outcomes if isinstance(o, DomainError)] == ["fund_exceeded"]
    assert selectors.fund_figures(funds=[fund])[fund.pk].committed == 60000
