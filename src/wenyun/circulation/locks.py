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

from . import rows
from .models import DeliveryRun, Fee, Hold, Loan, Reader, Transit


def _for_update() -> str:
    """What the ORM's select_for_update(no_key=True) appends on this database ("" on SQLite)."""
    features = connection.features
    if not features.has_select_for_update:
        return ""
    return "FOR NO KEY UPDATE" if features.has_select_for_no_key_update else "FOR UPDATE"


def _one(model, pk: int):
    # The check-out and check-in path: one prepared statement instead of the ORM's compiler.
    tail = _for_update()
    if tail and not connection.in_atomic_block:
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
    found = rows.select(model, '"id" = %s', [pk], tail=tail)
    if not found:
        raise model.DoesNotExist(f"{model._meta.object_name} {pk} does not exist.")
    return found[0]


def reader_lock(*, pk: int) -> Reader:
    return _one(Reader, pk)


def item_lock(*, pk: int) -> Item:
    return _one(Item, pk)


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
