"""Receiving and central processing (统一编目): a scanned ISBN finds its order line and its record, a
scanned barcode becomes the copy with its call number, and a copy for a station or village leaves
for it in the van."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog import imports as catalog_imports
from wenyun.catalog import selectors as catalog_selectors
from wenyun.catalog import services as catalog
from wenyun.circulation import services as circulation
from wenyun.core.errors import Conflict, Refused
from wenyun.network.models import Unit

from ..access import require_acquirer
from ..lifecycle import RECEIVING
from ..models import (
    AcquisitionSettings,
    CallNumberSequence,
    LineDestination,
    Order,
    OrderLine,
    OrderStatus,
    Receipt,
)
from ._common import Type, _now, _record, isbn13
from .orders import _order_locked, order_status_after_receipt

VIA = "acquisitions"


def settings_get() -> AcquisitionSettings:
    found = AcquisitionSettings.objects.order_by("pk").first()
    return found or AcquisitionSettings.objects.create()


# -- call numbers ------------------------------------------------------------------------------------

_CLASS = re.compile(r"^[A-Z][A-Z0-9.\-:=()\"<>+/]*$")


def _class_of(clc: str) -> str:
    """The CLC class a call number starts with: the first of several ("I247.5;I206"), up to 40 characters."""
    first = re.split(r"[;,\s]+", (clc or "").strip().upper())[0]
    return first if _CLASS.match(first) else ""


def _author_number(author: str) -> str:
    """An author number from the first author's name: the pinyin initials of up to three characters
    (莫言 → MY), or the first three letters of a Latin name — the short form county libraries use."""
    from pypinyin import Style, lazy_pinyin

    name = re.split(r"[,，;；/、\s]+|[著编译主]", (author or "").strip())[0]
    if not name:
        return "X"
    if name.isascii():
        letters = re.sub(r"[^A-Za-z]", "", name)[:3]
        return letters.upper() or "X"
    initials = "".join(p[:1] for p in lazy_pinyin(name[:3], style=Style.FIRST_LETTER) if p)
    return re.sub(r"[^A-Za-z]", "", initials).upper() or "X"


def call_number_new(*, clc: str, author: str, scheme: str) -> str:
    """The call number of a title new to the county: its class, and a running number (种次号) of the
    class or an author number, as the county chose."""
    klass = _class_of(clc) or "Z"
    if scheme == AcquisitionSettings.CallNumbers.AUTHOR:
        return f"{klass}/{_author_number(author)}"[:60]
    sequence, _created = CallNumberSequence.objects.select_for_update().get_or_create(clc=klass)
    CallNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return f"{klass}/{sequence.last}"[:60]


# -- vendor MARC ----------------------------------------------------------------------------------------


@transaction.atomic
def order_marc_load(*, actor, order: Order, data: bytes, name: str = "") -> dict:
    """Load the MARC records a vendor sent with the books through the catalogue's import (the same
    checks and report; the copies are made as they are received), then link each line to its record
    by ISBN. Returns the import's report with how many lines found a record."""
    require_acquirer(actor)
    order = _order_locked(order)
    report = catalog_imports.marc_import(
        stream=data,
        owner=order.unit,
        actor=actor,
        name=name,
        source=f"vendor:{order.vendor.code}",
        limits=True,
        copies=False,
    )
    lines = list(order.lines.filter(record__isnull=True).exclude(isbn=""))
    records = catalog_selectors.records_by_isbn(isbns=[line.isbn for line in lines])
    linked = 0
    for line in lines:
        record = records.get(line.isbn)
        if record is not None:
            line.record = record
            line.save(update_fields=["record"])
            linked += 1
    _record(
        type=Type.MARC_LOADED,
        unit=order.unit,
        actor=actor,
        order=order.number,
        file=name[:100],
        records=report.read,
        added=report.added,
        linked=linked,
    )
    return {**report.as_dict(), "lines_linked": linked}


# -- receiving --------------------------------------------------------------------------------------------


@dataclass
class Received:
    receipt: Receipt
    line: OrderLine
    unit: Unit  # the copy's unit (its home)
    action: str  # "shelve": it stays at the hub; "transit": it waits for the van to its unit
    transit_to: Unit | None = None


def _open_lines_text(order: Order) -> str:
    """What the vendor's open orders still await, for a refusal: ISBN and title, up to ten."""
    lines = (
        OrderLine.objects.filter(order__vendor_id=order.vendor_id, order__status__in=RECEIVING)
        .filter(quantity__gt=F("received") + F("cancelled"))
        .select_related("order")
        .order_by("order__created_at", "position")[:10]
    )
    return "; ".join(f"{line.isbn or '-'} {line.title} ({line.order.number})" for line in lines) or _(
        "nothing"
    )


def _record_for(line: OrderLine, *, actor):
    """The line's record: linked already, the catalogue's for its ISBN, or a new one made from the line."""
    if line.record_id:
        return line.record
    record = catalog_selectors.records_by_isbn(isbns=[line.isbn]).get(line.isbn) if line.isbn else None
    if record is None:
        record = catalog.record_create(
            actor=actor,
            title=line.title,
            responsibility=line.author,
            publisher=line.publisher,
            year=line.year,
            isbn=line.isbn,
            clc=line.clc,
        )
    line.record = record
    line.save(update_fields=["record"])
    return record


def _call_number(record, line: OrderLine, *, actor) -> str:
    """A title the county already shelves keeps its call number; a new one is given one, on its record."""
    if "/" in (record.call_number or ""):
        return record.call_number
    scheme = settings_get().call_numbers
    call_number = call_number_new(
        clc=record.clc or line.clc, author=record.responsibility or line.author, scheme=scheme
    )
    catalog.record_update(actor=actor, record=record, call_number=call_number)
    return call_number


@transaction.atomic
def receipt_create(
    *,
    actor,
    order: Order,
    barcode: str,
    isbn: str = "",
    line: OrderLine | None = None,
    item_type=None,
    at: dt.datetime | None = None,
) -> Received:
    """One copy off the vendor's box: the ISBN scanned finds a line of the order still awaiting copies
    (a book without an ISBN is received on its line, chosen), the barcode scanned becomes the copy, for
    the first of the line's units still short of its copies. A copy for another unit than the hub waits
    at the hub for the van (a transit)."""
    require_acquirer(actor)
    now = _now(at)
    order = _order_locked(order)
    wanted = isbn13(isbn, required=line is None)
    # A received order awaits nothing: its copies are refused below, naming what the vendor still owes.
    if order.status not in RECEIVING | {OrderStatus.RECEIVED, OrderStatus.INVOICED}:
        raise Refused(
            _("%(order)s is %(status)s: only a sent order is received.")
            % {"order": order.number, "status": order.get_status_display().lower()},
            code="order_not_receiving",
        )
    open_lines = OrderLine.objects.select_for_update(of=("self",)).filter(
        order=order, quantity__gt=F("received") + F("cancelled")
    )
    chosen = line
    line = (
        (open_lines.filter(pk=chosen.pk) if chosen else open_lines.filter(isbn=wanted))
        .select_related("record")
        .defer("record__marc")
        .order_by("position")
        .first()
    )
    if line is None and chosen is not None:
        raise Refused(
            _("%(title)s of %(order)s has all its copies.") % {"title": chosen.title, "order": order.number},
            code="line_complete",
        )
    if line is None:
        raise Refused(
            _("No line of %(order)s awaits the ISBN %(isbn)s. Still awaited from %(vendor)s: %(open)s.")
            % {
                "order": order.number,
                "isbn": isbn,
                "vendor": order.vendor.name,
                "open": _open_lines_text(order),
            },
            code="isbn_not_ordered",
        )
    destination = (
        LineDestination.objects.select_for_update()
        .select_related("unit")
        .filter(line=line, quantity__gt=F("received"))
        .order_by("pk")
        .first()
    )
    if destination is None:  # every unit has its copies, yet the line is short: a destination was lowered
        raise Conflict(_("Every unit of this line has its copies."), code="line_complete")
    record = _record_for(line, actor=actor)
    call_number = _call_number(record, line, actor=actor)
    book_type = item_type or catalog_selectors.item_type_default()
    hub = order.unit
    item = catalog.item_create(
        actor=actor,
        record=record,
        barcode=barcode,
        home_unit=destination.unit,
        current_unit=hub,
        item_type=book_type,
        call_number=call_number,
        price=line.list_price,
        acquired_on=timezone.localtime(now).date(),
    )
    receipt = Receipt.objects.create(
        line=line,
        destination=destination,
        item=item,
        barcode=item.barcode,
        call_number=call_number,
        received_at=now,
        received_by=actor if getattr(actor, "pk", None) else None,
    )
    OrderLine.objects.filter(pk=line.pk).update(received=F("received") + 1)
    LineDestination.objects.filter(pk=destination.pk).update(received=F("received") + 1)
    line.received += 1
    # While the line itself still awaits copies the order is partly received, with nothing to ask.
    if line.open_quantity and order.status == OrderStatus.PARTLY_RECEIVED:
        moved = []
    else:
        moved = order_status_after_receipt(order, at=now)
    if moved:
        order.save(update_fields=moved)
    leaves = destination.unit.pk != hub.pk
    # One event for the copy: received, and (for another unit) put in the van's box; the van's own
    # steps are circulation's transit events.
    _record(
        type=Type.COPY_RECEIVED,
        unit=destination.unit,
        actor=actor,
        at=now,
        order=order.number,
        line=line.pk,
        barcode=item.barcode,
        record=record.pk,
        price=str(line.price),
        fund=order.fund.code,
        **({"sent_to": destination.unit.code} if leaves else {}),
    )
    if not leaves:
        return Received(receipt=receipt, line=line, unit=destination.unit, action="shelve")
    circulation.transit_dispatch(
        item=item,
        to_unit=destination.unit,
        at_unit=hub,
        actor=actor,
        reason=circulation.DISTRIBUTE,
        via=VIA,
        at=now,
    )
    return Received(
        receipt=receipt, line=line, unit=destination.unit, action="transit", transit_to=destination.unit
    )


@transaction.atomic
def labels_printed(
    *, actor, order: Order, receipt_ids: list[int], paper: str, at: dt.datetime | None = None
) -> int:
    """Record that these copies' labels were printed (a reprint keeps the first time). Returns how many."""
    require_acquirer(actor)
    now = _now(at)
    printed = Receipt.objects.filter(line__order=order, pk__in=receipt_ids, labelled_at__isnull=True).update(
        labelled_at=now
    )
    _record(
        type=Type.LABELS_PRINTED,
        unit=order.unit,
        actor=actor,
        at=now,
        order=order.number,
        copies=len(receipt_ids),
        first=printed,
        paper=paper,
    )
    return printed
