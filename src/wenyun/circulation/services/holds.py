"""Holds: placing, cancelling, expiring and filling them."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog.models import Item, ItemStatus, Record
from wenyun.core.errors import DomainError
from wenyun.network.models import Unit

from .. import access, locks
from ..lifecycle import HOLD_LIFECYCLE
from ..models import (
    Hold,
    Loan,
    Reader,
)
from ..rules import (
    circ_settings,
    copy_distance,
    rule_match,
    township_of,
)
from ._common import Access, Type, _day, _now, _record, _refuse, _via
from .loans import _route
from .readers import _check_blocks


@transaction.atomic
def hold_place(
    *,
    reader: Reader,
    pickup_unit: Unit,
    actor,
    record: Record | None = None,
    item: Item | None = None,
    via: str = "",
    at: dt.datetime | None = None,
) -> Hold:
    """A hold on a title (any copy) or on one copy, collected at any unit. The copy is found by `holds_fill`."""
    if (record is None) == (item is None):
        raise DomainError(
            _("A hold is on a title or on one copy: give one of them."), code="hold_target_invalid"
        )
    now = _now(at)
    reader = locks.reader_lock(pk=reader.pk)
    conf = circ_settings()
    _check_blocks(reader, _day(now), conf)
    if item is not None:
        item = locks.item_lock(pk=item.pk)
        record = item.record
        if item.status in (ItemStatus.LOST, ItemStatus.WITHDRAWN, ItemStatus.MISSING):
            _refuse(
                "item_not_available",
                _("%(barcode)s cannot be held: it is %(status)s.")
                % {"barcode": item.barcode, "status": ItemStatus(item.status).label},
            )
    assert record is not None
    item_type_id = item.item_type_id if item is not None else None
    if item_type_id is None:
        first = Item.objects.filter(record=record).values_list("item_type_id", flat=True).first()
        if first is None:
            _refuse("item_not_available", _("%(title)s has no copies to hold.") % {"title": record.title})
        item_type_id = first
    rule = rule_match(unit=pickup_unit, category_id=reader.category_id, item_type_id=item_type_id).rule
    if not rule.holds_allowed:
        _refuse("holds_not_allowed", _("This kind of item cannot be held with this card."))
    if Hold.objects.filter(reader=reader, record=record, status__in=Hold.ACTIVE).exists():
        _refuse("hold_duplicate", _("The reader already has a hold on %(title)s.") % {"title": record.title})
    if Loan.objects.filter(reader=reader, item__record=record, returned_at__isnull=True).exists():
        _refuse(
            "hold_already_on_loan", _("The reader already has %(title)s on loan.") % {"title": record.title}
        )
    hold = Hold.objects.create(
        reader=reader,
        record=record,
        item=item,
        item_level=item is not None,
        pickup_unit=pickup_unit,
        placed_at=now,
    )
    _record(
        type=Type.HOLD_PLACED,
        unit=pickup_unit,
        actor=actor,
        via=via,
        at=now,
        item=item,
        reader=reader,
        details={"hold": hold.pk, "record": record.pk},
    )
    return hold


@transaction.atomic
def hold_cancel(*, hold: Hold, actor, via: str = "", at: dt.datetime | None = None) -> Hold:
    """Cancel a waiting, travelling or ready hold; a copy already on the shelf for it is routed on."""
    now = _now(at)
    hold = locks.hold_lock(pk=hold.pk)
    access.require_hold_scope(actor, hold)
    if hold.status not in Hold.ACTIVE:
        _refuse(
            "hold_not_active",
            _("This hold is already %(status)s.") % {"status": Hold.Status(hold.status).label},
        )
    previous = hold.status
    cancelled = HOLD_LIFECYCLE.move(hold, "cancel", at=now)
    hold.closed_at = now
    hold.save(update_fields=[*cancelled, "closed_at"])
    if previous == Hold.Status.READY and hold.target_id:
        item = locks.item_lock(pk=hold.target_id)
        _route(item, at_unit=item.current_unit, now=now, actor=actor, via=via)
    _record(
        type=Type.HOLD_CANCELLED,
        unit=hold.pickup_unit_id,
        actor=actor,
        via=via,
        at=now,
        reader=hold.reader,
        item=hold.target,
        details={"hold": hold.pk, "was": previous},
    )
    access.reader_access_record(
        staff=actor,
        readers=[hold.reader],
        action=Access.HOLD_CANCELLED,
        via=_via(actor, via),
        details={"hold": hold.pk},
    )
    return hold


def hold_expire(*, today: dt.date | None = None, actor=None, via: str = "") -> int:
    """End the holds not collected by their shelf date; each copy is routed on (the next hold, or home)."""
    today = today or timezone.localdate()
    count = 0
    for pk in Hold.objects.filter(status=Hold.Status.READY, shelf_until__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            hold = locks.hold_lock(pk=pk)
            if hold.status != Hold.Status.READY:
                continue
            now = timezone.now()
            expired = HOLD_LIFECYCLE.move(hold, "expire", at=now)
            hold.closed_at = now
            hold.save(update_fields=[*expired, "closed_at"])
            if hold.target_id:
                item = locks.item_lock(pk=hold.target_id)
                _route(item, at_unit=item.current_unit, now=now, actor=actor, via=via)
            _record(
                type=Type.HOLD_EXPIRED,
                unit=hold.pickup_unit_id,
                actor=actor,
                via=via,
                at=now,
                reader=hold.reader,
                details={"hold": hold.pk},
            )
            count += 1
    return count


def holds_fill(*, actor=None, via: str = "") -> int:
    """The holds pass: give each waiting hold without a copy the nearest available one, oldest hold first.

    Nearest: the pickup unit itself, then the same township, then anywhere in the county. A copy chosen
    goes on the pull list of the unit it sits at; checking it in there traps it for the hold. The pass
    reads the waiting holds and the candidate copies once and writes the choices in bulk.
    """
    township = {
        pk: township_of(kind, pk, parent)
        for pk, kind, parent in Unit.objects.values_list("pk", "kind", "parent_id")
    }
    holds = list(
        Hold.objects.filter(status=Hold.Status.WAITING)
        .order_by("placed_at", "pk")
        .values_list("pk", "record_id", "item_id", "item_level", "target_id", "pickup_unit_id")
    )
    if not holds:
        return 0
    taken = set(
        Hold.objects.filter(status__in=Hold.ACTIVE, target__isnull=False).values_list("target_id", flat=True)
    )
    record_ids = {h[1] for h in holds}
    copies: dict[int, list[tuple[int, int]]] = {}
    for chunk_start in range(0, len(record_ids), 900):
        chunk = list(record_ids)[chunk_start : chunk_start + 900]
        for pk, record_id, unit_id in Item.objects.filter(
            record_id__in=chunk, status=ItemStatus.AVAILABLE
        ).values_list("pk", "record_id", "current_unit_id"):
            copies.setdefault(record_id, []).append((pk, unit_id))
    chosen: list[tuple[int, int]] = []
    for pk, record_id, item_id, item_level, target_id, pickup in holds:
        if target_id is not None:
            continue
        candidates = [
            c for c in copies.get(record_id, ()) if c[0] not in taken and (not item_level or c[0] == item_id)
        ]
        if not candidates:
            continue
        best = min(
            candidates,
            key=lambda c: (copy_distance(copy_unit=c[1], pickup_unit=pickup, township=township), c[0]),
        )
        taken.add(best[0])
        chosen.append((pk, best[0]))
    with transaction.atomic(), connection.cursor() as cursor:
        # Only holds still waiting without a copy: a hold cancelled or filled meanwhile is left alone.
        cursor.executemany(
            f"UPDATE {Hold._meta.db_table} SET target_id = %s WHERE id = %s AND status = %s "
            "AND target_id IS NULL",
            [(item_id, pk, Hold.Status.WAITING) for pk, item_id in chosen],
        )
    return len(chosen)
