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
import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence

from django.db import connection, transaction
from django.utils import timezone

from wenyun.catalog.stats_sources import item_table
from wenyun.circulation.stats_sources import event_table

from .memo import memo
from .models import BorrowerMonth, BorrowerYear, CirculationDay, CirculationMonth, SummaryMark, TitleMonth
from .periods import Period
from .sql import as_day, fetch, ids_sql, local_day_sql

MARK = "circulation"
ALL_DAYS = (1 << 31) - 1  # bits 0..30: the days 1..31 of a month


def _month_sql(day: str) -> str:
    if connection.vendor == "postgresql":
        return f"(date_trunc('month', ({day})::timestamp)::date)"
    return f"date({day}, 'start of month')"


def _day_bit_sql(day: str) -> str:
    if connection.vendor == "postgresql":
        return f"(1 << (EXTRACT(DAY FROM {day})::int - 1))"
    return f"(1 << (CAST(strftime('%%d', {day}) AS INTEGER) - 1))"


def _year_sql(day: str) -> str:
    if connection.vendor == "postgresql":
        return f"(EXTRACT(YEAR FROM {day})::int)"
    return f"CAST(substr({day}, 1, 4) AS INTEGER)"


def _last_event_id() -> int:
    return fetch(f"SELECT MAX(id) FROM {event_table()}", [])[0][0] or 0


def _mark_id() -> int:
    return SummaryMark.objects.filter(name=MARK).values_list("last_event_id", flat=True).first() or 0


def _tree(upto: int | None = None) -> str:
    """The network tree the roll-ups follow, as "<last unit id>:<digest of the paths of the units up to
    it>". A unit added later (a higher id) changes no rolled-up row; a unit moved changes its path."""
    from wenyun.network.models import Unit

    units = Unit.objects.order_by("pk")
    if upto is not None:
        units = units.filter(pk__lte=upto)
    rows = list(units.values_list("pk", "path"))
    paths = ";".join(f"{pk}:{path}" for pk, path in rows)
    last = rows[-1][0] if rows else 0
    digest = hashlib.sha256(paths.encode()).hexdigest()[:40]  # with the id, within the column's 64
    return f"{last if upto is None else upto}:{digest}"


def _tree_unchanged(recorded: str) -> bool:
    """Whether every unit the recorded tree knew is where it was (units added since do not count)."""
    last, _sep, _digest = recorded.partition(":")
    return bool(recorded) and last.isdigit() and _tree(int(last)) == recorded


def circulation_summary_current() -> None:
    """Add the events written since the summary was last brought up to date, and roll the titles up
    again if the network tree changed (three small look-ups when neither happened; once for a whole
    page of figures, which are then all as of the same event)."""
    memo(("summary current",), _bring_up_to_date)


def _bring_up_to_date() -> bool:
    mark = SummaryMark.objects.filter(name=MARK).values_list("last_event_id", "tree").first()
    if mark is None or _last_event_id() > mark[0] or not _tree_unchanged(mark[1]):
        circulation_summary_catch_up(chunk=1_000_000)
    return True


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
                    cursor.execute(f"LOCK TABLE {event_table()} IN SHARE MODE")
            if not _tree_unchanged(mark.tree):
                _roll_up_again()
            # The events added now roll up by the tree as it is now, units added since included.
            mark.tree = _tree()
            mark.save(update_fields=["tree"])
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
        SummaryMark.objects.select_for_update().filter(name=MARK).update(
            last_event_id=0, updated_at=None, tree=""
        )
        CirculationDay.objects.all().delete()
        CirculationMonth.objects.all().delete()
        BorrowerMonth.objects.all().delete()
        TitleMonth.objects.all().delete()
        BorrowerYear.objects.all().delete()
    return circulation_summary_catch_up(chunk=chunk, progress=progress)


def _add_events(*, after: int, upto: int) -> int:
    """Add the events with after < id <= upto into both tables (in the caller's transaction); returns the
    number of event ids read."""
    events, days, borrowers = event_table(), CirculationDay._meta.db_table, BorrowerMonth._meta.db_table
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
        # The same two sums by month, the readers new to a day counted before the month's days are updated.
        months = CirculationMonth._meta.db_table
        cursor.execute(
            f"INSERT INTO {months} (unit_id, type, month, events, readers) "
            f"SELECT unit_id, type, {_month_sql(day)} AS m, COUNT(*), 0 FROM {events} WHERE {window} "
            "GROUP BY unit_id, type, m "
            f"ON CONFLICT (unit_id, type, month) DO UPDATE SET events = {months}.events + excluded.events",
            [after, upto],
        )
        cursor.execute(
            f"INSERT INTO {months} (unit_id, type, month, events, readers) "
            f"SELECT f.unit_id, 'checkout', {_month_sql('f.d')} AS m, 0, COUNT(*) FROM ({fresh}) f "
            f"LEFT JOIN {borrowers} b ON b.unit_id = f.unit_id AND b.reader_id = f.reader_id "
            f"AND b.month = {_month_sql('f.d')} "
            f"WHERE b.days IS NULL OR (b.days & {_day_bit_sql('f.d')}) = 0 "
            "GROUP BY f.unit_id, m "
            f"ON CONFLICT (unit_id, type, month) DO UPDATE SET readers = {months}.readers + excluded.readers",
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
        cursor.execute(
            f"INSERT INTO {BorrowerYear._meta.db_table} (unit_id, year, reader_id) "
            f"SELECT DISTINCT a.id, {_year_sql('g.d')}, g.reader_id FROM ({fresh}) g {_ancestors_join()} "
            "WHERE true ON CONFLICT (unit_id, year, reader_id) DO NOTHING",
            [after, upto],
        )
        # Titles: the copy's record as it is when the checkout is added in (the catalogue does not move
        # copies between records); at the unit itself, then rolled up to it and the units above it.
        titles = TitleMonth._meta.db_table
        grouped = (
            f"SELECT e.unit_id, {_month_sql(local_day_sql('e.at'))} AS m, i.record_id, COUNT(*) AS n "
            f"FROM {events} e JOIN {item_table()} i ON i.id = e.item_id "
            "WHERE e.id > %s AND e.id <= %s AND e.type = 'checkout' GROUP BY e.unit_id, m, i.record_id"
        )
        upsert = (
            "ON CONFLICT (unit_id, own, month, record_id) "
            f"DO UPDATE SET loans = {titles}.loans + excluded.loans"
        )
        cursor.execute(
            f"INSERT INTO {titles} (unit_id, own, month, record_id, loans) "
            f"SELECT unit_id, true, m, record_id, n FROM ({grouped}) g WHERE true {upsert}",
            [after, upto],
        )
        cursor.execute(
            f"INSERT INTO {titles} (unit_id, own, month, record_id, loans) "
            f"SELECT a.id, false, g.m, g.record_id, SUM(g.n) FROM ({grouped}) g {_ancestors_join()} "
            f"WHERE true GROUP BY a.id, g.m, g.record_id {upsert}",
            [after, upto],
        )
    return upto - after


def _unit_table() -> str:
    from wenyun.network.models import Unit

    return Unit._meta.db_table


def _ancestors_join() -> str:
    """Each row's unit `g.unit_id` joined to itself and every unit above it (`a`), by their paths."""
    units = _unit_table()
    return f"JOIN {units} u ON u.id = g.unit_id JOIN {units} a ON substr(u.path, 1, length(a.path)) = a.path"


def _roll_up_again() -> None:
    """The network tree changed: derive the rolled-up rows again from the units' own rows."""
    titles, years = TitleMonth._meta.db_table, BorrowerYear._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {years}")
        cursor.execute(
            f"INSERT INTO {years} (unit_id, year, reader_id) "
            f"SELECT DISTINCT a.id, {_year_sql('g.month')}, g.reader_id "
            f"FROM {BorrowerMonth._meta.db_table} g {_ancestors_join()}"
        )
        cursor.execute(f"DELETE FROM {titles} WHERE own = false")
        cursor.execute(
            f"INSERT INTO {titles} (unit_id, own, month, record_id, loans) "
            f"SELECT a.id, false, g.month, g.record_id, SUM(g.loans) FROM {titles} g {_ancestors_join()} "
            "WHERE g.own = true GROUP BY a.id, g.month, g.record_id"
        )


# --- reads ---------------------------------------------------------------------------------------------


def _whole_months(period: Period) -> tuple[Period | None, list[Period]]:
    """The period as its whole months (one span of them, or None) and the runs of days outside them."""
    first = period.start if period.start.day == 1 else _month_last(period.start) + dt.timedelta(days=1)
    last = (
        period.end
        if period.end == _month_last(period.end)
        else period.end.replace(day=1) - dt.timedelta(days=1)
    )
    if first > last:
        return None, [period]
    days = []
    if period.start < first:
        days.append(Period(period.start, first - dt.timedelta(days=1)))
    if last < period.end:
        days.append(Period(last + dt.timedelta(days=1), period.end))
    return Period(first, last), days


def _per_unit_sum(column: str, event_type: str, unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """{unit id: events or readers} of one type in the period: whole months from the monthly sums, the
    other days from the daily ones."""
    assert column in ("events", "readers")
    months, days = _whole_months(period)
    ids = ids_sql(unit_ids)
    totals: dict[int, int] = defaultdict(int)
    parts = [(CirculationDay._meta.db_table, "day", part) for part in days]
    if months is not None:
        parts.append(
            (CirculationMonth._meta.db_table, "month", Period(months.start, months.end.replace(day=1)))
        )
    for table, when, part in parts:
        for unit_id, n in fetch(
            f"SELECT unit_id, SUM({column}) FROM {table} WHERE unit_id IN ({ids}) AND type = %s "
            f"AND {when} >= %s AND {when} <= %s GROUP BY unit_id",
            [event_type, part.start, part.end],
        ):
            totals[unit_id] += int(n)
    return {unit_id: n for unit_id, n in totals.items() if n}


def per_unit_events(event_type: str, unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    circulation_summary_current()
    return _per_unit_sum("events", event_type, unit_ids, period)


def per_day(
    column: str, event_type: str, unit_ids: Sequence[int], period: Period
) -> dict[tuple[int, dt.date], int]:
    """{(unit id, day): events or readers} for one event type."""
    assert column in ("events", "readers")
    circulation_summary_current()
    rows = fetch(
        f"SELECT unit_id, day, {column} FROM {CirculationDay._meta.db_table} "
        f"WHERE unit_id IN ({ids_sql(unit_ids)}) AND type = %s AND day >= %s AND day <= %s AND {column} > 0",
        [event_type, period.start, period.end],
    )
    return {(unit_id, as_day(day)): n for unit_id, day, n in rows}


def per_day_total(event_type: str, unit_ids: Sequence[int], period: Period) -> dict[dt.date, int]:
    """{day: events} of one type, added up over the units."""
    circulation_summary_current()
    rows = fetch(
        f"SELECT day, SUM(events) FROM {CirculationDay._meta.db_table} "
        f"WHERE unit_id IN ({ids_sql(unit_ids)}) AND type = %s AND day >= %s AND day <= %s GROUP BY day",
        [event_type, period.start, period.end],
    )
    return {as_day(day): int(n) for day, n in rows if n}


def per_month_total(event_type: str, unit_ids: Sequence[int], period: Period) -> dict[dt.date, int]:
    """{first day of a month: events} of one type in the period, added up over the units: whole months
    from the monthly sums, the days of the months the period cuts from the daily ones."""
    circulation_summary_current()
    months, days = _whole_months(period)
    ids = ids_sql(unit_ids)
    totals: dict[dt.date, int] = defaultdict(int)
    if months is not None:
        for month, n in fetch(
            f"SELECT CAST(month AS TEXT), SUM(events) FROM {CirculationMonth._meta.db_table} "
            f"WHERE unit_id IN ({ids}) AND type = %s AND month >= %s AND month <= %s GROUP BY month",
            [event_type, months.start, months.end.replace(day=1)],
        ):
            totals[as_day(month)] += int(n)
    for part in days:
        for month, n in fetch(
            f"SELECT CAST({_month_sql('day')} AS TEXT) AS m, SUM(events) FROM {CirculationDay._meta.db_table} "
            f"WHERE unit_id IN ({ids}) AND type = %s AND day >= %s AND day <= %s GROUP BY m",
            [event_type, part.start, part.end],
        ):
            totals[as_day(month)] += int(n)
    return {month: n for month, n in totals.items() if n}


def readers(unit_ids: Sequence[int], period: Period, *, by: str) -> dict[int | dt.date, int]:
    """The readers who borrowed at each unit on each day, added up by unit or by day."""
    assert by in ("unit", "day")
    circulation_summary_current()
    if by == "unit":
        by_unit: dict[int | dt.date, int] = {}
        by_unit.update(_per_unit_sum("readers", "checkout", unit_ids, period).items())
        return by_unit
    rows = fetch(
        f"SELECT day, SUM(readers) FROM {CirculationDay._meta.db_table} WHERE unit_id IN ({ids_sql(unit_ids)}) "
        "AND type = 'checkout' AND day >= %s AND day <= %s GROUP BY day",
        [period.start, period.end],
    )
    return {as_day(day): int(n) for day, n in rows if n}


def door_counted_days(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, dt.date], tuple[int, int]]:
    """{(unit id, day): (door count, readers who borrowed)} for the units' days that have a door count
    (it stands for those days in the total of visits, in place of the readers)."""
    from .models import DoorCount

    circulation_summary_current()
    # The day as text: Django's date converter would cost more than the rest of the read.
    rows = fetch(
        f"SELECT d.unit_id, CAST(d.day AS TEXT), d.visits, COALESCE(c.readers, 0) FROM {DoorCount._meta.db_table} d "
        f"LEFT JOIN {CirculationDay._meta.db_table} c ON c.unit_id = d.unit_id AND c.day = d.day AND c.type = 'checkout' "
        f"WHERE d.unit_id IN ({ids_sql(unit_ids)}) AND d.day >= %s AND d.day <= %s",
        [period.start, period.end],
    )
    return {(unit_id, as_day(day)): (visits, borrowers) for unit_id, day, visits, borrowers in rows}


def _month_mask(month: dt.date, period: Period) -> int:
    """The bits of the month's days that lie in the period."""
    following = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    first = max(period.start, month)
    last = min(period.end, following - dt.timedelta(days=1))
    return sum(1 << (d - 1) for d in range(first.day, last.day + 1)) if first <= last else 0


def _month_last(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1) - dt.timedelta(days=1)


def top_titles(*, unit_id: int, unit_ids: Sequence[int], period: Period, limit: int) -> list[tuple[int, int]]:
    """The titles borrowed most at a unit and the units under it (`unit_ids`, the unit's subtree) in the
    period: [(record id, loans)], most first, ties by record id.

    Whole months come from the rolled-up title rows. A month the period cuts is read from them too when
    no checkout fell on its days outside the period (the current month, up to today); otherwise its days
    in the period are counted from the event log."""
    circulation_summary_current()
    first, last = period.start.replace(day=1), period.end.replace(day=1)
    cut = []
    for month in sorted({first, last}):
        inside = Period(max(month, period.start), min(_month_last(month), period.end))
        if inside.start == month and inside.end == _month_last(month):
            continue
        outside = fetch(
            f"SELECT 1 FROM {CirculationDay._meta.db_table} WHERE unit_id IN ({ids_sql(unit_ids)}) "
            "AND type = 'checkout' AND day >= %s AND day <= %s AND (day < %s OR day > %s) AND events > 0 "
            "LIMIT 1",
            [month, _month_last(month), inside.start, inside.end],
        )
        if outside:
            cut.append((month, inside))
    titles = TitleMonth._meta.db_table
    if not cut:
        return [
            (record_id, int(n))
            for record_id, n in fetch(
                f"SELECT record_id, SUM(loans) AS n FROM {titles} WHERE unit_id = %s AND own = false "
                "AND month >= %s AND month <= %s GROUP BY record_id ORDER BY n DESC, record_id LIMIT %s",
                [unit_id, first, last, limit],
            )
        ]
    counts: dict[int, int] = defaultdict(int)
    whole = [m for m, _inside in cut]
    for record_id, month, n in fetch(
        f"SELECT record_id, month, loans FROM {titles} WHERE unit_id = %s AND own = false "
        "AND month >= %s AND month <= %s",
        [unit_id, first, last],
    ):
        if as_day(month) not in whole:
            counts[record_id] += n
    for _month, inside in cut:
        for record_id, n in fetch(
            f"SELECT i.record_id, COUNT(*) FROM {event_table()} e JOIN {item_table()} i ON i.id = e.item_id "
            f"WHERE e.unit_id IN ({ids_sql(unit_ids)}) AND e.type = 'checkout' AND e.at >= %s AND e.at < %s "
            "GROUP BY i.record_id",
            [inside.first_moment, inside.after_moment],
        ):
            counts[record_id] += n
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]


def _subtree_root(unit_ids: Sequence[int]) -> int | None:
    """The unit whose subtree the ids are, exactly; None if they are not one unit's subtree."""
    from wenyun.network.models import Unit

    wanted = set(unit_ids)
    paths = list(Unit.objects.filter(pk__in=wanted).values_list("pk", "path"))
    if not paths or len(paths) != len(wanted):
        return None
    root, root_path = min(paths, key=lambda row: len(row[1]))
    if Unit.objects.filter(path__startswith=root_path).count() != len(wanted):
        return None
    return root if all(path.startswith(root_path) for _pk, path in paths) else None


def over_borrowers(unit_ids: Sequence[int], period: Period) -> int:
    """Different readers who borrowed at any of the units on any day of the period: for a calendar year
    and a unit with everything under it, its rolled-up rows for the year; else from the months' days."""
    circulation_summary_current()
    if period == Period.year(period.start.year):
        root = _subtree_root(unit_ids)
        if root is not None:
            return fetch(
                f"SELECT COUNT(*) FROM {BorrowerYear._meta.db_table} WHERE unit_id = %s AND year = %s",
                [root, period.start.year],
            )[0][0]
    first, last = period.start.replace(day=1), period.end.replace(day=1)
    rows = fetch(
        f"SELECT COUNT(DISTINCT reader_id) FROM {BorrowerMonth._meta.db_table} "
        f"WHERE unit_id IN ({ids_sql(unit_ids)}) AND month >= %s AND month <= %s "
        "AND (days & CASE WHEN month = %s THEN %s WHEN month = %s THEN %s ELSE %s END) <> 0",
        [first, last, first, _month_mask(first, period), last, _month_mask(last, period), ALL_DAYS],
    )
    return rows[0][0] or 0
