"""The integration contract for readers, loans and holds (mounted at /api/v1/ with no prefix)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from wenyun.catalog.selectors import item_get, record_get
from wenyun.core.api_types import PositiveAmount, errors
from wenyun.core.errors import DomainError
from wenyun.network.access import access_unit
from wenyun.network.selectors import unit_get

from . import selectors, services
from .access import reader_access_record, reader_phone_for
from .models import Fee, Reader, ReaderAccess

router = Router(tags=["circulation"])


class ReaderBrief(Schema):
    card: str
    name: str
    category: str
    home_unit: str
    expires_on: dt.date | None


class BlockOut(Schema):
    code: str
    message: str


class ReaderOut(ReaderBrief):
    phone: str
    id_number: str  # masked: only the last four characters
    blocks: list[BlockOut]
    loans: int
    overdue: int
    holds: int
    holds_ready: int
    fees_owed: Decimal


class LoanOut(Schema):
    barcode: str
    record_id: int
    title: str
    lending_unit: str
    out_at: dt.datetime
    due: dt.date
    renewals: int
    overdue: bool


class CheckoutIn(Schema):
    card: str
    barcode: str
    unit: str


class CheckoutOut(Schema):
    barcode: str
    card: str
    due: dt.date
    warning: str | None = Field(
        None, description="Set when the copy was recorded on another unit's shelf: lent all the same."
    )


class CheckinIn(Schema):
    barcode: str
    unit: str


class DestinationOut(Schema):
    action: str
    unit: str


class CheckinOut(Schema):
    barcode: str
    destination: DestinationOut
    hold_card: str | None = None
    fee: Decimal | None = None


class FeeOut(Schema):
    id: int
    kind: str
    amount: Decimal
    paid: Decimal
    balance: Decimal
    status: str
    barcode: str | None
    created_at: dt.datetime


class FeePayIn(Schema):
    unit: str
    amount: PositiveAmount | None = None


class FeePayOut(FeeOut):
    paid_now: Decimal


class HoldIn(Schema):
    card: str
    record_id: int | None = None
    barcode: str | None = None
    pickup_unit: str

    # Exactly one of the two, as the handler requires (400 `hold_target_invalid` otherwise).
    model_config = {
        "json_schema_extra": {
            "anyOf": [
                {
                    "required": ["record_id"],
                    "properties": {"record_id": {"type": "integer"}, "barcode": {"type": "null"}},
                },
                {
                    "required": ["barcode"],
                    "properties": {
                        "barcode": {"type": "string", "minLength": 1},
                        "record_id": {"type": "null"},
                    },
                },
            ]
        }
    }


class HoldOut(Schema):
    id: int
    card: str
    record_id: int
    barcode: str | None
    pickup_unit: str
    status: str
    position: int


def _brief(reader: Reader) -> dict:
    return {
        "card": reader.card,
        "name": reader.name,
        "category": reader.category.code,
        "home_unit": reader.home_unit.code,
        "expires_on": reader.expires_on,
    }


@router.get(
    "/readers",
    response={200: list[ReaderBrief], **errors(401, 403)},
    summary="Readers by card, name, phone or identity number",
)
def readers(request, q: str = ""):
    """Staff. The exact card finds any reader of the county (borrow anywhere); a phone or identity
    number (exactly) or the start of a name only the readers whose home unit lies in the staff
    member's own subtree (every reader, for a county administrator). At most 50; each reader listed
    is recorded in the reader access log."""
    if not request.user.is_staff_member:
        raise DomainError(_("Only staff may look readers up."), code="staff_only")
    found = selectors.reader_search(user=request.user, q=q)
    reader_access_record(staff=request.user, readers=found, action=ReaderAccess.Action.LISTED, via="api")
    return [_brief(r) for r in found]


class ReaderAccessOut(Schema):
    at: dt.datetime
    staff: str
    staff_unit: str | None
    card: str
    action: str
    via: str


@router.get(
    "/reader-access",
    response={200: list[ReaderAccessOut], **errors(401, 403)},
    summary="Who looked at or changed which reader (county administrators)",
)
def reader_access(request, card: str = "", staff: str = ""):
    """County administrators only (403 `county_admin_only` otherwise). The record of processing,
    newest first, at most 500 rows: by reader card and/or staff username. Never an identity number."""
    return [
        {
            "at": row.at,
            "staff": row.staff.username,
            "staff_unit": row.staff_unit.code if row.staff_unit else None,
            "card": row.reader.card,
            "action": row.action,
            "via": row.via,
        }
        for row in selectors.reader_access_list(user=request.user, card=card, staff=staff)
    ]


@router.get(
    "/readers/{card}",
    response={200: ReaderOut, **errors(401, 403, 404)},
    summary="One reader, with what stops him borrowing",
)
def reader(request, card: str):
    """Staff. `blocks` lists each reason the card cannot borrow now (empty when it can). The phone is
    masked (138****1234) unless the reader's home unit lies in the staff member's subtree; the look is
    recorded in the reader access log."""
    found = selectors.access_reader(request.user, card, log_via="api")
    status = services.reader_status(reader=found)
    return {
        **_brief(found),
        "phone": reader_phone_for(request.user, found),
        "id_number": found.id_number_masked,
        "blocks": [{"code": b.code, "message": b.message} for b in status.blocks],
        "loans": status.loans,
        "overdue": status.overdue,
        "holds": status.holds,
        "holds_ready": status.holds_ready,
        "fees_owed": status.fees_owed,
    }


@router.get(
    "/readers/{card}/loans",
    response={200: list[LoanOut], **errors(401, 403, 404)},
    summary="A reader's current loans",
)
def reader_loans(request, card: str):
    found = selectors.access_reader(request.user, card, log_via="api")
    today = timezone.localdate()
    return [
        {
            "barcode": loan.item.barcode,
            "record_id": loan.item.record_id,
            "title": loan.item.record.title,
            "lending_unit": loan.lending_unit.code,
            "out_at": loan.out_at,
            "due": loan.due_on,
            "renewals": loan.renewals,
            "overdue": loan.due_on < today,
        }
        for loan in selectors.reader_loans(reader=found)
    ]


@router.post(
    "/circulation/checkout",
    response={200: CheckoutOut, **errors(400, 401, 403, 404, 409)},
    summary="Lend a copy",
)
def checkout(request, body: CheckoutIn):
    """Staff, at a unit of their own. A refusal is 409 with the rule's code (card_expired, loan_limit,
    item_not_available, item_on_hold_for_other, ...) and one sentence saying why."""
    unit = access_unit(request.user, body.unit, for_change=True)
    found = selectors.access_reader(request.user, body.card)
    item = item_get(barcode=body.barcode)
    loan = services.loan_checkout(reader=found, item=item, at_unit=unit, actor=request.user, via="api")
    return {"barcode": item.barcode, "card": found.card, "due": loan.due_on, "warning": loan.warning or None}


@router.post(
    "/circulation/checkin",
    response={200: CheckinOut, **errors(400, 401, 403, 404, 409)},
    summary="Take a copy back; where it goes next",
)
def checkin(request, body: CheckinIn):
    """Staff. `destination.action`: shelve (here), hold_shelf (here, for `hold_card`), transit (to `unit`)."""
    unit = access_unit(request.user, body.unit, for_change=True)
    item = item_get(barcode=body.barcode)
    result = services.loan_checkin(item=item, at_unit=unit, actor=request.user, via="api")
    return {
        "barcode": item.barcode,
        "destination": {"action": result.action, "unit": result.unit.code},
        "hold_card": result.hold.reader.card if result.hold else None,
        "fee": result.fee.amount if result.fee else None,
    }


@router.post(
    "/holds",
    response={200: HoldOut, **errors(400, 401, 403, 404, 409)},
    summary="Place a hold on a title or a copy",
)
def place_hold(request, body: HoldIn):
    """Staff. Give `record_id` for any copy of the title or `barcode` for that copy; `position` is the
    hold's place in the title's queue (1 = next)."""
    found = selectors.access_reader(request.user, body.card)
    pickup = unit_get(code=body.pickup_unit)
    if (body.record_id is None) == (not body.barcode):
        raise DomainError(_("Give either record_id or barcode."), code="hold_target_invalid")
    record = record_get(record_id=body.record_id) if body.record_id is not None else None
    item = item_get(barcode=body.barcode) if body.barcode else None
    hold = services.hold_place(
        reader=found, record=record, item=item, pickup_unit=pickup, actor=request.user, via="api"
    )
    return {
        "id": hold.pk,
        "card": found.card,
        "record_id": hold.record_id,
        "barcode": item.barcode if item else None,
        "pickup_unit": pickup.code,
        "status": hold.status,
        "position": selectors.hold_position(hold=hold),
    }


def _fee(fee: Fee) -> dict:
    return {
        "id": fee.pk,
        "kind": fee.kind,
        "amount": fee.amount,
        "paid": fee.paid,
        "balance": fee.balance,
        "status": fee.status,
        "barcode": fee.loan.item.barcode if fee.loan is not None else None,
        "created_at": fee.created_at,
    }


@router.get(
    "/readers/{card}/fees",
    response={200: list[FeeOut], **errors(401, 403, 404)},
    summary="A reader's fees still owed",
)
def reader_fees(request, card: str):
    """Staff. Each open fee with what was charged, what is paid so far and the balance still owed."""
    found = selectors.access_reader(request.user, card, log_via="api")
    return [_fee(fee) for fee in selectors.reader_fees(reader=found)]


@router.post(
    "/fees/{fee_id}/pay",
    response={200: FeePayOut, **errors(400, 401, 403, 404, 409)},
    summary="Pay a fee, in full or in part",
)
def fee_pay(request, fee_id: int, body: FeePayIn):
    """Staff, at a unit of their own. Without `amount` the whole balance is paid; with it, that much
    (text, more than 0 and at most two decimals, or 400; at most the balance, or 409
    `fee_amount_over_balance`). The fee's `status` becomes `paid` when its balance reaches 0."""
    if not request.user.is_staff_member:
        raise DomainError(_("Only staff may look readers up."), code="staff_only")
    unit = access_unit(request.user, body.unit, for_change=True)
    fee = services.fee_pay(
        fee=selectors.fee_get(pk=fee_id), actor=request.user, at_unit=unit, amount=body.amount, via="api"
    )
    payment = selectors.fee_payment_last(fee=fee)
    return {**_fee(fee), "paid_now": Decimal(payment.details["amount"])}
