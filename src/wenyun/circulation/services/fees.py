"""Fees: paying and waiving."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError
from wenyun.network.models import Unit

from .. import access, locks
from ..lifecycle import FEE_LIFECYCLE
from ..models import (
    Fee,
)
from ._common import Access, Type, _record, _refuse, _require_desk, _via


def _fee_locked(fee: Fee, *, actor, at_unit: Unit) -> Fee:
    _require_desk(actor, at_unit)
    fee = locks.fee_lock(pk=fee.pk)
    if fee.status != Fee.Status.OPEN:
        _refuse(
            "fee_not_open", _("This fee is already %(status)s.") % {"status": Fee.Status(fee.status).label}
        )
    return fee


def _payment_amount(amount: Decimal | str | None, balance: Decimal) -> Decimal:
    """The amount a payment takes off the balance, or a refusal naming what is wrong with it."""
    if amount is None:
        return balance
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        _refuse("fee_amount_invalid", _("%(amount)s is not an amount in yuan.") % {"amount": amount})
    if value <= 0:
        _refuse("fee_amount_invalid", _("The amount paid must be more than 0 yuan."))
    if value > balance:
        _refuse(
            "fee_amount_over_balance",
            _("%(amount)s yuan is more than the %(balance)s yuan still owed on this fee.")
            % {"amount": value, "balance": f"{balance:.2f}"},
        )
    if value != value.quantize(Decimal("0.01")):
        _refuse(
            "fee_amount_invalid",
            _("%(amount)s yuan has more than two decimals: the fen is the smallest unit.")
            % {"amount": value},
        )
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def fee_pay(*, fee: Fee, actor, at_unit: Unit, via: str = "", amount: Decimal | None = None) -> Fee:
    """The reader paid at this unit (fees may be paid anywhere): the whole balance, or part of it.

    Each payment is a fee_paid event with the amount paid and the balance left; the fee is settled
    (paid) when its balance reaches zero. A refused amount changes nothing.
    """
    fee = _fee_locked(fee, actor=actor, at_unit=at_unit)
    paying = _payment_amount(amount, fee.balance)
    now = timezone.now()
    fee.paid += paying
    fields = ["paid"]
    if fee.paid >= fee.amount:
        fields += FEE_LIFECYCLE.move(fee, "settle", at=now)
    fee.save(update_fields=fields)
    _record(
        type=Type.FEE_PAID,
        unit=at_unit,
        actor=actor,
        via=via,
        at=now,
        reader=fee.reader,
        details={
            "fee": fee.pk,
            "amount": str(paying),
            "paid": str(fee.paid),
            "balance": str(fee.amount - fee.paid),
            "kind": fee.kind,
        },
    )
    return fee


@transaction.atomic
def fee_waive(*, fee: Fee, actor, at_unit: Unit, reason: str, via: str = "") -> Fee:
    """Forgive what is still owed on the fee (anything already paid stays paid), with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the fee is waived."), code="fee_reason_required")
    fee = _fee_locked(fee, actor=actor, at_unit=at_unit)
    access.require_fee_scope(actor, fee)
    waived = fee.balance
    now = timezone.now()
    fee.note = reason[:200]
    fee.save(update_fields=[*FEE_LIFECYCLE.move(fee, "waive", at=now), "note"])
    _record(
        type=Type.FEE_WAIVED,
        unit=at_unit,
        actor=actor,
        via=via,
        at=now,
        reader=fee.reader,
        details={"fee": fee.pk, "amount": str(waived), "kind": fee.kind, "note": reason},
    )
    access.reader_access_record(
        staff=actor,
        readers=[fee.reader],
        action=Access.FEE_WAIVED,
        via=_via(actor, via),
        details={"fee": fee.pk},
    )
    return fee
