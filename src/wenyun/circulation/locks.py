"""Every row circulation locks, in one place and one order: readers before items, each by primary key.

On PostgreSQL these are SELECT ... FOR UPDATE; on SQLite the settings open every transaction with
BEGIN IMMEDIATE, so writers queue and each re-reads the rows after the one before it committed.

The locks are FOR NO KEY UPDATE: inserting a loan or an event that points at a reader takes a key
share lock on the reader's row, which a plain FOR UPDATE held by another transaction would block
(a check-in racing a renewal deadlocked that way).
"""

from __future__ import annotations

from django.db import connection
from django.db.transaction import TransactionManagementError

from wenyun.catalog.models import Item
from wenyun.core import rows

from .models import DeliveryRun, Fee, Hold, Loan, Reader, Transit


def _for_update(db=None) -> str:
    """What the ORM's select_for_update(no_key=True) appends on this database ("" on SQLite)."""
    features = (db or connection).features
    if not features.has_select_for_update:
        return ""
    return "FOR NO KEY UPDATE" if features.has_select_for_no_key_update else "FOR UPDATE"


def _one(model, pk: int, db=None):
    # The check-out and check-in path: one prepared statement instead of the ORM's compiler.
    db = db or rows.db()
    tail = _for_update(db)
    if tail and not db.in_atomic_block:
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    found = rows.select(model, '"id" = %s', [pk], tail=tail, connection=db)
    if not found:
        raise model.DoesNotExist(f"{model._meta.object_name} {pk} does not exist.")
    return found[0]


def reader_lock(*, pk: int, db=None) -> Reader:
    return _one(Reader, pk, db)


def item_lock(*, pk: int, db=None) -> Item:
    return _one(Item, pk, db)


_PAIR_SQL = "SELECT {reader}, {item} FROM circulation_reader, catalog_item WHERE circulation_reader.id = %s AND catalog_item.id = %s"


def reader_and_item_lock(*, reader_pk: int, item_pk: int, db=None) -> tuple[Reader, Item]:
    """The reader, then the copy. On SQLite, whose BEGIN IMMEDIATE already holds the database's one
    write lock, both rows come in one read; elsewhere each row is locked in turn, reader first."""
    db = db or rows.db()
    if _for_update(db):
        return reader_lock(pk=reader_pk, db=db), item_lock(pk=item_pk, db=db)
    reader_shape, item_shape = rows.shape(Reader, db), rows.shape(Item, db)
    row = rows.execute(
        _PAIR_SQL.format(reader=reader_shape.columns, item=item_shape.columns),
        [reader_pk, item_pk],
        connection=db,
    ).fetchone()
    if row is None:
        reader_lock(pk=reader_pk, db=db)  # says which of the two does not exist
        item_lock(pk=item_pk, db=db)
    width = reader_shape.width
    return reader_shape.build(row[:width], db), item_shape.build(row[width:], db)  # type: ignore[return-value]


def items_lock(*, pks: list[int]) -> list[Item]:
    return list(Item.objects.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk"))


def loan_lock(*, pk: int) -> Loan:
    return Loan.objects.select_for_update(no_key=True).get(pk=pk)


def hold_lock(*, pk: int) -> Hold:
    return Hold.objects.select_for_update(no_key=True).get(pk=pk)


def fee_lock(*, pk: int) -> Fee:
    return Fee.objects.select_for_update(no_key=True).get(pk=pk)


def run_lock(*, pk: int) -> DeliveryRun:
    return DeliveryRun.objects.select_for_update(no_key=True).get(pk=pk)


def transits_lock(*, pks: list[int]) -> list[Transit]:
    return list(
        Transit.objects.select_for_update(no_key=True)
        .filter(pk__in=pks)
        .select_related("item", "from_unit", "to_unit")
        .order_by("pk")
    )
