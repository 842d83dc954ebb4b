"""The cached matrix and calendar are read again whenever the network or the matrix changed."""

from __future__ import annotations

import datetime as dt

import pytest

from wenyun.circulation import services
from wenyun.circulation.rules import snapshot
from wenyun.network.services import closure_add, unit_update

from . import factories as f
from .conftest import MONDAY

pytestmark = pytest.mark.django_db


def test_a_closure_edited_in_the_admin_moves_the_next_due_date(zhang, lib, admin_client):
    # 14 days from Monday 1 June: Monday 15 June, when the library is closed every week, so Tuesday;
    # closed Tuesday and Wednesday too, so Thursday.
    closure = closure_add(
        actor=None, unit=lib, first_day=dt.date(2026, 6, 16), last_day=dt.date(2026, 6, 17), reason="维修"
    )
    first = services.loan_checkout(reader=zhang, item=f.item(home=lib), at_unit=lib, actor=None, at=MONDAY)

    # The same row, the same id, one day shorter: only the admin's change log says it changed.
    edited = admin_client.post(
        f"/admin/network/closure/{closure.pk}/change/",
        {"unit": lib.pk, "first_day": "2026-06-16", "last_day": "2026-06-16", "reason": "维修"},
    )
    second = services.loan_checkout(reader=zhang, item=f.item(home=lib), at_unit=lib, actor=None, at=MONDAY)

    assert edited.status_code == 302
    assert (first.due_on, second.due_on) == (dt.date(2026, 6, 18), dt.date(2026, 6, 17))


def test_a_unit_changed_through_the_network_services_is_seen_at_once(lib, county_admin):
    before = snapshot().unit(lib.pk).name

    unit_update(actor=county_admin, unit=lib, name="云溪县图书馆（新馆）")

    assert (before, snapshot().unit(lib.pk).name) == ("云溪县图书馆", "云溪县图书馆（新馆）")


def test_nothing_changed_keeps_the_same_snapshot(lib):
    assert snapshot() is snapshot()
