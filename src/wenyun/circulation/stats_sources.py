"""Circulation's figures for the statistics (`stats.metrics` registers them): reader cards, holds
waiting and copies in transit at each unit, grouped by unit in one query for any period, in the shapes
of `stats.selectors` (per_unit_* -> {unit id: value}). The loans, renewals and returns come from the
statistics' own daily summary of the event log, which reads the log's table named here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, Q
from django.utils import timezone

from wenyun.stats.periods import Period

from .models import CirculationEvent, Hold, Reader, Transit


def event_table() -> str:
    """The circulation event log's table, which the statistics' summary adds up by day in SQL (columns
    id, unit_id, type, at, reader_id, item_id; append-only)."""
    return CirculationEvent._meta.db_table


def per_unit_valid_cards(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Reader cards registered at each unit by the period's end and not expired on that day."""
    rows = (
        Reader.objects.filter(home_unit_id__in=unit_ids, registered_at__lt=period.after_moment)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=period.end))
        .values("home_unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["home_unit_id"]: row["n"] for row in rows}


def per_unit_new_readers(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    rows = (
        Reader.objects.filter(
            home_unit_id__in=unit_ids,
            registered_at__gte=period.first_moment,
            registered_at__lt=period.after_moment,
        )
        .values("home_unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["home_unit_id"]: row["n"] for row in rows}


def _moment(period: Period) -> dt.datetime:
    """The state 'at the period's end' is the state just before the next day began, or now if sooner."""
    return min(period.after_moment, timezone.now())


def per_unit_holds_waiting(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Holds placed and not yet on the hold shelf (nor closed) at the period's end, by pickup unit."""
    moment = _moment(period)
    rows = (
        Hold.objects.filter(pickup_unit_id__in=unit_ids, placed_at__lt=moment)
        .filter(Q(ready_at__isnull=True) | Q(ready_at__gte=moment))
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=moment))
        .values("pickup_unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["pickup_unit_id"]: row["n"] for row in rows}


def per_unit_transits_in_flight(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Copies on their way to each unit at the period's end: created, not yet received nor cancelled."""
    moment = _moment(period)
    rows = (
        Transit.objects.filter(to_unit_id__in=unit_ids, created_at__lt=moment)
        .filter(Q(received_at__isnull=True) | Q(received_at__gte=moment))
        .filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=moment))
        .values("to_unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["to_unit_id"]: row["n"] for row in rows}


def _distributed(unit_ids: Sequence[int], period: Period, reasons: Sequence[str]) -> dict[int, int]:
    rows = (
        Transit.objects.filter(
            to_unit_id__in=unit_ids,
            reason__in=reasons,
            received_at__gte=period.first_moment,
            received_at__lt=period.after_moment,
        )
        .values("to_unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["to_unit_id"]: row["n"] for row in rows}


def per_unit_copies_distributed(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Copies the hub sent to each unit and received there in the period: new copies for it (统一配送)
    and rotation sets arriving."""
    return _distributed(unit_ids, period, [Transit.Reason.DISTRIBUTION, Transit.Reason.ROTATION])


def per_unit_new_copies_distributed(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Of those, the new copies: bought and processed at the hub for the unit."""
    return _distributed(unit_ids, period, [Transit.Reason.DISTRIBUTION])
