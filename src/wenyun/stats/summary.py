"""The circulation event log added up by local day, so a year's figures read a few thousand rows, not
millions of events.

Two tables (`stats.models`): `CirculationDay` counts the events of each type at each unit on each day
and, for checkouts, the different readers who borrowed there that day (a visit the system sees);
`BorrowerMonth` keeps each reader who borrowed at a unit in a month with the days they borrowed on,
from which distinct borrowers over any run of days are counted exactly (distinct counts do not add
up across days).

Kept current from a high-water mark: `SummaryMark` holds the id of the last event added in. Every
read first calls `circulation_summary_current()`, which adds the events after the mark in the same
transaction that moves the mark, so no figure is stale and no event is counted twice. Event ids are
drawn in commit order on SQLite (one writer at a time); on PostgreSQL a transaction can commit an id
below one already committed, so the catch-up holds a SHARE lock on the event log while it reads the
last id: every transaction that drew an id has then finished, and later ones draw higher ids.
The event log is append-only (no event is changed or deleted); `wenyun manage stats_rebuild` builds
the summary again from the log for repair.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from django.db import connection, transaction
from django.utils import timezone

from .models import BorrowerMonth, CirculationDay, SummaryMark
from .periods import Period
from .selectors import _as_day, _fetch, _ids_sql, local_day_sql

MARK = "circulation"
ALL_DAYS = (1 << 31) - 1  # bits 0..30: the days 1..31 of a month


def _event_table() -> str:
    from wenyun.circulation.models import CirculationEvent

    return CirculationEvent._meta.db_table


def _month_sql(day: str) -> str:
    if connection.vendor == "postgresql":
        return f"(date_trunc('month', ({day})::timestamp)::date)"
    return f"date({day}, 'start of month')"


def _day_bit_sql(day: str) -> str:
    if connection.vendor == "postgresql":
        return f"(1 << (EXTRACT(DAY FROM {day})::int - 1))"
    return f"(1 << (CAST(strftime('%%d', {day}) AS INTEGER) - 1))"


def _last_event_id() -> int:
    return _fetch(f"SELECT MAX(id) FROM {_event_table()}", [])[0][0] or 0


def _mark_id() -> int:
    return SummaryMark.objects.filter(name=MARK).values_list("last_event_id", flat=True).first() or 0


def circulation_summary_current() -> None:
    """Add the events written since the summary was last brought up to date (two index look-ups when
    there are none)."""
    if _last_event_id() > _mark_id():
        circulation_summary_catch_up()


def circulation_summary_catch_up(
    *, chunk: int | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Add every event after the mark, in transactions of at most `chunk` event ids (all at once without
    one); returns the number of event ids read."""
    added = 0
    SummaryMark.objects.get_or_create(name=MARK)
    while True:
        with transaction.atomic():
            mark = SummaryMark.objects.select_for_update().get(name=MARK)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"LOCK TABLE {_event_table()} IN SHARE MODE")
            last = _last_event_id()
            if last <= mark.last_event_id:
                return added
            upto = last if chunk is None else min(last, mark.last_event_id + chunk)
            added += _add_events(after=mark.last_event_id, upto=upto)
            mark.last_event_id = upto
            mark.updated_at = timezone.now()
            mark.save(update_fields=["last_event_id", "updated_at"])
        if progress is not None:
            progress(upto, last)


def circulation_summary_rebuild(
    *, chunk: int = 1_000_000, progress: Callable[[int, int], None] | None = None
) -> int:
    """Empty the summary and build it again from the whole event log (for repair)."""
    with transaction.atomic():
        SummaryMark.objects.get_or_create(name=MARK)
        SummaryMark.objects.select_for_update().filter(name=MARK).update(last_event_id=0, updated_at=None)
        CirculationDay.objects.all().delete()
        BorrowerMonth.objects.all().delete()
    return circulation_summary_catch_up(chunk=chunk, progress=progress)


def _add_events(*, after: int, upto: int) -> int:
    """Add the events with after < id <= upto into both tables (in the caller's transaction); returns the
    number of event ids read."""
    events, days, borrowers = _event_table(), CirculationDay._meta.db_table, BorrowerMonth._meta.db_table
    day = local_day_sql("at")
    window = "id > %s AND id <= %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {days} (unit_id, type, day, events, readers) "
            f"SELECT unit_id, type, {day} AS d, COUNT(*), 0 FROM {events} WHERE {window} "
            "GROUP BY unit_id, type, d "
            f"ON CONFLICT (unit_id, type, day) DO UPDATE SET events = {days}.events + excluded.events",
            [after, upto],
        )
        # The readers new to a unit on a day: not yet among that month's borrowers on that day.
        fresh = (
            f"SELECT DISTINCT unit_id, reader_id, {day} AS d FROM {events} "
            f"WHERE {window} AND type = 'checkout' AND reader_id IS NOT NULL"
        )
        cursor.execute(
            f"INSERT INTO {days} (unit_id, type, day, events, readers) "
            f"SELECT f.unit_id, 'checkout', f.d, 0, COUNT(*) FROM ({fresh}) f "
            f"LEFT JOIN {borrowers} b ON b.unit_id = f.unit_id AND b.reader_id = f.reader_id "
            f"AND b.month = {_month_sql('f.d')} "
            f"WHERE b.days IS NULL OR (b.days & {_day_bit_sql('f.d')}) = 0 "
            "GROUP BY f.unit_id, f.d "
            f"ON CONFLICT (unit_id, type, day) DO UPDATE SET readers = {days}.readers + excluded.readers",
            [after, upto],
        )
        # Distinct powers of two add up to their bitwise OR.
        cursor.execute(
            f"INSERT INTO {borrowers} (unit_id, month, reader_id, days) "
            f"SELECT unit_id, {_month_sql('d')} AS m, reader_id, SUM(DISTINCT {_day_bit_sql('d')}) "
            f"FROM ({fresh}) f WHERE true GROUP BY unit_id, m, reader_id "
            f"ON CONFLICT (unit_id, month, reader_id) DO UPDATE SET days = {borrowers}.days | excluded.days",
            [after, upto],
        )
    return upto - after


# --- reads ---------------------------------------------------------------------------------------------


def per_unit_events(event_type: str, unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    circulation_summary_current()
    rows = _fetch(
        f"SELECT unit_id, SUM(events) FROM {CirculationDay._meta.db_table} "
        f"WHERE unit_id IN ({_ids_sql(unit_ids)}) AND type = %s AND day >= %s AND day <= %s GROUP BY unit_id",
        [event_type, period.start, period.end],
    )
    return {unit_id: int(n) for unit_id, n in rows if n}


def per_day(
    column: str, event_type: str, unit_ids: Sequence[int], period: Period
) -> dict[tuple[int, dt.date], int]:
    """{(unit id, day): events or readers} for one event type."""
    assert column in ("events", "readers")
    circulation_summary_current()
    rows = _fetch(
        f"SELECT unit_id, day, {column} FROM {CirculationDay._meta.db_table} "
        f"WHERE unit_id IN ({_ids_sql(unit_ids)}) AND type = %s AND day >= %s AND day <= %s AND {column} > 0",
        [event_type, period.start, period.end],
    )
    return {(unit_id, _as_day(day)): n for unit_id, day, n in rows}


def _month_mask(month: dt.date, period: Period) -> int:
    """The bits of the month's days that lie in the period."""
    following = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    first = max(period.start, month)
    last = min(period.end, following - dt.timedelta(days=1))
    return sum(1 << (d - 1) for d in range(first.day, last.day + 1)) if first <= last else 0


def over_borrowers(unit_ids: Sequence[int], period: Period) -> int:
    """Different readers who borrowed at any of the units on any day of the period."""
    circulation_summary_current()
    first, last = period.start.replace(day=1), period.end.replace(day=1)
    rows = _fetch(
        f"SELECT COUNT(DISTINCT reader_id) FROM {BorrowerMonth._meta.db_table} "
        f"WHERE unit_id IN ({_ids_sql(unit_ids)}) AND month >= %s AND month <= %s "
        "AND (days & CASE WHEN month = %s THEN %s WHEN month = %s THEN %s ELSE %s END) <> 0",
        [first, last, first, _month_mask(first, period), last, _month_mask(last, period), ALL_DAYS],
    )
    return rows[0][0] or 0
