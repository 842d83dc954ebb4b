"""Loans, holds, transits and copies change state only through their lifecycle tables."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from wenyun.catalog.models import Item, ItemStatus
from wenyun.catalog.services import COPY_LIFECYCLE
from wenyun.circulation import services
from wenyun.circulation.lifecycle import HOLD_LIFECYCLE, LOAN_LIFECYCLE, TRANSIT_LIFECYCLE
from wenyun.circulation.models import CirculationEvent, DeliveryRoute, Hold, Loan, Transit
from wenyun.core.errors import Refused

from . import factories as f
from .conftest import MONDAY

NOW = MONDAY
SERVICES = Path(services.__file__).parent

# The fields a state is kept in: only the lifecycles write them (DeliveryRun.sent_at is a van's, not a
# transit's, and is allowed on `run`).
STATE_FIELDS = {
    "status",
    "status_changed_at",
    "returned_at",
    "lost",
    "claimed_returned",
    "received_at",
    "cancelled_at",
}


def _state_writes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Assign):
            targets = [
                t
                for target in node.targets
                for t in (target.elts if isinstance(target, ast.Tuple) else [target])
            ]
        for target in targets:
            if isinstance(target, ast.Attribute) and (
                target.attr in STATE_FIELDS
                or (
                    target.attr == "sent_at"
                    and not (isinstance(target.value, ast.Name) and target.value.id == "run")
                )
            ):
                found.append(f"{path.name}:{node.lineno} assigns .{target.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "update":
            for keyword in node.keywords:
                if keyword.arg in STATE_FIELDS | {"sent_at"}:
                    found.append(f"{path.name}:{node.lineno} updates {keyword.arg}")
    return found


def test_no_circulation_service_writes_a_state_field_but_through_a_lifecycle():
    found = [line for path in sorted(SERVICES.glob("*.py")) for line in _state_writes(path)]

    assert found == []


def test_the_guard_sees_a_status_written_in_place(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("hold.status, hold.closed_at = 'cancelled', now\nTransit.objects.update(sent_at=now)\n")

    assert _state_writes(bad) == ["bad.py:1 assigns .status", "bad.py:2 updates sent_at"]


@pytest.mark.parametrize(
    ("lifecycle", "obj", "action", "message"),
    [
        (HOLD_LIFECYCLE, Hold(status=Hold.Status.WAITING), "expire", "the hold is Waiting"),
        (HOLD_LIFECYCLE, Hold(status=Hold.Status.FULFILLED), "cancel", "the hold is Collected"),
        (LOAN_LIFECYCLE, Loan(returned_at=NOW), "return", "the loan is returned"),
        (LOAN_LIFECYCLE, Loan(claimed_returned=True), "claim_returned", "the loan is claimed returned"),
        (TRANSIT_LIFECYCLE, Transit(received_at=NOW), "send", "the transit is received"),
        (TRANSIT_LIFECYCLE, Transit(cancelled_at=NOW), "receive", "the transit is cancelled"),
        (COPY_LIFECYCLE, Item(status=ItemStatus.LOST), "lend", "the copy is Lost"),
        (COPY_LIFECYCLE, Item(status=ItemStatus.ON_LOAN), "withdraw", "the copy is On loan"),
    ],
)
def test_a_step_from_a_state_it_does_not_start_from_is_refused_and_nothing_is_set(
    lifecycle, obj, action, message
):
    before = {k: v for k, v in obj.__dict__.items() if k != "_state"}

    with pytest.raises(Refused) as refused:
        lifecycle.move(obj, action, at=NOW)

    assert (refused.value.code, refused.value.message) == (
        "wrong_status",
        f"This cannot be done now: {message}.",
    )
    assert {k: v for k, v in obj.__dict__.items() if k != "_state"} == before


def test_a_step_sets_the_fields_its_state_is_kept_in():
    loan, transit, copy = Loan(), Transit(), Item(status=ItemStatus.AVAILABLE)

    assert LOAN_LIFECYCLE.move(loan, "declare_lost", at=NOW) == ["lost"]
    assert LOAN_LIFECYCLE.move(loan, "return", at=NOW) == ["returned_at"]
    assert TRANSIT_LIFECYCLE.move(transit, "send", at=NOW) == ["sent_at"]
    assert COPY_LIFECYCLE.move(copy, "lend", at=NOW) == ["status", "status_changed_at"]
    assert (loan.lost, loan.returned_at, transit.sent_at, copy.status, copy.status_changed_at) == (
        True,
        NOW,
        NOW,
        ItemStatus.ON_LOAN,
        NOW,
    )


@pytest.mark.django_db
def test_a_copy_received_by_hand_before_the_van_left_is_not_sent_with_the_van(zhang, lib, v01):
    route = DeliveryRoute.objects.create(name="城关线", weekday=2)
    route.stops.set([lib, v01])
    copy = f.item(home=v01, barcode="VAN-V1")
    services.loan_checkout(reader=zhang, item=copy, at_unit=v01, actor=None, at=NOW)
    services.loan_checkin(item=copy, at_unit=lib, actor=None, at=NOW + dt.timedelta(hours=1))
    (run,) = services.transit_runs_plan(day=dt.date(2026, 6, 3))
    # Someone drove it out before the van: it is received at the village by hand.
    services.loan_checkin(item=copy, at_unit=v01, actor=None, at=NOW + dt.timedelta(hours=2))
    sent_before = CirculationEvent.objects.filter(type=CirculationEvent.Type.TRANSIT_SENT).count()

    assert services.transit_run_send(run=run, actor=None) == 0

    transit = Transit.objects.get(item=copy)
    assert (transit.sent_at, transit.received_at is not None) == (None, True)
    assert CirculationEvent.objects.filter(type=CirculationEvent.Type.TRANSIT_SENT).count() == sent_before
