"""The volunteers' figures for the statistics (`stats.metrics` registers them): hours confirmed on
shifts, by unit for any period and by day, in the shapes of `stats.selectors`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from wenyun.stats.periods import Period

from .models import Shift


def per_unit_volunteer_hours(unit_ids: Sequence[int], period: Period):
    """Hours confirmed on shifts of projects that started in the period, by the project's unit."""
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
    by_day: dict[dt.date, Decimal] = defaultdict(Decimal)
    for started, hours in Shift.objects.filter(
        status="confirmed",
        project__unit_id__in=unit_ids,
        project__starts_at__gte=period.first_moment,
        project__starts_at__lt=period.after_moment,
    ).values_list("project__starts_at", "hours"):
        by_day[timezone.localtime(started).date()] += hours or Decimal(0)
    return dict(by_day)
