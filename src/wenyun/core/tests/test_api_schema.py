"""The API keeps its published contract: a schema-driven property test over every operation.

Schemathesis reads /api/v1/openapi.json and, for each operation, generates requests from it (valid
ones and invalid ones, boundary values first), sends them to the application in-process with a
county administrator's token, and checks each answer:

- not_a_server_error: no 5xx;
- status_code_conformance: only statuses the operation declares;
- response_schema_conformance: the body has the declared shape (errors included);
- positive_data_acceptance: a request the schema allows is not refused as malformed. Allowed are
  2xx, 401, 403, 404 (an identifier that names nothing, declared as such) and 409 (a rule refuses
  the deed: a blocked card, a loan limit, a fee already paid); a 400 or 422 is a failure.

One rule the schema cannot state, because it ties two parameters together, is checked here by hand
instead: the calendar's `to` is not before `from` and at most 366 days after it. A request that
breaks it must be answered 400 `invalid`; one that keeps it falls under the checks above.

A few readers, copies, a loan, a fee, a hold, an activity, a roll and a standard exist, and about
half of the generated identifiers (cards, barcodes, unit codes, ids) are swapped for theirs, so that
the handlers' work past the lookups is exercised too.

Schemathesis's own pytest integration (`from_fixture`) does not run on pytest 9.2 (it sets
`Function._nodeid`, which pytest 9 removed); the schema is therefore loaded at import and each
operation is one test item of `schema.parametrize()`.
"""

from __future__ import annotations

import datetime as dt
import time
import zlib
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.checks import load_all_checks

from wenyun.circulation.tests import factories as f

pytestmark = pytest.mark.django_db

load_all_checks()
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

# Requests sent, per operation label, for the report (printed at the end of the run).
SENT: dict[str, int] = {}
SECONDS: dict[str, float] = {}


@pytest.fixture(autouse=True)
def connection_kept_open():
    """As Django's test client does: a request's end must not close the test's connection (and with
    it the transaction the test runs in)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def known(county, unit, county_admin) -> dict[str, list]:
    """A small world, and the identifiers of its objects by parameter name."""
    from wenyun.circulation import services as circulation
    from wenyun.circulation.models import Fee
    from wenyun.ledger import services as ledger
    from wenyun.programs import services as programs
    from wenyun.stats.metrics import metric_catalogue
    from wenyun.workforce import services as workforce

    lib, s01 = unit("YX-LIB"), unit("YX-S01")
    f.rule(loan_days=14, loan_limit=5, renewals=1)
    zhang = f.reader(home=lib, card="YX0001", name="张三", expires_on=dt.date(2099, 1, 1))
    wang = f.reader(home=s01, card="YX0002", name="王五", expires_on=dt.date(2099, 1, 1))
    santi = f.record("三体", author="刘慈欣", isbn="9787536692930", clc="I247.55")
    f.item(home=lib, rec=santi, barcode="B001")
    lent = f.item(home=lib, rec=santi, barcode="B002")
    f.item(home=s01, rec=f.record("活着", author="余华"), barcode="B003")
    circulation.loan_checkout(reader=zhang, item=lent, at_unit=lib, actor=county_admin, via="api")
    circulation.hold_place(reader=wang, record=santi, item=None, pickup_unit=s01, actor=county_admin)
    fee = Fee.objects.create(
        reader=zhang, kind=Fee.Kind.OTHER, amount=Decimal("38.00"), unit=lib, created_at=timezone.now()
    )
    start = timezone.now() + dt.timedelta(days=7)
    activity = programs.activity_create(
        actor=None,
        unit=lib,
        title="家风家训讲座",
        category="lecture",
        place="报告厅",
        capacity=30,
        sessions=[(start, start + dt.timedelta(minutes=90))],
        publish=True,
    )
    programs.registration_create(activity=activity, reader=zhang)
    month = timezone.localdate().replace(day=1)
    workforce.roll_open(actor=county_admin, month=month)
    ledger.standard_load(
        actor=None,
        name="api-test.json",
        raw='{"code": "api-test", "name": "测试标准", "indicators": [{"code": "S1", "name": "文化站建筑面积",'
        ' "part": "facilities", "scope": "station", "measure": "m²", "comparison": ">=", "threshold": 300,'
        ' "formula": {"kind": "metric", "metric": "building_area", "sub_units": false}}]}',
    )
    acquired = _acquisitions(county_admin, unit, isbn=santi.isbn)
    units = ["YX", "YX-LIB", "YX-S01", "YX-S01-V01", "YX-S02"]
    return {
        **acquired,
        "card": ["YX0001", "YX0002"],
        "barcode": ["B001", "B002", "B003"],
        "unit": units,
        "pickup_unit": units,
        "record_id": [santi.pk],
        "activity_id": [activity.pk],
        "fee_id": [fee.pk],
        "month": [month.strftime("%Y-%m")],
        "standard": ["api-test"],
        "code": [metric["code"] for metric in metric_catalogue()[:3]],
    }


def _acquisitions(county_admin, unit, *, isbn: str) -> dict[str, list]:
    """A vendor and a fund of the library, an order on them sent with one copy received (so that a
    receipt and an invoice find something to do), a draft order to send, and a rotation set."""
    from wenyun.acquisitions import services as acquisitions

    lib, s01 = unit("YX-LIB"), unit("YX-S01")
    v01, v02 = unit("YX-S01-V01"), unit("YX-S01-V02")
    f.item_type()
    vendor = acquisitions.vendor_save(actor=county_admin, code="XH", name="新华书店", rate="80")
    fund = acquisitions.fund_create(
        actor=county_admin,
        code="LIB-BOOKS",
        name="县馆购书经费",
        year=timezone.localdate().year,
        unit=lib,
        source="county_budget",
        allocated="100000",
    )
    line = acquisitions.LineIn(isbn=isbn, title="三体", price="23", quantity=5, destinations=[(s01, 2)])
    order = acquisitions.order_create(actor=county_admin, vendor=vendor, fund=fund, lines=[line])
    acquisitions.order_send(actor=county_admin, order=order)
    acquisitions.receipt_create(actor=county_admin, order=order, isbn=isbn, barcode="A001")
    draft = acquisitions.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[acquisitions.LineIn(isbn="", title="人生", price="30", quantity=1)],
    )
    f.item(home=v01, barcode="R001")
    acquisitions.rotation_create(
        actor=county_admin, code="SX1", name="书箱一", owner=s01, stops=[v01, v02], barcodes=["R001"]
    )
    return {
        "vendor": ["XH"],
        "fund": ["LIB-BOOKS"],
        "order": [order.pk],
        "order_id": [order.pk, draft.pk],
        "isbn": [isbn],
    }


@pytest.fixture
def token(county_admin):
    from wenyun.core.services import api_token_create

    return api_token_create(username=county_admin.username)[1]


def _swap_in_known(case, known: dict[str, list]) -> None:
    """About half the time, each identifier the schema lets be anything becomes one that exists."""
    for container in (case.path_parameters, case.query, case.body):
        if not isinstance(container, dict):
            continue
        for name, value in list(container.items()):
            choices = known.get(name)
            if not choices or not isinstance(value, (str, int)) or isinstance(value, bool):
                continue
            if type(value) is not type(choices[0]):
                continue
            digest = zlib.crc32(repr(value).encode())
            if digest % 2 == 0:
                container[name] = choices[(digest // 2) % len(choices)]


def _days(case, first_name: str, first_default: dt.date, last_name: str) -> tuple[dt.date, dt.date] | None:
    query = case.query or {}
    try:
        first = dt.date.fromisoformat(query[first_name]) if first_name in query else first_default
        last = dt.date.fromisoformat(query[last_name]) if last_name in query else None
    except (TypeError, ValueError):
        return None  # not a schema-valid request: the checks judge it
    return None if last is None else (first, last)


def _calendar_range_broken(case) -> bool:
    """`to` not before `from` and at most 366 days on (`from` defaults to today)."""
    days = _days(case, "from", timezone.localdate(), "to")
    return days is not None and (days[1] < days[0] or (days[1] - days[0]).days > 366)


def _metric_period_broken(case) -> bool:
    """`start` (default: 1 January) not after `end` (default: today)."""
    today = timezone.localdate()
    query = case.query or {}
    try:
        start = dt.date.fromisoformat(query["start"]) if "start" in query else today.replace(month=1, day=1)
        end = dt.date.fromisoformat(query["end"]) if "end" in query else today
    except (TypeError, ValueError):
        return False
    return start > end


def _order_units_broken(case) -> bool:
    """An order line's units are given at most its copies."""
    lines = case.body.get("lines") if isinstance(case.body, dict) else None
    try:
        return any(
            sum(given["quantity"] for given in line.get("destinations") or []) > line["quantity"]
            for line in lines or []
        )
    except (AttributeError, KeyError, TypeError):
        return False  # not a schema-valid request: the checks judge it


# The rules that tie two parameters together, by operation: how to tell one is broken, and the
# error code the operation documents for it.
CROSS_PARAMETER_RULES = {
    "GET /api/v1/activities": (_calendar_range_broken, "invalid"),
    "GET /api/v1/stats/metrics/{code}": (_metric_period_broken, "stats_period_invalid"),
    "POST /api/v1/acquisitions/orders": (_order_units_broken, "invalid"),
}


# The annual report takes a second or more each (every form of the report over the county): it gets
# fewer generated requests than the others, so that the whole run stays near a minute.
SLOW = "/api/v1/stats/annual"
SETTINGS = {"deadline": None, "derandomize": True, "suppress_health_check": list(HealthCheck)}


@schema.exclude(path=SLOW).parametrize()
@settings(max_examples=20, **SETTINGS)
def test_every_operation_keeps_its_contract(case, known, token):
    _check(case, known, token)


@schema.include(path=SLOW).parametrize()
@settings(max_examples=3, **SETTINGS)
def test_the_annual_report_keeps_its_contract(case, known, token):
    _check(case, known, token)


def _check(case, known, token) -> None:
    _swap_in_known(case, known)
    label = case.operation.label
    SENT[label] = SENT.get(label, 0) + 1
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    broken, code = CROSS_PARAMETER_RULES.get(label, (None, None))
    # The in-process WSGI transport does not undo the gzip the site sends (tested in test_web_basics).
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
    began = time.perf_counter()
    if positive and broken is not None and broken(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        # An identifier that names nothing may be found out first.
        assert (response.status_code, response.json()["error"]) in {
            (400, code),
            (404, response.json()["error"]),
        }
    else:
        case.call_and_validate(headers=headers, checks=[*CHECKS, positive_data_acceptance])
    SECONDS[label] = SECONDS.get(label, 0.0) + time.perf_counter() - began
