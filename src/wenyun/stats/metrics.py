"""The metric registry: one named, documented metric per figure the county reports.

A metric is a function of (unit, include_sub_units, period) computed from the event logs and
registers with SQL aggregates (see `stats.selectors`). Each says how it aggregates:

- over sub-units: ``sum`` (the unit's figure plus its sub-units'), ``own`` (the unit's own figure
  whatever is asked: the service population already covers the subtree) or ``distinct`` (counted
  once over the units taken together: a reader who borrowed at two villages is one borrower);
- over time: ``sum`` (events in the period), ``end`` (the state at the period's end) or ``ratio``
  (one metric over another, each for the same unit and period).

The stable interface for other apps (the ledger evaluates indicator formulas over it):
``metric_value(*, code, unit, include_sub_units, period_start, period_end)``,
``metric_values(*, code, units, include_sub_units, period_start, period_end)`` (bulk) and
``metric_catalogue()`` (codes with names and definitions).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.db.models import Q
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wenyun.core.errors import NotFound
from wenyun.network.models import Unit, UnitKind

from . import selectors
from .models import ManualCode
from .periods import Period

Number = int | float | Decimal
PerUnit = Callable[[Sequence[int], Period], Mapping[int, Number]]
OverSet = Callable[[Sequence[int], Period], Number]


@dataclass(frozen=True)
class Metric:
    code: str
    name: str | Promise
    definition: str | Promise
    measure: str | Promise  # what one counts in: volumes, people, hours, yuan...
    source: str  # the app whose records it is computed from
    over_units: Literal["sum", "own", "distinct"]
    over_time: Literal["sum", "end", "ratio"]
    per_unit: PerUnit | None = None
    over_set: OverSet | None = None
    ratio: tuple[str, str] | None = None  # (numerator code, denominator code)
    decimals: int = 0
    group: str = "general"


REGISTRY: dict[str, Metric] = {}


def register(metric: Metric) -> Metric:
    if metric.code in REGISTRY:
        raise ValueError(f"metric {metric.code} is registered twice")
    REGISTRY[metric.code] = metric
    return metric


def metric_get(code: str) -> Metric:
    try:
        return REGISTRY[code]
    except KeyError:
        raise NotFound(
            _("There is no metric with the code %(code)s.") % {"code": code}, code="metric_not_found"
        ) from None


def _round(metric: Metric, value: Number | None) -> Number | None:
    """Counts come out as int; figures with decimals (money, area, hours, ratios) as Decimal."""
    if value is None:
        return None
    if metric.decimals == 0:
        return int(value) if value == int(value) else Decimal(str(value)).quantize(Decimal("0.01"))
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-metric.decimals), rounding=ROUND_HALF_UP)


def _subtree_ids(unit: Unit) -> list[int]:
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))


def _divide(numerator: Number | None, denominator: Number | None, decimals: int) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(float(numerator) / float(denominator), decimals)


def _compute(metric: Metric, unit: Unit, include_sub_units: bool, period: Period) -> Number | None:
    if metric.ratio is not None:
        top, bottom = (REGISTRY[code] for code in metric.ratio)
        return _divide(
            _compute(top, unit, include_sub_units, period),
            _compute(bottom, unit, include_sub_units, period),
            metric.decimals,
        )
    ids = [unit.pk] if metric.over_units == "own" or not include_sub_units else _subtree_ids(unit)
    if metric.over_set is not None:
        return metric.over_set(ids, period)
    assert metric.per_unit is not None
    values = metric.per_unit(ids, period)
    if metric.over_units == "own":
        return values.get(unit.pk, 0)
    return sum(values.values(), start=0)


def metric_value(
    *, code: str, unit: Unit, include_sub_units: bool, period_start: dt.date, period_end: dt.date
) -> Number | None:
    """One metric for one unit (with or without its sub-units) over [period_start, period_end].

    None where the figure has no meaning (a ratio over a zero denominator)."""
    metric = metric_get(code)
    return _round(metric, _compute(metric, unit, include_sub_units, Period(period_start, period_end)))


def metric_values(
    *,
    code: str,
    units: Iterable[Unit] | None = None,
    kind: str | None = None,
    include_sub_units: bool,
    period_start: dt.date,
    period_end: dt.date,
) -> dict[str, Number | None]:
    """One metric for many units at once, {unit code: value}: the given units, or every active unit of a
    kind. Additive metrics take one grouped query for all of them, rolled up over the tree."""
    metric = metric_get(code)
    period = Period(period_start, period_end)
    if units is None:
        if kind is None:
            raise ValueError("metric_values needs units or a kind")
        units = Unit.objects.filter(kind=kind, active=True).order_by("code")
    targets = list(units)
    return {
        unit.code: _round(metric, value)
        for unit, value in zip(targets, _bulk(metric, targets, include_sub_units, period), strict=True)
    }


def _bulk(
    metric: Metric, targets: list[Unit], include_sub_units: bool, period: Period
) -> list[Number | None]:
    if metric.ratio is not None:
        top, bottom = (REGISTRY[code] for code in metric.ratio)
        tops = _bulk(top, targets, include_sub_units, period)
        bottoms = _bulk(bottom, targets, include_sub_units, period)
        return [_divide(a, b, metric.decimals) for a, b in zip(tops, bottoms, strict=True)]
    if metric.over_set is not None:
        return [_compute(metric, unit, include_sub_units, period) for unit in targets]
    assert metric.per_unit is not None
    if metric.over_units == "own" or not include_sub_units:
        values = metric.per_unit([u.pk for u in targets], period)
        return [values.get(u.pk, 0) for u in targets]
    # Every unit under any target, in one query; then each target adds up its own subtree.
    if not targets:
        return []
    under_any = functools.reduce(operator.or_, (Q(path__startswith=u.path) for u in targets))
    paths = list(Unit.objects.filter(under_any).values_list("pk", "path"))
    values = metric.per_unit([pk for pk, _path in paths], period)
    result: list[Number | None] = []
    for unit in targets:
        result.append(sum((values.get(pk, 0) for pk, path in paths if path.startswith(unit.path)), start=0))
    return result


def metric_catalogue() -> list[dict]:
    """Every metric with its names in Chinese and English and its definition, for the ledger and the page."""
    rows = []
    for metric in REGISTRY.values():
        row: dict = {
            "code": metric.code,
            "source": metric.source,
            "over_units": metric.over_units,
            "over_time": metric.over_time,
            "ratio": list(metric.ratio) if metric.ratio else None,
            "decimals": metric.decimals,
            "group": metric.group,
        }
        for language, suffix in (("zh-hans", "zh"), ("en", "en")):
            with translation.override(language):
                row[f"name_{suffix}"] = str(metric.name)
                row[f"definition_{suffix}"] = str(metric.definition)
                row[f"measure_{suffix}"] = str(metric.measure)
        rows.append(row)
    return rows


# --- the network ------------------------------------------------------------------------------------

UNITS = _("units")
PEOPLE = _("people")
HOURS = _("hours")
VISITS = _("visits")
YUAN = _("yuan")

for kind, name in (
    (UnitKind.LIBRARY, _("Libraries")),
    (UnitKind.CULTURAL_CENTRE, _("Cultural centres")),
    (UnitKind.MUSEUM, _("Museums")),
    (UnitKind.STATION, _("Township cultural stations")),
    (UnitKind.VILLAGE, _("Village and community cultural centres")),
):
    register(
        Metric(
            code=f"units_{kind}",
            name=name,
            definition=_(
                "Active units of this kind in the network tree (the unit itself and, with sub-units, every unit "
                "under it). The network keeps the tree as it is now: the figure is today's for any period."
            ),
            measure=UNITS,
            source="network",
            over_units="sum",
            over_time="end",
            per_unit=selectors.per_unit_kind(kind),
            group="network",
        )
    )

register(
    Metric(
        code="population",
        name=_("Service population"),
        definition=_(
            "The resident population the unit serves, as recorded on the unit in the network: a township "
            "station's covers its villages and the county's the whole county, so the figure is the unit's own "
            "with or without sub-units. Per-resident figures divide by it."
        ),
        measure=PEOPLE,
        source="network",
        over_units="own",
        over_time="end",
        per_unit=selectors.per_unit_population,
        group="network",
    )
)
register(
    Metric(
        code="building_area",
        name=_("Building area"),
        definition=_(
            "Floor area in square metres recorded on each active unit in the network, added up over the unit and "
            "its sub-units."
        ),
        measure=_("m²"),
        source="network",
        over_units="sum",
        over_time="end",
        per_unit=selectors.per_unit_building_area,
        decimals=1,
        group="network",
    )
)
register(
    Metric(
        code="weekly_opening_hours",
        name=_("Weekly opening hours"),
        definition=_(
            "Hours a week the unit is open by its regular opening hours (the unit's own, not added up)."
        ),
        measure=HOURS,
        source="network",
        over_units="own",
        over_time="end",
        per_unit=selectors.per_unit_weekly_hours,
        decimals=1,
        group="network",
    )
)
register(
    Metric(
        code="opening_hours_delivered",
        name=_("Opening hours delivered"),
        definition=_(
            "Hours each unit was open in the period: its regular week, less the days it or a unit above it was "
            "closed (holidays, repairs), up to today; added up over the units."
        ),
        measure=HOURS,
        source="network",
        over_units="sum",
        over_time="sum",
        per_unit=selectors.per_unit_opening_hours_delivered,
        decimals=1,
        group="network",
    )
)

# --- figures entered by hand ------------------------------------------------------------------------

register(
    Metric(
        code="acquisition_spending",
        name=_("Spending on acquisitions"),
        definition=_(
            "Yuan spent on acquiring books, periodicals and other materials, entered per unit and year on the "
            "statistics page; the years lying wholly inside the period are added up."
        ),
        measure=YUAN,
        source="stats",
        over_units="sum",
        over_time="sum",
        per_unit=selectors.per_unit_manual_flow(ManualCode.ACQUISITION_SPENDING),
        decimals=2,
        group="manual",
    )
)
register(
    Metric(
        code="operating_budget",
        name=_("Operating budget"),
        definition=_(
            "Yuan of operating funds, entered per unit and year on the statistics page; the years lying wholly "
            "inside the period are added up."
        ),
        measure=YUAN,
        source="stats",
        over_units="sum",
        over_time="sum",
        per_unit=selectors.per_unit_manual_flow(ManualCode.OPERATING_BUDGET),
        decimals=2,
        group="manual",
    )
)
register(
    Metric(
        code="reading_seats",
        name=_("Reading seats"),
        definition=_(
            "Seats for readers, entered per unit and year on the statistics page: the latest year entered up to "
            "the period's end."
        ),
        measure=_("seats"),
        source="stats",
        over_units="sum",
        over_time="end",
        per_unit=selectors.per_unit_manual_stock(ManualCode.READING_SEATS),
        group="manual",
    )
)
register(
    Metric(
        code="terminals",
        name=_("Computer terminals"),
        definition=_(
            "Computers for public use, entered per unit and year on the statistics page: the latest year entered "
            "up to the period's end."
        ),
        measure=_("terminals"),
        source="stats",
        over_units="sum",
        over_time="end",
        per_unit=selectors.per_unit_manual_stock(ManualCode.TERMINALS),
        group="manual",
    )
)
register(
    Metric(
        code="visits_door",
        name=_("Visits counted at the door"),
        definition=_(
            "People counted coming in by a door counter or a hand tally, entered or imported per unit and day "
            "on the statistics page, added up over the days of the period."
        ),
        measure=VISITS,
        source="stats",
        over_units="sum",
        over_time="sum",
        per_unit=selectors.per_unit_door_visits,
        group="visits",
    )
)
