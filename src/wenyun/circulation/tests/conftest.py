from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from . import factories as f

# A Monday in June: the county library (open Tuesday to Sunday) is closed on the day 14 days later.
MONDAY = timezone.make_aware(dt.datetime(2026, 6, 1, 10, 0))


@pytest.fixture(autouse=True)
def english():
    """Service refusals are asserted in the English source; the pages' Chinese is tested in test_views."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def lib(unit):
    return unit("YX-LIB")


@pytest.fixture
def s01(unit):
    return unit("YX-S01")


@pytest.fixture
def v01(unit):
    return unit("YX-S01-V01")


@pytest.fixture
def v02(unit):
    return unit("YX-S01-V02")


@pytest.fixture
def s02(unit):
    return unit("YX-S02")


@pytest.fixture
def book(county):
    return f.item_type("book", "图书")


@pytest.fixture
def adult(county):
    return f.category("adult", "成人")


@pytest.fixture
def county_rule(county, book):
    """The county's row: 14 days, 3 items, 1 renewal, 0.10 yuan a day up to 5 yuan, copies go home."""
    from decimal import Decimal

    return f.rule(
        loan_days=14, loan_limit=3, renewals=1, fee_per_day=Decimal("0.10"), fee_cap=Decimal("5.00")
    )


@pytest.fixture
def zhang(county_rule, lib, adult):
    return f.reader(
        home=lib, card="YX0001", name="张三", cat=adult, expires_on=dt.date(2030, 1, 1), pin="1234"
    )


@pytest.fixture
def wang(county_rule, lib, adult):
    return f.reader(home=lib, card="YX0002", name="王五", cat=adult, expires_on=dt.date(2030, 1, 1))
