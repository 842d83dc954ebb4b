"""Orders: lines of titles with copies per destination unit, paid from one fund, sent to one vendor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from wenyun.catalog import selectors as catalog_selectors
from wenyun.core.errors import DomainError, Refused
from wenyun.network.models import Unit

from ..access import require_acquirer
from ..lifecycle import ORDER_LIFECYCLE
from ..models import Fund, LineDestination, Order, OrderLine, OrderStatus, Vendor
from ._common import Type, _now, _record, at_rate, isbn13, quantity, text, yuan
from .funds import _fund_locked, fund_refuse_beyond

DEFAULT_WAIT_DAYS = 60  # a sent order's copies are late after this many days, unless it says otherwise
MAX_LINES = 20_000


@dataclass
class LineIn:
    """One line as a caller gives it: destinations [(unit, copies)]; the copies given no unit (all of them,
    with no destinations) go to the fund's unit."""

    title: str
    price: Decimal | str
    quantity: int | str
    isbn: str = ""
    author: str = ""
    publisher: str = ""
    year: int | None = None
    clc: str = ""
    destinations: Sequence[tuple[Unit, int | str]] = field(default_factory=list)
    record_id: int | None = None  # more copies of a title the catalogue has (with or without an ISBN)


def _next_number(prefix: str) -> str:
    last = Order.objects.filter(number__startswith=prefix).aggregate(n=Max("number"))["n"]
    n = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{n:04d}"


def _line(
    position: int, given: LineIn, *, hub: Unit, rate: Decimal
) -> tuple[OrderLine, list[LineDestination]]:
    where = _("Line %(n)s") % {"n": position}
    try:
        copies = quantity(given.quantity, label=_("The quantity"))
        destinations: dict[int, LineDestination] = {}
        for unit, n in given.destinations or [(hub, copies)]:
            n = quantity(n, label=_("The copies for %(unit)s") % {"unit": unit.name})
            if unit.pk in destinations:
                destinations[unit.pk].quantity += n
            else:
                destinations[unit.pk] = LineDestination(unit=unit, quantity=n)
        # The copies and their units agree before anything else is read: a request that breaks this is
        # malformed whatever its ISBN or price (the API's schema cannot say so; its test checks it).
        spread = sum(d.quantity for d in destinations.values())
        if spread > copies:
            raise DomainError(
                _("%(copies)s copies are ordered but the units are given %(spread)s.")
                % {"copies": copies, "spread": spread},
                code="destinations_mismatch",
            )
        list_price = yuan(given.price, label=_("The price"))
        line = OrderLine(
            position=position,
            isbn=isbn13(given.isbn),
            title=text(given.title, label=_("The book's title"), max_length=500, required=True),
            author=text(given.author, label=_("The author"), max_length=500),
            publisher=text(given.publisher, label=_("The publisher"), max_length=255),
            year=int(str(given.year)) if given.year not in (None, "") else None,
            clc=text(given.clc, label=_("The CLC class"), max_length=40).upper(),
            list_price=list_price,
            price=at_rate(list_price, rate),
            quantity=copies,
        )
        if given.record_id:
            record = catalog_selectors.record_get(record_id=int(given.record_id))
            line.record_id = record.pk
            line.isbn = line.isbn or record.isbn
    except (DomainError, ValueError) as error:
        # The line's number before the sentence; a refusal stays a refusal (409), a malformed line a 400.
        kind = type(error) if isinstance(error, DomainError) else DomainError
        raise kind(f"{where}: {error}", code=getattr(error, "code", None) or "line_invalid") from None
    if spread < copies:  # the copies no unit is given stay at the hub
        destinations.setdefault(hub.pk, LineDestination(unit=hub, quantity=0)).quantity += copies - spread
    return line, list(destinations.values())


@transaction.atomic
def order_create(
    *,
    actor,
    vendor: Vendor,
    fund: Fund,
    lines: list[LineIn],
    note: str = "",
    expected_by: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Order:
    """A draft order. Its lines commit their cost on the fund at once; an order the fund cannot pay
    for is refused with the fund's figures before anything is written."""
    require_acquirer(actor)
    now = _now(at)
    if not vendor.active:
        raise Refused(
            _("%(vendor)s is no longer an active vendor.") % {"vendor": vendor.name}, code="vendor_inactive"
        )
    if not lines:
        raise DomainError(_("An order needs at least one line."), code="order_empty")
    if len(lines) > MAX_LINES:
        raise DomainError(_("An order has at most %(n)s lines.") % {"n": MAX_LINES}, code="order_too_long")
    fund = _fund_locked(fund)
    built = [_line(n, given, hub=fund.unit, rate=vendor.rate) for n, given in enumerate(lines, start=1)]
    total = sum((line.price * line.quantity for line, _d in built), Decimal("0.00"))
    fund_refuse_beyond(fund, total)
    prefix = f"PO{now.year}-"
    order = Order.objects.create(
        number=_next_number(prefix),
        vendor=vendor,
        fund=fund,
        unit=fund.unit,
        note=text(note, label=_("The note"), max_length=255),
        created_at=now,
        expected_by=expected_by,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for line, _d in built:
        line.order = order
    OrderLine.objects.bulk_create([line for line, _d in built])
    LineDestination.objects.bulk_create(
        [LineDestination(line=line, unit=d.unit, quantity=d.quantity) for line, dests in built for d in dests]
    )
    _record(
        type=Type.ORDER_CREATED,
        unit=fund.unit,
        actor=actor,
        at=now,
        order=order.number,
        vendor=vendor.code,
        fund=fund.code,
        lines=len(built),
        copies=sum(line.quantity for line, _d in built),
        total=str(total),
    )
    return order


def _order_locked(order: Order) -> Order:
    return Order.objects.select_for_update().select_related("vendor", "fund", "unit").get(pk=order.pk)


@transaction.atomic
def order_send(*, actor, order: Order, at: dt.datetime | None = None) -> Order:
    require_acquirer(actor)
    now = _now(at)
    order = _order_locked(order)
    moved = ORDER_LIFECYCLE.move(order, "send", at=now)
    order.sent_at = now
    if order.expected_by is None:
        order.expected_by = (now + dt.timedelta(days=DEFAULT_WAIT_DAYS)).date()
    order.save(update_fields=[*moved, "sent_at", "expected_by"])
    _record(type=Type.ORDER_SENT, unit=order.unit, actor=actor, at=now, order=order.number)
    return order


@transaction.atomic
def order_cancel(*, actor, order: Order, reason: str = "", at: dt.datetime | None = None) -> Order:
    """Cancel an order nothing of which has come: its money is released."""
    require_acquirer(actor)
    now = _now(at)
    order = _order_locked(order)
    if order.lines.filter(received__gt=0).exists():
        raise Refused(
            _("%(order)s cannot be cancelled: copies of it have been received. Close it instead.")
            % {"order": order.number},
            code="order_has_receipts",
        )
    moved = ORDER_LIFECYCLE.move(order, "cancel", at=now)
    order.closed_at = now
    order.save(update_fields=[*moved, "closed_at"])
    _record(
        type=Type.ORDER_CANCELLED,
        unit=order.unit,
        actor=actor,
        at=now,
        order=order.number,
        reason=reason[:200],
    )
    return order


@transaction.atomic
def order_close(*, actor, order: Order, at: dt.datetime | None = None) -> Order:
    """Close an order: copies still awaited will not come, and their money goes back to the fund. Copies
    received but not yet invoiced must be invoiced first."""
    require_acquirer(actor)
    now = _now(at)
    order = _order_locked(order)
    unbilled = sum(max(0, line.received - line.invoiced) for line in order.lines.all())
    if unbilled:
        raise Refused(
            _("%(order)s cannot be closed: %(n)s copies received are not invoiced yet.")
            % {"order": order.number, "n": unbilled},
            code="order_not_invoiced",
        )
    moved = ORDER_LIFECYCLE.move(order, "close", at=now)
    order.closed_at = now
    order.save(update_fields=[*moved, "closed_at"])
    dropped = 0
    for line in order.lines.all():
        if line.open_quantity:
            dropped += line.open_quantity
            line.cancelled += line.open_quantity
            line.save(update_fields=["cancelled"])
    _record(
        type=Type.ORDER_CLOSED, unit=order.unit, actor=actor, at=now, order=order.number, not_received=dropped
    )
    return order


def order_status_after_receipt(order: Order, *, at: dt.datetime) -> list[str]:
    """The order's step once a copy of it came: received when nothing more is awaited (the fields to
    save; none when it stays partly received)."""
    awaited = OrderLine.objects.filter(order=order, quantity__gt=F("received") + F("cancelled")).exists()
    if awaited and order.status == OrderStatus.PARTLY_RECEIVED:
        return []
    return ORDER_LIFECYCLE.move(order, "receive_some" if awaited else "receive_all", at=at)


def order_status_after_invoice(order: Order, *, at: dt.datetime) -> list[str]:
    if order.status == OrderStatus.RECEIVED and all(
        line.invoiced >= line.received for line in order.lines.all()
    ):
        return ORDER_LIFECYCLE.move(order, "invoice_all", at=at)
    return []
