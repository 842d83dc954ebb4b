"""Aggregates over the other apps' event logs and registers, grouped by unit.

Read directly from their tables (not through their selectors) because the statistics need any
period and one grouped query for many units; each function says which table it reads.
Same shapes as in `stats.selectors`: per_unit_* -> {unit id: value}, over_* -> one value.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.db.models import Count, Q, Sum

from wenyun.network.models import Unit

from . import summary
from .memo import memo, memo_span
from .periods import Period
from .sql import as_day, fetch, ids_sql, local_day_sql


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


# --- catalogue: wenyun.catalog Item ------------------------------------------------------------------

# Item types counted as books, periodicals and audio-visual items in the annual report, by their code.
ITEM_TYPE_GROUPS = {
    "books": ("book", "children", "reference"),
    "periodicals": ("periodical", "magazine", "newspaper"),
    "audiovisual": ("av", "cd", "dvd", "audio", "video"),
}
GONE = ("withdrawn", "lost")


def _held(period: Period) -> Q:
    """Items held at the period's end: acquired by then and not withdrawn or lost before it ended."""
    return (Q(acquired_on__isnull=True) | Q(acquired_on__lte=period.end)) & ~Q(
        status__in=GONE, status_changed_at__lt=period.after_moment
    )


def per_unit_holdings(group: str | None = None):
    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
        from wenyun.catalog.models import Item

        items = Item.objects.filter(_held(period), home_unit_id__in=unit_ids)
        if group is not None:
            items = items.filter(item_type__code__in=ITEM_TYPE_GROUPS[group])
        return dict(
            items.values_list("home_unit_id").annotate(n=Count("pk")).values_list("home_unit_id", "n")
        )

    return compute


def per_unit_new_acquisitions(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    from wenyun.catalog.models import Item

    rows = (
        Item.objects.filter(
            home_unit_id__in=unit_ids, acquired_on__gte=period.start, acquired_on__lte=period.end
        )
        .values("home_unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["home_unit_id"]: row["n"] for row in rows}


# --- circulation: wenyun.circulation CirculationEvent, Reader, Hold, Transit --------------------------


def _event_table() -> str:
    from wenyun.circulation.models import CirculationEvent

    return CirculationEvent._meta.db_table


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


def per_unit_valid_cards(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Reader cards registered at each unit by the period's end and not expired on that day."""
    from wenyun.circulation.models import Reader

    rows = (
        Reader.objects.filter(home_unit_id__in=unit_ids, registered_at__lt=period.after_moment)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=period.end))
        .values("home_unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["home_unit_id"]: row["n"] for row in rows}


def per_unit_new_readers(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    from wenyun.circulation.models import Reader

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
    from django.utils import timezone

    return min(period.after_moment, timezone.now())


def per_unit_holds_waiting(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Holds placed and not yet on the hold shelf (nor closed) at the period's end, by pickup unit."""
    from wenyun.circulation.models import Hold

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
    from wenyun.circulation.models import Transit

    moment = _moment(period)
    rows = (
        Transit.objects.filter(to_unit_id__in=unit_ids, created_at__lt=moment)
        .filter(Q(received_at__isnull=True) | Q(received_at__gte=moment))
        .filter(Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=moment))
        .values("to_unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["to_unit_id"]: row["n"] for row in rows}


def top_titles(*, unit: Unit, period: Period, limit: int = 10) -> list[tuple[str, int]]:
    """The titles borrowed most at the unit and the units under it in the period: (title, loans)."""
    from wenyun.catalog.models import Record

    ids = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    rows = summary.top_titles(unit_id=unit.pk, unit_ids=ids, period=period, limit=limit)
    titles = dict(Record.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "title"))
    return [(titles.get(record_id, ""), n) for record_id, n in rows]


# --- visits the system sees itself ---------------------------------------------------------------------


def _programs_visits_read(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, dt.date], int]:
    from wenyun.programs.models import Activity, Attendance, Session, VisitSlot, VisitTicket

    ids = ids_sql(unit_ids)
    bounds = [period.first_moment, period.after_moment]
    visits: dict[tuple[int, dt.date], int] = defaultdict(int)
    checked_in = local_day_sql("t.at")
    entered = local_day_sql("k.entered_at")
    for unit_id, on, n in fetch(
        f"SELECT a.unit_id, {checked_in} AS d, COUNT(*) FROM {Attendance._meta.db_table} t "
        f"JOIN {Session._meta.db_table} s ON s.id = t.session_id "
        f"JOIN {Activity._meta.db_table} a ON a.id = s.activity_id "
        f"WHERE a.unit_id IN ({ids}) AND t.at >= %s AND t.at < %s GROUP BY a.unit_id, d "
        "UNION ALL "
        f"SELECT v.unit_id, {entered} AS d, COUNT(*) FROM {VisitTicket._meta.db_table} k "
        f"JOIN {VisitSlot._meta.db_table} v ON v.id = k.slot_id "
        f"WHERE v.unit_id IN ({ids}) AND k.entered_at >= %s AND k.entered_at < %s GROUP BY v.unit_id, d",
        bounds + bounds,
    ):
        visits[(unit_id, as_day(on))] += n
    return dict(visits)


def _programs_visits_by_unit_day(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, dt.date], int]:
    """Activity check-ins (each one) and museum entries (each ticket) at each unit on each day."""
    return _daily("programs_visits", _programs_visits_read, unit_ids, period)


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


# --- cultural services: wenyun.programs Activity, Session, Attendance, MenuOrder, Booking... ---------


def per_unit_activities(categories: Sequence[str] | None = None):
    """Published activities whose first session falls in the period, by the unit holding them."""

    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
        from wenyun.programs.models import Activity

        activities = Activity.objects.filter(
            unit_id__in=unit_ids,
            status="published",
            starts_at__gte=period.first_moment,
            starts_at__lt=period.after_moment,
        )
        if categories is not None:
            activities = activities.filter(category__in=categories)
        return dict(activities.values_list("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))

    return compute


def per_unit_sessions(categories: Sequence[str] | None = None):
    """Sessions (meetings) held in the period of activities not cancelled, by the activity's unit."""

    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
        from wenyun.programs.models import Session

        sessions = Session.objects.filter(
            activity__unit_id__in=unit_ids,
            activity__status="published",
            starts_at__gte=period.first_moment,
            starts_at__lt=period.after_moment,
        )
        if categories is not None:
            sessions = sessions.filter(activity__category__in=categories)
        return dict(
            sessions.values_list("activity__unit_id")
            .annotate(n=Count("pk"))
            .values_list("activity__unit_id", "n")
        )

    return compute


def _attendance_by_unit_category(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, str], int]:
    """People at the sessions held in the period of published activities, by unit and category: walk-ins
    recorded plus registrants checked in. Kept for the page being built (see `memo`): the attendance of
    each category is a metric of its own, all read from this one pair of queries."""
    from wenyun.programs.models import Attendance, Session

    def compute() -> dict[tuple[int, str], int]:
        where = Q(
            activity__unit_id__in=unit_ids,
            activity__status="published",
            starts_at__gte=period.first_moment,
            starts_at__lt=period.after_moment,
        )
        totals: dict[tuple[int, str], int] = defaultdict(int)
        for unit_id, category, n in (
            Session.objects.filter(where)
            .values_list("activity__unit_id", "activity__category")
            .annotate(n=Sum("walk_ins"))
            .values_list("activity__unit_id", "activity__category", "n")
        ):
            totals[(unit_id, category)] += n or 0
        for unit_id, category, n in (
            Attendance.objects.filter(session__in=Session.objects.filter(where))
            .values_list("session__activity__unit_id", "session__activity__category")
            .annotate(n=Count("pk"))
            .values_list("session__activity__unit_id", "session__activity__category", "n")
        ):
            totals[(unit_id, category)] += n
        return dict(totals)

    return memo(("attendance", tuple(sorted(set(unit_ids))), period), compute)


def per_unit_attendance(categories: Sequence[str] | None = None):
    """People at the sessions held in the period: registrants checked in plus walk-ins recorded."""

    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
        totals: dict[int, int] = defaultdict(int)
        for (unit_id, category), n in _attendance_by_unit_category(unit_ids, period).items():
            if categories is None or category in categories:
                totals[unit_id] += n
        return dict(totals)

    return compute


def per_unit_menu_delivered(kind: str, *, audience: bool = False):
    """Services from the menu delivered in the period, by the village or station that ordered them
    (with audience: the attendance recorded on delivery)."""

    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
        from wenyun.programs.models import MenuOrder

        orders = MenuOrder.objects.filter(
            unit_id__in=unit_ids,
            item__kind=kind,
            status="delivered",
            scheduled_at__gte=period.first_moment,
            scheduled_at__lt=period.after_moment,
        ).values("unit_id")
        rows = orders.annotate(n=Sum("attendance") if audience else Count("pk"))
        return {row["unit_id"]: row["n"] or 0 for row in rows}

    return compute


def per_unit_troupes(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Active folk troupes registered with each unit, founded by the period's end."""
    from wenyun.programs.models import Troupe

    rows = (
        Troupe.objects.filter(unit_id__in=unit_ids, active=True)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=period.end))
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["unit_id"]: row["n"] for row in rows}


def per_unit_bookings(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Approved room and venue bookings starting in the period, by the venue's unit."""
    from wenyun.programs.models import Booking

    rows = (
        Booking.objects.filter(
            venue__unit_id__in=unit_ids,
            status="approved",
            starts_at__gte=period.first_moment,
            starts_at__lt=period.after_moment,
        )
        .values("venue__unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["venue__unit_id"]: row["n"] for row in rows}


def per_unit_museum_entries(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    from wenyun.programs.models import VisitTicket

    rows = (
        VisitTicket.objects.filter(
            slot__unit_id__in=unit_ids,
            entered_at__gte=period.first_moment,
            entered_at__lt=period.after_moment,
        )
        .values("slot__unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["slot__unit_id"]: row["n"] for row in rows}


def per_unit_digital(field: str):
    """Digital resource use (visits or downloads) reported for the months lying in the period."""

    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
        from wenyun.programs.models import DigitalUsage

        rows = (
            DigitalUsage.objects.filter(unit_id__in=unit_ids, month__gte=period.start, month__lte=period.end)
            .values("unit_id")
            .annotate(n=Sum(field))
        )
        return {row["unit_id"]: row["n"] or 0 for row in rows}

    return compute


# --- volunteers: wenyun.volunteers Shift --------------------------------------------------------------


def per_unit_volunteer_hours(unit_ids: Sequence[int], period: Period):
    """Hours confirmed on shifts of projects that started in the period, by the project's unit."""
    from wenyun.volunteers.models import Shift

    rows = (
        Shift.objects.filter(
            status="confirmed",
            project__unit_id__in=unit_ids,
            project__starts_at__gte=period.first_moment,
            project__starts_at__lt=period.after_moment,
        )
        .values("project__unit_id")
        .annotate(n=Sum("hours"))
    )
    return {row["project__unit_id"]: row["n"] for row in rows}


def volunteer_hours_by_day(unit_ids: Sequence[int], period: Period) -> dict[dt.date, Decimal]:
    """The same hours by the local day their project started, added up over the units (in Decimal, as the
    database adds them up for one period)."""
    from django.utils import timezone

    from wenyun.volunteers.models import Shift

    by_day: dict[dt.date, Decimal] = defaultdict(Decimal)
    for started, hours in Shift.objects.filter(
        status="confirmed",
        project__unit_id__in=unit_ids,
        project__starts_at__gte=period.first_moment,
        project__starts_at__lt=period.after_moment,
    ).values_list("project__starts_at", "hours"):
        by_day[timezone.localtime(started).date()] += hours or Decimal(0)
    return dict(by_day)


# --- workforce: wenyun.workforce Appointment, Qualification -------------------------------------------


def per_unit_staff(*, senior_title: bool = False):
    """People holding an appointment at each unit on the period's last day (with senior_title: those
    with a professional title whose name says senior: 高级, 副高, 正高, 研究馆员)."""

    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
        from wenyun.workforce.models import Appointment

        appointments = Appointment.objects.filter(unit_id__in=unit_ids, start_date__lte=period.end).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=period.end)
        )
        if senior_title:
            senior = Q()
            for word in SENIOR_TITLE_WORDS:
                senior |= Q(person__qualifications__kind="title", person__qualifications__name__contains=word)
            appointments = appointments.filter(senior)
        rows = appointments.values("unit_id").annotate(n=Count("person_id", distinct=True))
        return {row["unit_id"]: row["n"] for row in rows}

    return compute


SENIOR_TITLE_WORDS = ("高级", "副高", "正高", "研究馆员", "副研究馆员")
