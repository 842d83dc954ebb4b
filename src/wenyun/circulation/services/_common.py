"""What every circulation service shares: refusals, the event log, the one-writer guard, the desk check."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog.models import Item
from wenyun.core import rows
from wenyun.core.errors import Forbidden, Refused
from wenyun.network.access import user_can_manage_unit
from wenyun.network.models import Unit

from ..models import (
    CirculationEvent,
    Reader,
    ReaderAccess,
)

Type = CirculationEvent.Type


Access = ReaderAccess.Action


P = ParamSpec("P")


R = TypeVar("R")


class CirculationRefused(Refused):
    """A circulation rule says no; `code` is one of the stable codes in this module's docstring."""


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _via(actor, via: str) -> str:
    if via:
        return via
    return "desk" if getattr(actor, "pk", None) else "system"


def _record(
    *,
    type: str,
    unit: Unit | int,
    actor,
    via: str,
    at: dt.datetime,
    item: Item | None = None,
    reader: Reader | None = None,
    details: dict | None = None,
    db=None,
) -> None:
    """Append one row to the log. Every check-out and check-in writes one or two, so inside a
    transaction it is a prepared INSERT (`rows`, built from the model's fields: a field added to the
    log gets its default there as through the ORM)."""
    db = db or rows.db()
    event = rows.new(
        CirculationEvent,
        type=type,
        at=at,
        unit_id=unit if isinstance(unit, int) else unit.pk,
        actor_id=getattr(actor, "pk", None),
        details=details or {},
        item_id=item.pk if item is not None else None,
        reader_id=reader.pk if reader is not None else None,
        via=_via(actor, via),
    )
    if db.in_atomic_block:
        rows.insert(event, connection=db)
    else:
        event.save(force_insert=True, using=db.alias)


_SQLITE_WRITER = threading.Lock()


def _one_writer(service: Callable[P, R]) -> Callable[P, R]:
    """On SQLite, this process's check-outs and check-ins queue on a lock before BEGIN IMMEDIATE.

    SQLite takes one writer at a time anyway; a writer that finds the database locked sleeps in
    growing steps (up to 100 ms) before it tries again, which under 20 desks at once made the slowest
    check-outs wait a second. Queued on a lock here, the next one starts the moment the last commits.
    Inside an outer transaction (which already holds SQLite's write lock) there is nothing to queue for.
    """

    @functools.wraps(service)
    def queued(*args: P.args, **kwargs: P.kwargs) -> R:
        db = rows.db()
        if db.vendor != "sqlite" or db.in_atomic_block:
            return service(*args, **kwargs)
        with _SQLITE_WRITER:
            return service(*args, **kwargs)

    return queued


def _require_desk(actor, unit: Unit) -> None:
    """A staff member acts at units in his own subtree; kiosks and the system (actor None) anywhere."""
    if actor is None or not getattr(actor, "is_staff_member", False):
        return
    if not user_can_manage_unit(actor, unit):
        raise Forbidden(
            _("You may not lend or take back at %(unit)s: it is outside your unit.") % {"unit": unit.name},
            code="unit_forbidden",
        )


def _refuse(code: str, message: str):
    raise CirculationRefused(message, code=code)
