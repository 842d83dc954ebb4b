"""The workforce's JSON API, mounted at /api/v1/workforce/.

`GET rolls/{YYYY-MM}` is part of the integration contract (DESIGN.md): the month's subsidy roll as
{month, status, total, lines}. A county administrator gets the whole roll; other staff get the lines
of their own unit's subtree and the total of those lines. Identity and bank numbers never appear.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Router, Schema

from wenyun.core.api_types import Amount, MonthText, errors
from wenyun.network.access import access_unit

from . import rules, selectors, services
from .access import sees_everything

router = Router(tags=["workforce"])


class RollLineOut(Schema):
    kind: str
    unit: str
    unit_name: str
    person_id: int
    name: str
    post: str
    standard: Decimal
    days: int
    days_in_month: int
    amount: Decimal
    corrects_month: str | None
    reason: str


class RollOut(Schema):
    month: str
    status: str
    total: Decimal
    approved_at: dt.datetime | None
    lines: list[RollLineOut]


def _scope(user):
    return None if sees_everything(user) else user.unit


def _roll_out(roll, user) -> RollOut:
    within = _scope(user)
    lines = [
        RollLineOut(
            kind=line.kind,
            unit=line.unit.code,
            unit_name=line.unit.name,
            person_id=line.person_id,
            name=line.person_name,
            post=line.post,
            standard=line.standard,
            days=line.days,
            days_in_month=line.days_in_month,
            amount=line.amount,
            corrects_month=line.corrects_month.strftime("%Y-%m") if line.corrects_month else None,
            reason=line.reason,
        )
        for line in selectors.roll_lines(roll=roll, within=within)
    ]
    return RollOut(
        month=roll.label,
        status=roll.status,
        total=selectors.roll_total(roll=roll, within=within),
        approved_at=roll.approved_at,
        lines=lines,
    )


@router.get(
    "/rolls/{month}",
    response={200: RollOut, **errors(400, 401, 404)},
    summary="The subsidy roll of a month (YYYY-MM)",
)
def roll_detail(request, month: MonthText):
    """Each line: unit code and name, the person, post, the monthly standard, days in post out of the
    month's days, the amount; adjustment lines also name the month they correct and why."""
    roll = selectors.roll_get(month=rules.parse_month(month))
    return _roll_out(roll, request.user)


class RollSummary(Schema):
    month: str
    status: str
    total: Decimal


@router.get(
    "/rolls", response={200: list[RollSummary], **errors(401)}, summary="Every subsidy roll, newest first"
)
def roll_index(request):
    within = _scope(request.user)
    return [
        RollSummary(
            month=roll.label, status=roll.status, total=selectors.roll_total(roll=roll, within=within)
        )
        for roll in selectors.roll_list()
    ]


class ApproveIn(Schema):
    expected_total: Amount | None = None


@router.post(
    "/rolls/{month}/approve",
    response={200: RollOut, **errors(400, 401, 403, 404, 409)},
    summary="Approve a month's roll (the county bureau only); it is frozen from then on",
)
def roll_approve(request, month: MonthText, payload: ApproveIn):
    roll = selectors.roll_get(month=rules.parse_month(month))
    roll = services.roll_approve(actor=request.user, roll=roll, expected_total=payload.expected_total)
    return _roll_out(roll, request.user)


class GapOut(Schema):
    post: str
    required: int
    present: int
    missing: int


class StaffingOut(Schema):
    unit: str
    unit_name: str
    kind: str
    met: bool
    gaps: list[GapOut]


@router.get(
    "/staffing",
    response={200: list[StaffingOut], **errors(400, 401, 404)},
    summary="Units against their staffing rule",
)
def staffing(request, unit: str | None = None, only_gaps: bool = False):
    """Every unit whose kind has a staffing rule (within a unit's subtree with `unit=CODE`), today."""
    within = access_unit(request.user, unit) if unit else _scope(request.user)
    return [
        StaffingOut(
            unit=row.unit.code,
            unit_name=row.unit.name,
            kind=row.unit.kind,
            met=row.met,
            gaps=[
                GapOut(**{k: gap[k] for k in ("post", "required", "present", "missing")}) for gap in row.gaps
            ],
        )
        for row in selectors.staffing_gaps(on=timezone.localdate(), within=within, only_gaps=only_gaps)
    ]
