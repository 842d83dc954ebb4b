"""Computing a standard's indicators now, for a year: each indicator's value per unit in its scope,
judged against its threshold, with the units that fail it named.

Figures come from `ledger.sources` (the statistics layer's metrics first). A formula whose figure
no source offers yet is "not computable yet": the result says which code is missing, never a value.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError
from wenyun.network.models import INSTITUTION_KINDS, Unit, UnitKind

from . import sources
from .formulas import compare, condition_gap, condition_met, gap
from .models import Evidence, FormulaKind, Indicator, Scope, Standard

FOUR_PLACES = Decimal("0.0001")


@dataclass
class UnitValue:
    unit: Unit
    value: Decimal | None
    met: bool | None
    gap: Decimal | None = None


@dataclass
class IndicatorResult:
    indicator: Indicator
    rows: list[UnitValue] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # figure codes no source offers yet
    members: dict[str, list[UnitValue]] = field(default_factory=dict)  # share: scope unit code -> members
    sources: list[str] = field(default_factory=list)

    @property
    def computable(self) -> bool:
        return not self.missing

    @property
    def met(self) -> bool | None:
        if not self.computable or not self.rows:
            return None
        if any(row.met is None for row in self.rows):
            return None
        return all(row.met for row in self.rows)

    @property
    def met_count(self) -> int:
        return sum(1 for row in self.rows if row.met)

    @property
    def failing(self) -> list[UnitValue]:
        """The units that fail: members failing a share's condition, else the scope units not met."""
        if self.indicator.formula_kind == FormulaKind.SHARE:
            return [m for members in self.members.values() for m in members if not m.met]
        return [row for row in self.rows if row.met is False]

    @property
    def headline(self) -> Decimal | None:
        """The one figure to show in a list: the value for a single scope unit, else units meeting it."""
        if len(self.rows) == 1:
            return self.rows[0].value
        return Decimal(self.met_count) if self.computable else None


def period_of(year: int, *, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    if year > today.year or year < 2000:
        raise DomainError(
            _("The ledger cannot be computed for %(year)s: choose a year from 2000 to %(this)s.")
            % {"year": year, "this": today.year},
            code="ledger_year_invalid",
        )
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)


def scope_units(scope: str) -> list[Unit]:
    units = Unit.objects.filter(active=True)
    if scope == Scope.COUNTY:
        units = units.filter(kind=UnitKind.COUNTY)
    elif scope == Scope.INSTITUTION:
        units = units.filter(kind__in=list(INSTITUTION_KINDS))
    else:
        units = units.filter(kind=scope)
    return list(units.order_by("code"))


def _kinds(of: str) -> list[str]:
    return list(INSTITUTION_KINDS) if of == "institution" else [of]


def _quantize(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def _divide(top: Decimal | None, bottom: Decimal | None, factor: Decimal) -> Decimal | None:
    if top is None or not bottom:
        return None
    return top * factor / bottom


class Evaluator:
    """Evaluates indicators for one period, asking each source for a figure once."""

    def __init__(self, *, start: dt.date, end: dt.date) -> None:
        self.start = start
        self.end = end
        self._cache: dict[tuple, dict[str, Decimal | None]] = {}

    def figures(self, code: str, units: list[Unit], sub_units: bool) -> dict[str, Decimal | None]:
        key = (code, tuple(u.pk for u in units), sub_units)
        if key not in self._cache:
            raw = sources.figures(
                code=code, units=units, include_sub_units=sub_units, start=self.start, end=self.end
            )
            self._cache[key] = {c: sources.to_decimal(v) for c, v in raw.items()}
        return self._cache[key]

    def indicator(self, indicator: Indicator, *, units: list[Unit] | None = None) -> IndicatorResult:
        units = scope_units(indicator.scope) if units is None else units
        result = IndicatorResult(indicator=indicator)
        formula = indicator.formula
        kind = indicator.formula_kind
        codes: list[str] = {
            FormulaKind.METRIC.value: [formula.get("metric", "")],
            FormulaKind.RATIO.value: [formula.get("numerator", ""), formula.get("denominator", "")],
            FormulaKind.SHARE.value: [formula.get("metric", "")],
        }.get(kind, [])
        result.missing = [code for code in codes if not sources.figure_known(code)]
        result.sources = [sources.figure_source(code) for code in codes] or ["ledger:evidence"]
        if result.missing:
            result.rows = [UnitValue(unit=u, value=None, met=None) for u in units]
            return result
        values: dict[str, Decimal | None]
        if kind == FormulaKind.METRIC:
            values = self.figures(formula["metric"], units, formula.get("sub_units", True))
        elif kind == FormulaKind.RATIO:
            top = self.figures(formula["numerator"], units, formula.get("sub_units", True))
            bottom = self.figures(formula["denominator"], units, formula.get("sub_units", True))
            factor = Decimal(formula.get("factor", "1"))
            values = {u.code: _divide(top.get(u.code), bottom.get(u.code), factor) for u in units}
        elif kind == FormulaKind.SHARE:
            values = self._share(result, formula, units)
        else:
            values = self._evidence_counts(indicator, units)
        for unit in units:
            value = _quantize(values.get(unit.code))
            result.rows.append(
                UnitValue(
                    unit=unit,
                    value=value,
                    met=compare(value, indicator.comparison, indicator.threshold),
                    gap=gap(value, indicator.comparison, indicator.threshold),
                )
            )
        return result

    def _share(self, result: IndicatorResult, formula: dict, units: list[Unit]) -> dict[str, Decimal | None]:
        members = list(
            Unit.objects.filter(active=True, kind__in=_kinds(formula["of"]))
            .select_related("parent")
            .order_by("code")
        )
        member_values = self.figures(formula["metric"], members, formula.get("sub_units", False))
        values: dict[str, Decimal | None] = {}
        for unit in units:
            inside = [m for m in members if m.path.startswith(unit.path)]
            rows = []
            for member in inside:
                value = _quantize(member_values.get(member.code))
                rows.append(
                    UnitValue(
                        unit=member,
                        value=value,
                        met=condition_met(value, formula),
                        gap=condition_gap(value, formula),
                    )
                )
            result.members[unit.code] = rows
            values[unit.code] = Decimal(100) * sum(1 for r in rows if r.met) / len(rows) if rows else None
        return values

    def _evidence_counts(self, indicator: Indicator, units: list[Unit]) -> dict[str, Decimal | None]:
        counts: dict[str, int] = defaultdict(int)
        rows = (
            Evidence.objects.filter(indicator=indicator)
            .values("unit__path")
            .annotate(n=Count("pk"))
            .values_list("unit__path", "n")
        )
        by_path = list(rows)
        for unit in units:
            counts[unit.code] = sum(n for path, n in by_path if path.startswith(unit.path))
        return {code: Decimal(n) for code, n in counts.items()}


def standard_evaluate(
    *,
    standard: Standard,
    year: int,
    indicators: Iterable[Indicator] | None = None,
    today: dt.date | None = None,
) -> list[IndicatorResult]:
    start, end = period_of(year, today=today)
    evaluator = Evaluator(start=start, end=end)
    chosen = indicators if indicators is not None else standard.indicators.filter(retired=False)
    return [evaluator.indicator(indicator) for indicator in chosen]


def indicator_evaluate(*, indicator: Indicator, year: int, today: dt.date | None = None) -> IndicatorResult:
    start, end = period_of(year, today=today)
    return Evaluator(start=start, end=end).indicator(indicator)
