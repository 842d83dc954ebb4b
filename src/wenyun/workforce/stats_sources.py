"""The workforce's figures for the statistics (`stats.metrics` registers them): people holding an
appointment at each unit, in the shapes of `stats.selectors` (per_unit_* -> {unit id: value}).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q

from wenyun.stats.periods import Period

from .models import Appointment


def per_unit_staff(*, senior_title: bool = False):
    """People holding an appointment at each unit on the period's last day (with senior_title: those
    with a professional title whose name says senior: 高级, 副高, 正高, 研究馆员)."""

    def compute(unit_ids: Sequence[int], period: Period) -> dict[int, int]:
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
