"""The cultural services' figures for the statistics (`stats.metrics` registers them): activities,
sessions, attendance, menu orders, troupes, bookings, museum entries and digital use at each unit,
grouped by unit in one query for any period, in the shapes of `stats.selectors`
(per_unit_* -> {unit id: value}); and the visits the system sees here, by unit and day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Q, Sum

from wenyun.stats.memo import memo
from wenyun.stats.periods import Period
from wenyun.stats.sql import as_day, fetch, ids_sql, local_day_sql

from .models import (
    Activity,
    Attendance,
    Booking,
    DigitalUsage,
    MenuOrder,
    Session,
    Troupe,
    VisitSlot,
    VisitTicket,
)


def visits_by_unit_day(unit_ids: Sequence[int], period: Period) -> dict[tuple[int, dt.date], int]:
    """Activity check-ins (each one) and museum entries (each ticket) at each unit on each local day."""
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


def per_unit_activities(categories: Sequence[str] | None = None):
    """Published activities whose first session falls in the period, by the unit holding them."""

    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
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
    rows = (
        Troupe.objects.filter(unit_id__in=unit_ids, active=True)
        .filter(Q(founded_on__isnull=True) | Q(founded_on__lte=period.end))
        .values("unit_id")
        .annotate(n=Count("pk"))
    )
    return {row["unit_id"]: row["n"] for row in rows}


def per_unit_bookings(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
    """Approved room and venue bookings starting in the period, by the venue's unit."""
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
        rows = (
            DigitalUsage.objects.filter(unit_id__in=unit_ids, month__gte=period.start, month__lte=period.end)
            .values("unit_id")
            .annotate(n=Sum(field))
        )
        return {row["unit_id"]: row["n"] or 0 for row in rows}

    return compute
