"""The few reads of loans, holds and fees the SIP2 answers list, kept in one place.

Plain look-ups by reader or copy, no rules: every decision (may this reader borrow, when is it due,
where does the copy go) is the circulation services'. The catalogue's item_get and circulation's
reader_get are used as published; these lists have no published selector yet.
"""

from __future__ import annotations

from django.db.models import QuerySet

from wenyun.catalog.models import Item
from wenyun.circulation.models import Fee, Hold, Loan, Reader


def open_loans(*, reader: Reader) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(reader=reader, returned_at__isnull=True)
        .select_related("item", "item__record")
        .order_by("due_on", "pk")
    )


def open_loan_of_item(*, item: Item) -> Loan | None:
    return Loan.objects.select_related("reader").filter(item=item, returned_at__isnull=True).first()


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
