"""The few reads of readers, copies, loans, holds and fees the SIP2 answers need, kept in one place.

Plain look-ups by reader or copy, no rules: every decision (may this reader borrow, when is it due,
where does the copy go) is the circulation services'. These lists have no published selector yet.

The reads every kiosk message makes (the reader by card, the copy by barcode, a reader's counts) are
prepared SQL built from the models' metadata through circulation's `rows`, as its own check-out
path is: building each statement through the ORM's compiler cost 0.5-1 ms a query, more than the
rest of a kiosk message together. A card or barcode that is not found is handed to the published
selectors (`reader_get`, `item_get`) so the refusal is worded as everywhere else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import connection
from django.db.models import QuerySet

from wenyun.catalog.models import Item, ItemType, Record
from wenyun.circulation.models import Fee, Hold, Loan, Reader
from wenyun.core import rows
from wenyun.network.models import Unit

_READER_SQL = "SELECT {reader} FROM circulation_reader WHERE card = %s"


def reader_by_card(*, card: str) -> Reader:
    """The reader with this card (only his own row), or circulation's NotFound."""
    shape = rows.shape(Reader)
    with connection.cursor() as cursor:
        cursor.execute(_READER_SQL.format(reader=shape.columns), [card.strip()])
        row = cursor.fetchone()
    if row is None:
        from wenyun.circulation.selectors import reader_get

        return reader_get(card=card)  # raises NotFound, worded by circulation
    return cast(Reader, shape.build(row))


_ITEM_SQL = (
    "SELECT {item}, r.title, r.call_number, h.code, h.name, c.code, c.name, t.code, t.name "
    "FROM catalog_item JOIN catalog_record r ON r.id = catalog_item.record_id "
    "JOIN network_unit h ON h.id = catalog_item.home_unit_id "
    "JOIN network_unit c ON c.id = catalog_item.current_unit_id "
    "JOIN catalog_itemtype t ON t.id = catalog_item.item_type_id "
    "WHERE catalog_item.barcode = %s"
)


def item_by_barcode(*, barcode: str) -> Item:
    """The copy with this barcode, its record's title and call number, its home and current units and
    its type already attached (other fields of those load on use), or the catalogue's NotFound."""
    shape = rows.shape(Item)
    with connection.cursor() as cursor:
        cursor.execute(_ITEM_SQL.format(item=shape.columns), [(barcode or "").strip()])
        row = cursor.fetchone()
    if row is None:
        from wenyun.catalog.selectors import item_get

        return item_get(barcode=barcode)  # raises NotFound, worded by the catalogue
    item = cast(Item, shape.build(row[: shape.width]))
    title, call_number, home_code, home_name, here_code, here_name, type_code, type_name = row[shape.width :]
    alias = connection.alias
    item.record = Record.from_db(alias, ["id", "title", "call_number"], [item.record_id, title, call_number])
    item.home_unit = Unit.from_db(alias, ["id", "code", "name"], [item.home_unit_id, home_code, home_name])
    item.current_unit = Unit.from_db(
        alias, ["id", "code", "name"], [item.current_unit_id, here_code, here_name]
    )
    item.item_type = ItemType.from_db(
        alias, ["id", "code", "name"], [item.item_type_id, type_code, type_name]
    )
    return item


@dataclass(frozen=True)
class PatronCounts:
    loans: int
    overdue: int
    holds_ready: int
    holds_waiting: int
    fees: int
    owed: Decimal


_COUNTS_SQL = (
    "SELECT "
    "(SELECT COUNT(*) FROM circulation_loan WHERE reader_id = %s AND returned_at IS NULL), "
    "(SELECT COUNT(*) FROM circulation_loan WHERE reader_id = %s AND returned_at IS NULL AND due_on < %s "
    "AND NOT lost AND NOT claimed_returned), "
    "(SELECT COUNT(*) FROM circulation_hold WHERE reader_id = %s AND status = %s), "
    "(SELECT COUNT(*) FROM circulation_hold WHERE reader_id = %s AND status IN (%s, %s)), "
    "(SELECT COUNT(*) FROM circulation_fee WHERE reader_id = %s AND status = %s), "
    "(SELECT SUM(amount - paid) FROM circulation_fee WHERE reader_id = %s AND status = %s)"
)


def patron_counts(*, reader: Reader, today: dt.date) -> PatronCounts:
    """The counts Patron Information reports, in one round trip."""
    pk = reader.pk
    ready = Hold.Status.READY
    waiting = [status for status in Hold.ACTIVE if status != ready]
    params: list[Any] = [pk, pk, today, pk, ready, pk, *waiting, pk, Fee.Status.OPEN, pk, Fee.Status.OPEN]
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_SQL, params)
        loans, overdue, holds_ready, holds_waiting, fees, owed = cursor.fetchone()
    return PatronCounts(
        loans=int(loans),
        overdue=int(overdue),
        holds_ready=int(holds_ready),
        holds_waiting=int(holds_waiting),
        fees=int(fees),
        owed=Decimal(str(owed or 0)).quantize(Decimal("0.01")),
    )


def open_loans(*, reader: Reader) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(reader=reader, returned_at__isnull=True)
        .select_related("item", "item__record")
        .order_by("due_on", "pk")
    )


_OPEN_LOAN_SQL = "SELECT {loan} FROM circulation_loan WHERE item_id = %s AND returned_at IS NULL"


def open_loan_of_item(*, item: Item) -> Loan | None:
    """The copy's open loan (its reader loads on use)."""
    shape = rows.shape(Loan)
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_LOAN_SQL.format(loan=shape.columns), [item.pk])
        row = cursor.fetchone()
    return cast(Loan, shape.build(row)) if row is not None else None


def active_holds(*, reader: Reader) -> QuerySet[Hold]:
    return (
        Hold.objects.filter(reader=reader, status__in=Hold.ACTIVE)
        .select_related("record", "target", "pickup_unit")
        .order_by("placed_at", "pk")
    )


def queue_length(*, item: Item) -> int:
    """Readers waiting for this copy or its title."""
    from django.db.models import Q

    return (
        Hold.objects.filter(status__in=Hold.ACTIVE)
        .filter(Q(item=item) | Q(record_id=item.record_id, item_level=False))
        .count()
    )


def queue_position(*, hold: Hold) -> int:
    return (
        Hold.objects.filter(
            record_id=hold.record_id, status=Hold.Status.WAITING, placed_at__lt=hold.placed_at
        ).count()
        + 1
    )


def open_fees(*, reader: Reader) -> QuerySet[Fee]:
    return (
        Fee.objects.filter(reader=reader, status=Fee.Status.OPEN)
        .select_related("loan__item")
        .order_by("created_at", "pk")
    )
