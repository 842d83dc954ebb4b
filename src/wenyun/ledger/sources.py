"""Where an indicator's figures come from: the statistics layer's metrics first, then the few figures
the ledger reads straight from the network, the workforce register and its own surveys.

`figures(code=..., units=..., include_sub_units=..., start=..., end=...)` gives {unit code: value}
for many units at once, or raises NotComputable when no source knows the code yet: the ledger then
says "not computable yet" rather than inventing a value.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wenyun.network.models import Unit
from wenyun.stats import metrics as stats

Number = int | float | Decimal


class NotComputable(Exception):
    """No source offers this figure yet."""


@dataclass(frozen=True)
class LocalFigure:
    code: str
    name: str | Promise
    source: str
    compute: Callable[[Sequence[Unit], bool, dt.date, dt.date], dict[str, Number | None]]


def _subtree_ids(units: Sequence[Unit]) -> dict[str, list[int]]:
    if not units:
        return {}
    query = Q()
    for unit in units:
        query |= Q(path__startswith=unit.path)
    paths = list(Unit.objects.filter(query).values_list("pk", "path"))
    return {unit.code: [pk for pk, path in paths if path.startswith(unit.path)] for unit in units}


def _grade(units, include_sub_units, start, end):
    return {unit.code: unit.grade for unit in units}


def _staff_missing(units, include_sub_units, start, end):
    from wenyun.workforce.selectors import staffing_gaps

    missing: dict[int, int] = {}
    for staffing in staffing_gaps(on=end):
        missing[staffing.unit.pk] = sum(gap["missing"] for gap in staffing.gaps)
    if not include_sub_units:
        return {unit.code: missing.get(unit.pk, 0) for unit in units}
    trees = _subtree_ids(units)
    return {unit.code: sum(missing.get(pk, 0) for pk in trees[unit.code]) for unit in units}


def _staff_count(units, include_sub_units, start, end):
    from wenyun.workforce.selectors import appointments_active

    people: dict[int, set[int]] = defaultdict(set)
    for unit_id, person_id in appointments_active(on=end).values_list("unit_id", "person_id"):
        people[unit_id].add(person_id)
    if not include_sub_units:
        return {unit.code: len(people.get(unit.pk, ())) for unit in units}
    trees = _subtree_ids(units)
    return {
        unit.code: len(set().union(*(people.get(pk, set()) for pk in trees[unit.code]))) for unit in units
    }


def _subsidies_paid(units, include_sub_units, start, end):
    from wenyun.workforce.selectors import subsidy_totals_by_month

    result: dict[str, Number | None] = {}
    for unit in units:
        within = unit if include_sub_units else None
        total = Decimal(0)
        for year in range(start.year, end.year + 1):
            for month, amount in subsidy_totals_by_month(year=year, within=within).items():
                first = dt.date.fromisoformat(month + "-01")
                if start.replace(day=1) <= first <= end:
                    total += amount
        result[unit.code] = total
    return result


def _training_hours(units, include_sub_units, start, end):
    from wenyun.workforce.selectors import training_hours_by_person

    result: dict[str, Number | None] = {}
    for unit in units:
        hours = Decimal(0)
        for year in range(start.year, end.year + 1):
            hours += sum(training_hours_by_person(year=year, within=unit).values(), start=Decimal(0))
        result[unit.code] = hours
    return result


def _satisfaction(units, include_sub_units, start, end):
    from .selectors import satisfaction_share

    return {
        unit.code: satisfaction_share(unit=unit, include_sub_units=include_sub_units, start=start, end=end)
        for unit in units
    }


LOCAL: dict[str, LocalFigure] = {
    figure.code: figure
    for figure in (
        LocalFigure("grade", _("National grade (0 = not graded)"), "network", _grade),
        LocalFigure(
            "staff_missing", _("Posts missing against the staffing rule"), "workforce", _staff_missing
        ),
        LocalFigure("staff_count", _("People holding a post"), "workforce", _staff_count),
        LocalFigure(
            "subsidies_paid", _("Subsidies paid on approved rolls (yuan)"), "workforce", _subsidies_paid
        ),
        LocalFigure("training_hours", _("Training hours of staff"), "workforce", _training_hours),
        LocalFigure("satisfaction", _("Satisfied respondents (%)"), "ledger", _satisfaction),
    )
}


def figure_known(code: str) -> bool:
    return code in stats.REGISTRY or code in LOCAL


def figure_name(code: str) -> str:
    if code in stats.REGISTRY:
        return str(stats.REGISTRY[code].name)
    if code in LOCAL:
        return str(LOCAL[code].name)
    return code


def figure_source(code: str) -> str:
    """Where the figure is computed, as "stats.metrics:CODE" or "workforce:CODE"."""
    if code in stats.REGISTRY:
        return f"stats.metrics:{code}"
    if code in LOCAL:
        return f"{LOCAL[code].source}:{code}"
    return code


def figures(
    *, code: str, units: Sequence[Unit], include_sub_units: bool, start: dt.date, end: dt.date
) -> dict[str, Number | None]:
    if code in stats.REGISTRY:
        return stats.metric_values(
            code=code,
            units=list(units),
            include_sub_units=include_sub_units,
            period_start=start,
            period_end=end,
        )
    if code in LOCAL:
        return LOCAL[code].compute(list(units), include_sub_units, start, end)
    raise NotComputable(code)


def to_decimal(value: Number | None) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))
