from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def english():
    """Refusals are asserted in the English source."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def lib(unit):
    return unit("YX-LIB")


@pytest.fixture
def book(county):
    from wenyun.circulation.tests import factories as f

    return f.item_type("book", "图书")


@pytest.fixture
def rules(county, book):
    """The county's lending row: 30 days, 10 copies; copies go home."""
    from wenyun.circulation.tests import factories as f

    return f.rule(loan_days=30, loan_limit=10)


@pytest.fixture
def vendor(county_admin):
    from wenyun.acquisitions import services

    return services.vendor_save(actor=county_admin, code="XH", name="新华书店", rate="80", sends_marc=True)


@pytest.fixture
def fund(county_admin, lib):
    from wenyun.acquisitions import services

    return services.fund_create(
        actor=county_admin,
        code="LIB-2026",
        name="县馆购书经费",
        year=2026,
        unit=lib,
        source="county_budget",
        allocated="100000",
    )
