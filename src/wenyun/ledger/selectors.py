"""Reads of the ledger: standards, snapshot history judged against today's thresholds, evidence,
inspections and overdue tasks, survey results."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from wenyun.network.models import Unit

from .formulas import compare
from .models import (
    Evidence,
    Indicator,
    Inspection,
    PerformanceEvaluation,
    RectificationTask,
    Snapshot,
    SnapshotValue,
    Standard,
    Survey,
    SurveyAnswer,
)
from .rules import OVERDUE_STATES

SATISFIED_FROM = Decimal(4)  # an answer whose average score is 4 ("satisfied") or 5 counts as satisfied


def standards_list() -> QuerySet[Standard]:
    return Standard.objects.order_by("code")


def indicators_of(*, standard: Standard) -> QuerySet[Indicator]:
    return standard.indicators.filter(retired=False).order_by("position", "code")


@dataclass
class HistoryPoint:
    snapshot: Snapshot
    values: dict[int, Decimal | None]  # unit id -> stored value
    met: dict[int, bool | None]  # unit id -> judged against the threshold in force now

    @property
    def met_count(self) -> int:
        return sum(1 for v in self.met.values() if v)

    @property
    def headline(self) -> Decimal | None:
        if len(self.values) == 1:
            return next(iter(self.values.values()))
        return Decimal(self.met_count)


def indicator_history(
    *, indicator: Indicator, year: int | None = None, limit: int = 24
) -> list[HistoryPoint]:
    """Stored values of an indicator, oldest first, each judged against the indicator's current
    threshold: changing a threshold re-judges history without recomputing any value."""
    snapshots = Snapshot.objects.filter(standard_id=indicator.standard_id)
    if year is not None:
        snapshots = snapshots.filter(year=year)
    chosen = list(snapshots.order_by("-taken_at", "-pk")[:limit])
    by_snapshot: dict[int, dict[int, Decimal | None]] = defaultdict(dict)
    for snapshot_id, unit_id, value in SnapshotValue.objects.filter(
        indicator=indicator, snapshot__in=chosen
    ).values_list("snapshot_id", "unit_id", "value"):
        by_snapshot[snapshot_id][unit_id] = value
    points = []
    for snapshot in reversed(chosen):
        values = by_snapshot.get(snapshot.pk, {})
        points.append(
            HistoryPoint(
                snapshot=snapshot,
                values=values,
                met={u: compare(v, indicator.comparison, indicator.threshold) for u, v in values.items()},
            )
        )
    return points


def standard_history(
    *, standard: Standard, year: int | None = None, limit: int = 12
) -> dict[int, list[HistoryPoint]]:
    """{indicator id: history} for every indicator of a standard, with two queries."""
    snapshots = Snapshot.objects.filter(standard=standard)
    if year is not None:
        snapshots = snapshots.filter(year=year)
    chosen = list(snapshots.order_by("-taken_at", "-pk")[:limit])
    indicators = {i.pk: i for i in standard.indicators.all()}
    stored: dict[tuple[int, int], dict[int, Decimal | None]] = defaultdict(dict)
    for snapshot_id, indicator_id, unit_id, value in SnapshotValue.objects.filter(
        snapshot__in=chosen
    ).values_list("snapshot_id", "indicator_id", "unit_id", "value"):
        stored[(indicator_id, snapshot_id)][unit_id] = value
    history: dict[int, list[HistoryPoint]] = {}
    for indicator in indicators.values():
        points = []
        for snapshot in reversed(chosen):
            values = stored.get((indicator.pk, snapshot.pk))
            if values is None:
                continue
            points.append(
                HistoryPoint(
                    snapshot=snapshot,
                    values=values,
                    met={u: compare(v, indicator.comparison, indicator.threshold) for u, v in values.items()},
                )
            )
        history[indicator.pk] = points
    return history


def snapshots_of(*, standard: Standard) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(standard=standard).select_related("taken_by").order_by("-taken_at", "-pk")


def evidence_of(*, indicator: Indicator, within: QuerySet[Unit] | None = None) -> QuerySet[Evidence]:
    found = Evidence.objects.filter(indicator=indicator).select_related("unit", "uploaded_by")
    if within is not None:
        found = found.filter(unit__in=within)
    return found.order_by("-uploaded_at", "-pk")


def evidence_counts(*, standard: Standard, within: QuerySet[Unit] | None = None) -> dict[int, int]:
    found = Evidence.objects.filter(indicator__standard=standard)
    if within is not None:
        found = found.filter(unit__in=within)
    counts: dict[int, int] = defaultdict(int)
    for indicator_id in found.values_list("indicator_id", flat=True):
        counts[indicator_id] += 1
    return dict(counts)


def inspections_list(*, within: QuerySet[Unit] | None = None) -> QuerySet[Inspection]:
    found = Inspection.objects.select_related("unit", "standard")
    if within is not None:
        found = found.filter(unit__in=within)
    return found.order_by("-date", "-pk")


def tasks_list(*, within: QuerySet[Unit] | None = None, state: str = "") -> QuerySet[RectificationTask]:
    found = RectificationTask.objects.select_related("unit", "finding", "finding__inspection")
    if within is not None:
        found = found.filter(unit__in=within)
    if state:
        found = found.filter(state=state)
    return found.order_by("deadline", "pk")


def tasks_overdue(
    *, within: QuerySet[Unit] | None = None, today: dt.date | None = None
) -> QuerySet[RectificationTask]:
    """Tasks past their deadline that the unit has not yet submitted: the county's overdue list."""
    today = today or timezone.localdate()
    return tasks_list(within=within).filter(deadline__lt=today, state__in=list(OVERDUE_STATES))


def evaluations_list() -> QuerySet[PerformanceEvaluation]:
    return PerformanceEvaluation.objects.select_related("standard").order_by("-year", "scope")


def surveys_list(*, within: QuerySet[Unit] | None = None) -> QuerySet[Survey]:
    found = Survey.objects.select_related("unit")
    if within is not None:
        found = found.filter(unit__in=within)
    return found.order_by("-opens", "pk")


def _satisfied(scores: list[int]) -> bool:
    return bool(scores) and Decimal(sum(scores)) / len(scores) >= SATISFIED_FROM


def survey_results(*, survey: Survey) -> dict:
    """Answers, each question's average and spread of scores, and the share of satisfied respondents."""
    answers = list(SurveyAnswer.objects.filter(survey=survey).order_by("at", "pk"))
    questions = []
    for index, text in enumerate(survey.questions):
        scores = [a.scores[index] for a in answers if index < len(a.scores)]
        questions.append(
            {
                "text": text,
                "average": (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01")) if scores else None,
                "spread": [scores.count(score) for score in range(1, 6)],
            }
        )
    satisfied = sum(1 for a in answers if _satisfied(a.scores))
    return {
        "answers": len(answers),
        "satisfied": satisfied,
        "satisfied_share": (Decimal(100) * satisfied / len(answers)).quantize(Decimal("0.1"))
        if answers
        else None,
        "questions": questions,
        "comments": [a.comment for a in answers if a.comment],
    }


def satisfaction_share(
    *, unit: Unit, include_sub_units: bool, start: dt.date, end: dt.date
) -> Decimal | None:
    """Percentage of respondents satisfied over the surveys of a unit (and its sub-units) open in the period."""
    surveys = Survey.objects.filter(opens__lte=end, closes__gte=start)
    surveys = (
        surveys.filter(unit__path__startswith=unit.path) if include_sub_units else surveys.filter(unit=unit)
    )
    answers = list(SurveyAnswer.objects.filter(survey__in=surveys).values_list("scores", flat=True))
    if not answers:
        return None
    return Decimal(100) * sum(1 for scores in answers if _satisfied(scores)) / len(answers)
