"""Every row circulation locks, in one place and one order: readers before items, each by primary key.

On PostgreSQL these are SELECT ... FOR UPDATE; on SQLite the settings open every transaction with
BEGIN IMMEDIATE, so writers queue and each re-reads the rows after the one before it committed.

The locks are FOR NO KEY UPDATE: inserting a loan or an event that points at a reader takes a key
share lock on the reader's row, which a plain FOR UPDATE held by another transaction would block
(a check-in racing a renewal deadlocked that way).
"""

from __future__ import annotations

from wenyun.catalog.models import Item

from .models import Fee, Hold, Loan, Reader


def reader_lock(*, pk: int) -> Reader:
    return Reader.objects.select_for_update(no_key=True).get(pk=pk)


def item_lock(*, pk: int) -> Item:
    return Item.objects.select_for_update(no_key=True).get(pk=pk)


def items_lock(*, pks: list[int]) -> list[Item]:
    return list(Item.objects.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk"))


def loan_lock(*, pk: int) -> Loan:
    return Loan.objects.select_for_update(no_key=True).get(pk=pk)


def hold_lock(*, pk: int) -> Hold:
    return Hold.objects.select_for_update(no_key=True).get(pk=pk)


def fee_lock(*, pk: int) -> Fee:
    return Fee.objects.select_for_update(no_key=True).get(pk=pk)
