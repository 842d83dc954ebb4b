"""The aggregates behind the metrics: one SQL aggregate per figure, grouped by unit.

Each `per_unit_*` function takes the ids of the units asked about and a Period, and returns
{unit id: value} for the units that have a value (absent means zero). Each `over_*` function
returns one value for the set of units taken together (a distinct count is not a sum of parts).
Nothing here loops over events in Python: the loops are over units or days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Count, Sum

from wenyun.network.models import Closure, OpeningHours, Unit
from wenyun.network.selectors import unit_weekly_schedule

from .models import DoorCount, ManualFigure
from .periods import Period

# --- the network -------------------------------------------------------------------------------------


def per_unit_kind(kind: str):
    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
        return {
            pk: 1
            for pk in Unit.objects.filter(pk__in=unit_ids, kind=kind, active=True).values_list(
                "pk", flat=True
            )
        }

    return compute


def per_unit_population(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    return dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "population"))


def per_unit_building_area(unit_ids: Sequence[int], period: Period) -> dict[int, Decimal]:
    return dict(Unit.objects.filter(pk__in=unit_ids, active=True).values_list("pk", "building_area"))


def _period_hours(periods: list[tuple[dt.time, dt.time]]) -> float:
    seconds = 0
    for opens, closes in periods:
        seconds += (
            dt.datetime.combine(dt.date.min, closes) - dt.datetime.combine(dt.date.min, opens)
        ).seconds
    return seconds / 3600


def per_unit_weekly_hours(unit_ids: Sequence[int], period: Period) -> dict[int, float]:
    result = {}
    for unit in Unit.objects.filter(pk__in=unit_ids, active=True):
        hours = sum(_period_hours(day) for day in unit_weekly_schedule(unit=unit))
        if hours:
            result[unit.pk] = round(hours, 2)
    return result


def per_unit_opening_hours_delivered(unit_ids: Sequence[int], period: Period) -> dict[int, float]:
    """Hours each unit was open in the period by its regular week less its (and its ancestors')
    closures; days after today are not counted, they have not been delivered yet.

    The same rule as network.selectors.OpeningCalendar, for many units in three queries."""
    from django.utils import timezone

    last = min(period.end, timezone.localdate())
    if last < period.start:
        return {}
    units = list(Unit.objects.filter(pk__in=unit_ids, active=True).only("pk", "path"))
    week_hours: dict[int, list[float]] = {u.pk: [0.0] * 7 for u in units}
    for unit_id, weekday, opens, closes in OpeningHours.objects.filter(unit_id__in=week_hours).values_list(
        "unit_id", "weekday", "opens", "closes"
    ):
        week_hours[unit_id][weekday] += _period_hours([(opens, closes)])
    ancestors = {u.pk: set(u.ancestor_ids()) | {u.pk} for u in units}
    closure_days: dict[int, set[dt.date]] = {}
    for unit_id, first_day, last_day in Closure.objects.filter(
        first_day__lte=last, last_day__gte=period.start
    ).values_list("unit_id", "first_day", "last_day"):
        days = closure_days.setdefault(unit_id, set())
        day = max(first_day, period.start)
        while day <= min(last_day, last):
            days.add(day)
            day += dt.timedelta(days=1)
    weekdays = [0] * 7  # how many Mondays, Tuesdays... the period has up to today
    day = period.start
    while day <= last:
        weekdays[day.weekday()] += 1
        day += dt.timedelta(days=1)
    result = {}
    for unit in units:
        hours = week_hours[unit.pk]
        total = sum(hours[w] * weekdays[w] for w in range(7))
        closed: set[dt.date] = set()
        for owner in ancestors[unit.pk]:
            closed |= closure_days.get(owner, set())
        total -= sum(hours[d.weekday()] for d in closed)
        if total:
            result[unit.pk] = round(total, 2)
    return result


# --- figures entered by hand -------------------------------------------------------------------------


def per_unit_manual_flow(code: str):
    """A yearly amount (spending): the years lying wholly inside the period, added up."""

    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, Decimal]:
        first = (
            period.start.year if period.start == dt.date(period.start.year, 1, 1) else period.start.year + 1
        )
        last = period.end.year if period.end == dt.date(period.end.year, 12, 31) else period.end.year - 1
        rows = (
            ManualFigure.objects.filter(unit_id__in=unit_ids, code=code, year__gte=first, year__lte=last)
            .values("unit_id")
            .annotate(total=Sum("value"))
        )
        return {row["unit_id"]: row["total"] for row in rows}

    return compute


def per_unit_manual_stock(code: str):
    """A count held at a time (seats, terminals): the latest year entered up to the period's end."""

    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, Decimal]:
        result: dict[int, Decimal] = {}
        rows = (
            ManualFigure.objects.filter(unit_id__in=unit_ids, code=code, year__lte=period.end.year)
            .order_by("unit_id", "-year")
            .values_list("unit_id", "value")
        )
        for unit_id, value in rows:  # one row per unit and year entered, newest first
            result.setdefault(unit_id, value)
        return result

    return compute


def per_unit_door_visits(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    rows = (
        DoorCount.objects.filter(unit_id__in=unit_ids, day__gte=period.start, day__lte=period.end)
        .values("unit_id")
        .annotate(total=Sum("visits"))
    )
    return {row["unit_id"]: row["total"] for row in rows}


def door_visits_by_unit_day(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, dt.date], int]:
    return {
        (unit_id, day): visits
        for unit_id, day, visits in DoorCount.objects.filter(
            unit_id__in=unit_ids, day__gte=period.start, day__lte=period.end
        ).values_list("unit_id", "day", "visits")
    }


def door_counts_by_day(*, unit_ids: Sequence[int], period: Period) -> dict[dt.date, int]:
    rows = (
        DoorCount.objects.filter(unit_id__in=unit_ids, day__gte=period.start, day__lte=period.end)
        .values("day")
        .annotate(total=Sum("visits"))
        .order_by("day")
    )
    return {row["day"]: row["total"] for row in rows}


def door_count_days(*, unit_ids: Sequence[int], period: Period) -> int:
    return DoorCount.objects.filter(
        unit_id__in=unit_ids, day__gte=period.start, day__lte=period.end
    ).aggregate(n=Count("pk"))["n"]
