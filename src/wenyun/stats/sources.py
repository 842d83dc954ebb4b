"""The figures the statistics put together themselves, grouped by unit: the circulation figures from
their daily summary of the event log (`stats.summary`), and the visits, from the readers who borrowed,
the cultural services' check-ins and entries and the door counts.

Each other app publishes the figures it owns over its own tables in its `stats_sources` module (the
catalogue's holdings, circulation's reader cards, the programmes' activities...), which `stats.metrics`
registers beside these. Same shapes as in `stats.selectors`: per_unit_* -> {unit id: value}, over_* ->
one value.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence

from wenyun.catalog import stats_sources as catalog_figures
from wenyun.network.models import Unit
from wenyun.programs import stats_sources as programs_figures

from . import summary
from .memo import memo, memo_span
from .periods import Period


def _daily(
    name: str, read: Callable[[Sequence[int], Period], dict], unit_ids: Sequence[int], period: Period
) -> dict:
    """{(unit id, day): value} from `read`, for the period: read once for the page's span and the same
    units, kept while the page is built, and cut to the period."""
    span = memo_span()
    if span is None or not (span.start <= period.start and period.end <= span.end):
        span = period
    rows = memo((name, frozenset(unit_ids), span), lambda: read(unit_ids, span))
    if span == period:
        return rows
    return {key: n for key, n in rows.items() if period.start <= key[1] <= period.end}


# --- circulation: the daily summary of its event log --------------------------------------------


def per_unit_events(event_type: str):
    """Events of one type at each unit in the period (a checkout is one loan), from the daily summary."""

    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
        return summary.per_unit_events(event_type, unit_ids, period)

    return compute


def per_day_events(event_type: str):
    def compute(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, dt.date], int]:
        return summary.per_day("events", event_type, unit_ids, period)

    return compute


def over_borrowers(unit_ids: Sequence[int], period: Period) -> int:
    """Distinct readers who borrowed at any of the units in the period."""
    return summary.over_borrowers(unit_ids, period)


def top_titles(*, unit: Unit, period: Period, limit: int = 10) -> list[tuple[str, int]]:
    """The titles borrowed most at the unit and the units under it in the period: (title, loans)."""
    ids = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    rows = summary.top_titles(unit_id=unit.pk, unit_ids=ids, period=period, limit=limit)
    titles = catalog_figures.record_titles([r[0] for r in rows])
    return [(titles.get(record_id, ""), n) for record_id, n in rows]


# --- visits the system sees itself ---------------------------------------------------------------------


def _programs_visits_by_unit_day(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, dt.date], int]:
    """Activity check-ins (each one) and museum entries (each ticket) at each unit on each day."""
    return _daily("programs_visits", programs_figures.visits_by_unit_day, unit_ids, period)


def _door_counted_days(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """{(unit id, day): (door count, readers who borrowed)} where a door count was entered."""
    return _daily("door_counted_days", summary.door_counted_days, unit_ids, period)


def _door_counts(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, dt.date], int]:
    """{(unit id, day): visits} where a door count was entered."""
    return {key: visits for key, (visits, _readers) in _door_counted_days(unit_ids, period).items()}


def system_visits_by_unit_day(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, dt.date], int]:
    """Visits the system saw at each unit on each day: readers who borrowed there that day (each reader
    once a day, from the daily summary), activity check-ins (each one) and museum entries (each ticket)."""
    visits: dict[tuple[int, dt.date], int] = defaultdict(int)
    for key, n in summary.per_day("readers", "checkout", unit_ids, period).items():
        visits[key] += n
    for key, n in _programs_visits_by_unit_day(unit_ids, period).items():
        visits[key] += n
    return visits


def _visits(unit_ids: Sequence[int], period: Period, *, by: str, door: bool) -> dict:
    """Visits added up by unit or by day: with `door`, the door count for each unit and day that has
    one, else the visits the system saw. The readers who borrowed are summed by the database over the
    daily summary; the days with a door count, and activity and museum visits, are few enough to read
    day by day (once for the page being built)."""
    totals: dict = defaultdict(int)

    def key(unit_id: int, day: dt.date):
        return unit_id if by == "unit" else day

    for group_key, n in summary.readers(unit_ids, period, by=by).items():
        totals[group_key] += n
    counted: dict[tuple[int, dt.date], tuple[int, int]] = {}
    if door:
        counted = _door_counted_days(unit_ids, period)
        for (unit_id, day), (visits, borrowers) in counted.items():
            totals[key(unit_id, day)] += visits - borrowers
    for (unit_id, day), n in _programs_visits_by_unit_day(unit_ids, period).items():
        if (unit_id, day) not in counted:
            totals[key(unit_id, day)] += n
    return dict(totals)


def per_unit_system_visits(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    return _visits(unit_ids, period, by="unit", door=False)


def system_visits_by_day(unit_ids: Sequence[int], period: Period) -> dict[dt.date, int]:
    return _visits(unit_ids, period, by="day", door=False)


def per_unit_total_visits(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    return _visits(unit_ids, period, by="unit", door=True)


def total_visits_by_day(unit_ids: Sequence[int], period: Period) -> dict[dt.date, int]:
    return _visits(unit_ids, period, by="day", door=True)


def total_visits_by_unit_day(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, dt.date], int]:
    """Each unit and day: the door count where one was entered for that day, else the visits the system
    saw; the door counter sees everyone who came in, the system only those who borrowed or checked in."""
    counted = _door_counts(unit_ids, period)
    by_day = dict(counted)
    for key, n in system_visits_by_unit_day(unit_ids, period).items():
        if key not in counted:
            by_day[key] = n
    return by_day


def events_by_day(event_type: str):
    def compute(unit_ids: Sequence[int], period: Period) -> dict[dt.date, int]:
        return summary.per_day_total(event_type, unit_ids, period)

    return compute


def events_by_month(event_type: str):
    def compute(unit_ids: Sequence[int], period: Period) -> dict[dt.date, int]:
        return summary.per_month_total(event_type, unit_ids, period)

    return compute
