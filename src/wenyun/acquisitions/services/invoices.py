"""Invoices: what the vendor bills for copies received; invoicing moves money from committed to spent."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import Conflict, DomainError, NotFound, Refused

from ..access import require_acquirer
from ..models import Invoice, InvoiceLine, Order, OrderLine, OrderStatus
from ._common import Type, _now, _record, quantity, text, yuan
from .orders import _order_locked, order_status_after_invoice


@dataclass
class InvoiceLineIn:
    line: int  # the order line's id
    quantity: int | str
    amount: Decimal | str


@transaction.atomic
def invoice_create(
    *,
    actor,
    order: Order,
    number: str,
    lines: list[InvoiceLineIn],
    issued_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Invoice:
    """Enter the vendor's invoice for copies of the order that came: each line bills at most the copies
    received and not billed yet. The amounts are what was paid, whatever the order's prices were."""
    require_acquirer(actor)
    now = _now(at)
    order = _order_locked(order)
    if order.status in (OrderStatus.DRAFT, OrderStatus.CANCELLED, OrderStatus.CLOSED):
        raise Refused(
            _("%(order)s is %(status)s: nothing of it can be invoiced.")
            % {"order": order.number, "status": order.get_status_display().lower()},
            code="order_not_invoiceable",
        )
    number = text(number, label=_("The invoice number"), max_length=40, required=True)
    if not lines:
        raise DomainError(_("An invoice needs at least one line."), code="invoice_empty")
    by_id = {line.pk: line for line in OrderLine.objects.select_for_update().filter(order=order)}
    billed: dict[int, int] = {}
    built: list[InvoiceLine] = []
    for n, given in enumerate(lines, start=1):
        line = by_id.get(int(given.line)) if str(given.line).isdigit() else None
        if line is None:
            raise NotFound(
                _("Invoice line %(n)s: %(line)s is not a line of %(order)s.")
                % {"n": n, "line": given.line, "order": order.number},
                code="invoice_line_unknown",
            )
        try:
            copies = quantity(given.quantity, label=_("The quantity"))
            amount = yuan(given.amount, label=_("The amount"))
        except DomainError as error:
            raise DomainError(
                _("Invoice line %(n)s: %(error)s") % {"n": n, "error": error}, code=error.code
            ) from None
        billed[line.pk] = billed.get(line.pk, 0) + copies
        unbilled = line.received - line.invoiced
        if billed[line.pk] > unbilled:
            raise Refused(
                _(
                    "Invoice line %(n)s bills %(copies)s copies of %(title)s, but %(unbilled)s received are not billed yet."
                )
                % {"n": n, "copies": billed[line.pk], "title": line.title, "unbilled": unbilled},
                code="invoice_over_received",
            )
        built.append(InvoiceLine(line=line, quantity=copies, amount=amount))
    total = sum((line.amount for line in built), Decimal("0.00"))
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                order=order,
                number=number,
                issued_on=issued_on or timezone.localtime(now).date(),
                total=total,
                created_at=now,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise Conflict(
            _("The invoice %(number)s of %(order)s is already entered.")
            % {"number": number, "order": order.number},
            code="invoice_duplicate",
        ) from None
    for billed_line in built:
        billed_line.invoice = invoice
    InvoiceLine.objects.bulk_create(built)
    for pk, copies in billed.items():
        by_id[pk].invoiced += copies
        by_id[pk].save(update_fields=["invoiced"])
    order.save(update_fields=order_status_after_invoice(order, at=now) or ["status"])
    _record(
        type=Type.INVOICED,
        unit=order.unit,
        actor=actor,
        at=now,
        order=order.number,
        invoice=number,
        total=str(total),
        fund=order.fund.code,
    )
    return invoice


def invoice_received(
    *, actor, order: Order, number: str, issued_on: dt.date | None = None, at=None
) -> Invoice:
    """An invoice for every copy received and not billed yet, at the order's prices (the usual case)."""
    lines = [
        InvoiceLineIn(
            line=line.pk,
            quantity=line.received - line.invoiced,
            amount=line.price * (line.received - line.invoiced),
        )
        for line in order.lines.all()
        if line.received > line.invoiced
    ]
    if not lines:
        raise Refused(
            _("Every copy received of %(order)s is already billed.") % {"order": order.number},
            code="nothing_to_invoice",
        )
    return invoice_create(actor=actor, order=order, number=number, lines=lines, issued_on=issued_on, at=at)
