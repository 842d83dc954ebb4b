"""The API keeps its published contract: a schema-driven property test over every operation.

Schemathesis reads /api/v1/openapi.json and, for each operation, generates requests from it (valid
ones, and invalid ones too), sends them to the application in-process with a county administrator's
token, and checks each answer: no 5xx, only statuses the operation declares, a body of the declared
shape, and no schema-valid request refused as malformed. A few readers, copies, an activity and a
roll exist, and generated identifiers are sometimes swapped for theirs, so that the handlers' work
past the lookups is exercised too.
"""

from __future__ import annotations

import datetime as dt

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

generated = {"requests": 0}


@pytest.fixture
def api_data(county, unit, county_admin):
    """Two readers with a loan and a hold, three copies, a published activity."""
    from wenyun.circulation import services as circulation
    from wenyun.programs import services as programs

    lib = unit("YX-LIB")
    f.rule(loan_days=14, loan_limit=5, renewals=1)
    zhang = f.reader(home=lib, card="YX0001", name="张三", expires_on=dt.date(2099, 1, 1))
    f.reader(home=unit("YX-S01"), card="YX0002", name="王五", expires_on=dt.date(2099, 1, 1))
    santi = f.record("三体", author="刘慈欣", isbn="9787536692930", clc="I247.55")
    f.item(home=lib, rec=santi, barcode="B001")
    lent = f.item(home=lib, rec=santi, barcode="B002")
    f.item(home=unit("YX-S01"), rec=f.record("活着", author="余华"), barcode="B003")
    circulation.loan_checkout(reader=zhang, item=lent, at_unit=lib, actor=county_admin, via="api")
    start = timezone.now() + dt.timedelta(days=7)
    programs.activity_create(
        actor=None,
        unit=lib,
        title="家风家训讲座",
        category="lecture",
        place="报告厅",
        capacity=30,
        sessions=[(start, start + dt.timedelta(minutes=90))],
        publish=True,
    )


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
def token(county_admin):
    from wenyun.core.services import api_token_create

    return api_token_create(username=county_admin.username)[1]


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_contract(case, api_data, token):
    load_all_checks()
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        positive_data_acceptance,
        response_schema_conformance,
        status_code_conformance,
    )

    generated["requests"] += 1
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            response_schema_conformance,
            positive_data_acceptance,
        ],
    )
