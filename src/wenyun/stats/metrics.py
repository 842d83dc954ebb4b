"""The metric registry: one named, documented metric per figure the county reports.

A metric is a function of (unit, include_sub_units, period) computed from the event logs and
registers with SQL aggregates: the statistics' own (`stats.selectors`, `stats.sources`) and those each
app publishes over its own tables (`wenyun.<app>.stats_sources`), registered here. The circulation
figures read the event log's summary by day and month (`stats.summary`), brought up to the log's last
event first, so they are the figures the raw events give. Each says how it aggregates:

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

import contextlib
import contextvars
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
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenyun.acquisitions import stats_sources as acquisitions_figures
from wenyun.catalog import stats_sources as catalog_figures
from wenyun.circulation import stats_sources as circulation_figures
from wenyun.core.errors import NotFound
from wenyun.network.models import Unit, UnitKind
from wenyun.programs import stats_sources as programs_figures
from wenyun.volunteers import stats_sources as volunteers_figures
from wenyun.workforce import stats_sources as workforce_figures

from . import selectors, sources
from .memo import memo, memo_kept
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
    # {(unit id, day): value} for metrics that add up over days: series month by month in one query.
    per_day: Callable[[Sequence[int], Period], Mapping[tuple[int, dt.date], Number]] | None = None
    # {day: value} added up over the units, where the database can do the adding up (same figures).
    per_day_total: Callable[[Sequence[int], Period], Mapping[dt.date, Number]] | None = None
    # {first day of a month: value} added up over the units, for series month by month (same figures).
    per_month_total: Callable[[Sequence[int], Period], Mapping[dt.date, Number]] | None = None
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
    return memo(
        ("subtree", unit.path),
        lambda: list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True)),
    )


def _divide(numerator: Number | None, denominator: Number | None, decimals: int) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(float(numerator) / float(denominator), decimals)


# A page asks for the same figures for overlapping sets of units (tiles for the county, a ranking of its
# stations, of its villages): inside `metric_cache()` each metric and period is computed once per unit
# for the largest set asked, and smaller sets are read from it.
_cache: contextvars.ContextVar[dict | None] = contextvars.ContextVar("stats_metric_cache", default=None)


@contextlib.contextmanager
def metric_cache(*, scope: Unit | None = None, span: Period | None = None):
    """Within the block, compute each metric and period once for every unit under `scope` (the page's
    unit; the whole county without one) and answer smaller sets from it. `span`: the widest period the
    page reads, if known; figures read day by day are then read once for all of it."""
    token = _cache.set({"scope": scope})
    try:
        with memo_kept(span=span):
            yield
    finally:
        _cache.reset(token)


def _per_unit(metric: Metric, ids: Sequence[int], period: Period) -> Mapping[int, Number]:
    assert metric.per_unit is not None
    cache = _cache.get()
    if cache is None:
        return metric.per_unit(ids, period)
    key = (metric.code, period)
    wanted = set(ids)
    hit = cache.get(key)
    if hit is None or not wanted <= hit[0]:
        # Once for every unit: the next set asked for (a ranking, a form's rows) is then a subset.
        scope = cache["scope"]
        under = Unit.objects.filter(path__startswith=scope.path) if scope is not None else Unit.objects.all()
        everyone = set(under.values_list("pk", flat=True)) | wanted
        hit = (everyone, metric.per_unit(sorted(everyone), period))
        cache[key] = hit
    return {pk: v for pk, v in hit[1].items() if pk in wanted}


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
    values = _per_unit(metric, ids, period)
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
    if metric.over_units == "own" or not include_sub_units:
        values = _per_unit(metric, [u.pk for u in targets], period)
        return [values.get(u.pk, 0) for u in targets]
    # Every unit under any target, in one query; then each target adds up its own subtree.
    if not targets:
        return []
    under_any = functools.reduce(operator.or_, (Q(path__startswith=u.path) for u in targets))
    paths = list(Unit.objects.filter(under_any).values_list("pk", "path"))
    values = _per_unit(metric, [pk for pk, _path in paths], period)
    result: list[Number | None] = []
    for unit in targets:
        result.append(sum((values.get(pk, 0) for pk, path in paths if path.startswith(unit.path)), start=0))
    return result


def metric_series(
    *, code: str, unit: Unit, include_sub_units: bool, periods: Sequence[Period]
) -> list[Number | None]:
    """One metric over consecutive periods (months, say): with one query over the whole span where the
    metric adds up over days, else one computation per period."""
    metric = metric_get(code)
    if (metric.per_day is None and metric.per_day_total is None) or not periods:
        return [_round(metric, _compute(metric, unit, include_sub_units, period)) for period in periods]
    ids = _subtree_ids(unit) if include_sub_units else [unit.pk]
    span = Period(periods[0].start, periods[-1].end)
    if metric.per_month_total is not None and _one_month_each(periods):
        by_month = metric.per_month_total(ids, span)
        return [_round(metric, by_month.get(period.start.replace(day=1), 0)) for period in periods]
    if metric.per_day_total is not None:
        by_day: Iterable[tuple[dt.date, Number]] = metric.per_day_total(ids, span).items()
    else:
        assert metric.per_day is not None
        by_day = ((day, n) for (_unit_id, day), n in metric.per_day(ids, span).items())
    totals: list[Decimal] = [Decimal(0) for _p in periods]
    for day, n in by_day:
        for index, period in enumerate(periods):
            if period.start <= day <= period.end:
                totals[index] += Decimal(str(n))
                break
    return [_round(metric, total) for total in totals]


def _one_month_each(periods: Sequence[Period]) -> bool:
    """Whether the periods follow one another day after day, each inside a month of its own (so that
    each is the part of its month that the whole span takes in)."""
    for index, period in enumerate(periods):
        if period.start.replace(day=1) != period.end.replace(day=1):
            return False
        if index and (
            periods[index - 1].end + dt.timedelta(days=1) != period.start
            or periods[index - 1].start.replace(day=1) == period.start.replace(day=1)
        ):
            return False
    return True


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

UNITS = pgettext_lazy("measure", "units")
PEOPLE = pgettext_lazy("measure", "people")
HOURS = pgettext_lazy("measure", "hours")
VISITS = pgettext_lazy("measure", "visits")
YUAN = pgettext_lazy("measure", "yuan")

for kind, name in (
    (UnitKind.LIBRARY, _("Libraries")),
    (UnitKind.CULTURAL_CENTRE, _("Cultural centres")),
    (UnitKind.MUSEUM, _("Museums")),
    (UnitKind.STATION, _("Number of township cultural stations")),
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
        measure=pgettext_lazy("measure", "m²"),
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

_spending_entered = selectors.per_unit_manual_flow(ManualCode.ACQUISITION_SPENDING)


def _acquisition_spending(unit_ids: Sequence[int], period: Period) -> dict[int, Number]:
    """What was invoiced on each unit's funds; a unit with no invoice in the period keeps the figure
    entered by hand (the years before its purchases were recorded here)."""
    return {
        **_spending_entered(unit_ids, period),
        **acquisitions_figures.per_unit_acquisition_spent(unit_ids, period),
    }


register(
    Metric(
        code="acquisition_spending",
        name=_("Spending on acquisitions"),
        definition=_(
            "Yuan invoiced in the period on the unit's acquisition funds; for a unit with no invoice in the "
            "period, the spending entered per year on the statistics page (the years lying wholly inside it)."
        ),
        measure=YUAN,
        source="acquisitions",
        over_units="sum",
        over_time="sum",
        per_unit=_acquisition_spending,
        decimals=2,
        group="collection",
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
        measure=pgettext_lazy("measure", "seats"),
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
        measure=pgettext_lazy("measure", "terminals"),
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
        per_day=selectors.door_visits_by_unit_day,
        group="visits",
    )
)

# --- the catalogue ----------------------------------------------------------------------------------

VOLUMES = pgettext_lazy("measure", "volumes")
TIMES = pgettext_lazy("measure", "times")

register(
    Metric(
        code="holdings",
        name=_("Total holdings"),
        definition=_(
            "Copies whose home is the unit, acquired by the period's end (or with no acquisition date) and not "
            "withdrawn or lost before it ended; with sub-units, the copies of every unit under it (the county "
            "library, the stations' branches, the village reading rooms and rural bookstores)."
        ),
        measure=VOLUMES,
        source="catalog",
        over_units="sum",
        over_time="end",
        per_unit=catalog_figures.per_unit_holdings(),
        group="collection",
    )
)
for group, name in (
    ("books", _("Books held")),
    ("periodicals", _("Periodicals held")),
    ("audiovisual", _("Audio-visual items held")),
):
    register(
        Metric(
            code=f"holdings_{group}",
            name=name,
            definition=format_lazy(
                "{}{}",
                _("Holdings (as defined for total holdings) of the item types with these codes: "),
                ", ".join(catalog_figures.ITEM_TYPE_GROUPS[group]),
            ),
            measure=VOLUMES,
            source="catalog",
            over_units="sum",
            over_time="end",
            per_unit=catalog_figures.per_unit_holdings(group),
            group="collection",
        )
    )
register(
    Metric(
        code="new_acquisitions",
        name=_("New acquisitions"),
        definition=_("Copies whose home is the unit with an acquisition date in the period."),
        measure=VOLUMES,
        source="catalog",
        over_units="sum",
        over_time="sum",
        per_unit=catalog_figures.per_unit_new_acquisitions,
        group="collection",
    )
)

register(
    Metric(
        code="new_titles",
        name=_("New titles"),
        definition=_(
            "Different titles among the copies acquired in the period whose home is the unit; with sub-units a "
            "title bought for two of them is counted once."
        ),
        measure=pgettext_lazy("measure", "titles"),
        source="catalog",
        over_units="distinct",
        over_time="sum",
        over_set=catalog_figures.over_new_titles,
        group="collection",
    )
)
register(
    Metric(
        code="copies_distributed",
        name=_("Copies distributed by the hub"),
        definition=_(
            "Copies the hub sent to the unit and received there in the period: new copies bought and processed "
            "for it, and rotation sets arriving."
        ),
        measure=VOLUMES,
        source="circulation",
        over_units="sum",
        over_time="sum",
        per_unit=circulation_figures.per_unit_copies_distributed,
        group="collection",
    )
)
register(
    Metric(
        code="new_copies_distributed",
        name=_("New copies distributed by the hub"),
        definition=_(
            "Of the copies distributed to the unit in the period, those bought and processed for it."
        ),
        measure=VOLUMES,
        source="circulation",
        over_units="sum",
        over_time="sum",
        per_unit=circulation_figures.per_unit_new_copies_distributed,
        group="collection",
    )
)

# --- circulation ------------------------------------------------------------------------------------

register(
    Metric(
        code="loans",
        name=pgettext_lazy("statistics", "Loans"),
        definition=_(
            "Checkouts at the unit in the period, at the desk or a self-service kiosk, from the circulation "
            "event log (renewals are not counted again)."
        ),
        measure=pgettext_lazy("measure", "loans"),
        source="circulation",
        over_units="sum",
        over_time="sum",
        per_unit=sources.per_unit_events("checkout"),
        per_day=sources.per_day_events("checkout"),
        per_day_total=sources.events_by_day("checkout"),
        per_month_total=sources.events_by_month("checkout"),
        group="circulation",
    )
)
register(
    Metric(
        code="renewals",
        name=_("Renewals"),
        definition=_("Loans renewed at the unit in the period, from the circulation event log."),
        measure=TIMES,
        source="circulation",
        over_units="sum",
        over_time="sum",
        per_unit=sources.per_unit_events("renew"),
        group="circulation",
    )
)
register(
    Metric(
        code="returns",
        name=_("Returns"),
        definition=_("Copies checked in at the unit in the period, from the circulation event log."),
        measure=VOLUMES,
        source="circulation",
        over_units="sum",
        over_time="sum",
        per_unit=sources.per_unit_events("checkin"),
        group="circulation",
    )
)
register(
    Metric(
        code="borrowers",
        name=_("Borrowers"),
        definition=_(
            "Different readers who borrowed at the unit in the period; with sub-units a reader who borrowed at "
            "two of them is counted once. The annual report's total adds its rows up as the printed forms do."
        ),
        measure=PEOPLE,
        source="circulation",
        over_units="distinct",
        over_time="sum",
        over_set=sources.over_borrowers,
        group="circulation",
    )
)
register(
    Metric(
        code="valid_cards",
        name=_("Valid reader cards"),
        definition=_(
            "Reader cards registered at the unit by the period's end that had not expired on its last day."
        ),
        measure=pgettext_lazy("measure", "cards"),
        source="circulation",
        over_units="sum",
        over_time="end",
        per_unit=circulation_figures.per_unit_valid_cards,
        group="circulation",
    )
)
register(
    Metric(
        code="new_readers",
        name=_("New readers"),
        definition=_("Reader cards registered at the unit in the period."),
        measure=pgettext_lazy("measure", "cards"),
        source="circulation",
        over_units="sum",
        over_time="sum",
        per_unit=circulation_figures.per_unit_new_readers,
        group="circulation",
    )
)
register(
    Metric(
        code="holds_waiting",
        name=_("Holds waiting"),
        definition=_(
            "Holds for pickup at the unit placed and not yet on the hold shelf, collected, cancelled or expired "
            "at the period's end (now, for a period not over yet)."
        ),
        measure=pgettext_lazy("measure", "holds"),
        source="circulation",
        over_units="sum",
        over_time="end",
        per_unit=circulation_figures.per_unit_holds_waiting,
        group="circulation",
    )
)
register(
    Metric(
        code="transits_in_flight",
        name=_("Transits in flight"),
        definition=_(
            "Copies on their way to the unit at the period's end (now, for a period not over yet): sent off "
            "and neither received nor cancelled."
        ),
        measure=VOLUMES,
        source="circulation",
        over_units="sum",
        over_time="end",
        per_unit=circulation_figures.per_unit_transits_in_flight,
        group="circulation",
    )
)

# --- visits -----------------------------------------------------------------------------------------

register(
    Metric(
        code="visits_system",
        name=_("Visits seen by the system"),
        definition=_(
            "Visits the system records itself at the unit in the period: each reader who borrowed there on a "
            "day (once a day), each check-in at an activity and each museum ticket used at the door. Not "
            "de-duplicated between the three: a reader who borrowed and then attended a lecture counts twice."
        ),
        measure=VISITS,
        source="circulation, programs",
        over_units="sum",
        over_time="sum",
        per_unit=sources.per_unit_system_visits,
        per_day=sources.system_visits_by_unit_day,
        per_day_total=sources.system_visits_by_day,
        group="visits",
    )
)
register(
    Metric(
        code="visits_total",
        name=_("Total visits"),
        definition=_(
            "For each unit and day, the door count where one was entered for that day (the counter sees "
            "everyone who came in), otherwise the visits seen by the system; added up over the days of the "
            "period and the units."
        ),
        measure=VISITS,
        source="stats, circulation, programs",
        over_units="sum",
        over_time="sum",
        per_unit=sources.per_unit_total_visits,
        per_day=sources.total_visits_by_unit_day,
        per_day_total=sources.total_visits_by_day,
        group="visits",
    )
)

# --- cultural services ------------------------------------------------------------------------------

ACTIVITIES = pgettext_lazy("measure", "activities")
ARTS = ("performance", "competition", "film")

register(
    Metric(
        code="activities",
        name=_("Activities held"),
        definition=_(
            "Published activities of every category whose first session falls in the period, counted at the "
            "unit that holds them (a weekly class is one activity)."
        ),
        measure=ACTIVITIES,
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_activities(),
        group="programs",
    )
)
register(
    Metric(
        code="activity_attendance",
        name=_("Activity attendance"),
        definition=_(
            "People at the sessions held in the period of the unit's published activities: registrants checked "
            "in at the door plus the walk-ins recorded for each session."
        ),
        measure=PEOPLE,
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_attendance(),
        group="programs",
    )
)
for code, category, name in (
    ("lectures", "lecture", _("Lectures")),
    ("exhibitions", "exhibition", _("Exhibitions")),
    ("training_classes", "training", _("Training classes")),
):
    register(
        Metric(
            code=code,
            name=name,
            definition=format_lazy(
                "{} {}",
                _("Published activities of this category whose first session falls in the period:"),
                category,
            ),
            measure=ACTIVITIES,
            source="programs",
            over_units="sum",
            over_time="sum",
            per_unit=programs_figures.per_unit_activities([category]),
            group="programs",
        )
    )
register(
    Metric(
        code="training_sessions",
        name=_("Training sessions"),
        definition=_(
            "Sessions held in the period of the unit's published training classes (each meeting counts)."
        ),
        measure=pgettext_lazy("measure", "sessions"),
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_sessions(["training"]),
        group="programs",
    )
)
register(
    Metric(
        code="trainees",
        name=_("Trainees"),
        definition=_(
            "Attendance at the training sessions held in the period: registrants checked in plus walk-ins, "
            "counted at each session (人次)."
        ),
        measure=PEOPLE,
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_attendance(["training"]),
        group="programs",
    )
)
register(
    Metric(
        code="arts_activities",
        name=_("Arts activities"),
        definition=_(
            "Published performances, competitions and film showings whose first session falls in the period."
        ),
        measure=ACTIVITIES,
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_activities(ARTS),
        group="programs",
    )
)
register(
    Metric(
        code="arts_activity_attendance",
        name=_("Arts activity attendance"),
        definition=_(
            "Attendance at the sessions held in the period of performances, competitions and films."
        ),
        measure=PEOPLE,
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_attendance(ARTS),
        group="programs",
    )
)
for category, name in (
    ("lecture", _("Attendance at lectures")),
    ("training", _("Attendance at training classes")),
    ("exhibition", _("Attendance at exhibitions")),
    ("performance", _("Attendance at performances")),
    ("reading", _("Attendance at reading events")),
    ("film", _("Attendance at film showings")),
    ("competition", _("Attendance at competitions")),
    ("other", _("Attendance at other activities")),
):
    register(
        Metric(
            code=f"attendance_category_{category}",
            name=name,
            definition=format_lazy(
                "{} {}", _("Activity attendance (as defined above) at activities of the category"), category
            ),
            measure=PEOPLE,
            source="programs",
            over_units="sum",
            over_time="sum",
            per_unit=programs_figures.per_unit_attendance([category]),
            group="programs",
        )
    )
register(
    Metric(
        code="performances_sent",
        name=_("Performances sent to villages"),
        definition=_(
            "Performances ordered from the service menu (点单) and delivered in the period, counted at the "
            "village or station that ordered them."
        ),
        measure=pgettext_lazy("measure", "performances"),
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_menu_delivered("performance"),
        group="programs",
    )
)
register(
    Metric(
        code="performance_audience",
        name=_("Audience of performances sent to villages"),
        definition=_(
            "The attendance recorded on delivery of the performances sent to villages in the period."
        ),
        measure=PEOPLE,
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_menu_delivered("performance", audience=True),
        group="programs",
    )
)
register(
    Metric(
        code="troupes_guided",
        name=_("Troupes guided"),
        definition=_("Active folk troupes registered with the unit and founded by the period's end."),
        measure=pgettext_lazy("measure", "troupes"),
        source="programs",
        over_units="sum",
        over_time="end",
        per_unit=programs_figures.per_unit_troupes,
        group="programs",
    )
)
register(
    Metric(
        code="bookings",
        name=_("Room bookings"),
        definition=_("Approved bookings of the unit's rooms and venues that start in the period."),
        measure=pgettext_lazy("measure", "bookings"),
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_bookings,
        group="programs",
    )
)
register(
    Metric(
        code="museum_entries",
        name=_("Museum visitors with a timed ticket"),
        definition=_("Timed-entry tickets of the unit used at the door in the period."),
        measure=VISITS,
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_museum_entries,
        group="programs",
    )
)
register(
    Metric(
        code="digital_visits",
        name=_("Digital resource visits"),
        definition=_(
            "Visits to the digital resources reported for the unit for the months that start in the period."
        ),
        measure=VISITS,
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_digital("visits"),
        group="programs",
    )
)
register(
    Metric(
        code="digital_downloads",
        name=_("Digital resource downloads and plays"),
        definition=_(
            "Downloads or plays of the digital resources reported for the unit for the months that start in "
            "the period."
        ),
        measure=TIMES,
        source="programs",
        over_units="sum",
        over_time="sum",
        per_unit=programs_figures.per_unit_digital("downloads"),
        group="programs",
    )
)

# --- volunteers and staff ---------------------------------------------------------------------------

register(
    Metric(
        code="volunteer_hours",
        name=_("Volunteer hours"),
        definition=_(
            "Hours confirmed on volunteer shifts of the unit's projects that started in the period."
        ),
        measure=HOURS,
        source="volunteers",
        over_units="sum",
        over_time="sum",
        per_unit=volunteers_figures.per_unit_volunteer_hours,
        per_day_total=volunteers_figures.volunteer_hours_by_day,
        decimals=1,
        group="volunteers",
    )
)
register(
    Metric(
        code="staff",
        name=_("Staff members"),
        definition=_(
            "People holding an appointment at the unit on the period's last day, from the staff register."
        ),
        measure=PEOPLE,
        source="workforce",
        over_units="sum",
        over_time="end",
        per_unit=workforce_figures.per_unit_staff(),
        group="workforce",
    )
)
register(
    Metric(
        code="staff_senior_title",
        name=_("Staff with a senior professional title"),
        definition=_(
            "Staff (as above) with a professional title recorded whose name marks it senior (高级, 副高, 正高, "
            "研究馆员)."
        ),
        measure=PEOPLE,
        source="workforce",
        over_units="sum",
        over_time="end",
        per_unit=workforce_figures.per_unit_staff(senior_title=True),
        group="workforce",
    )
)

# --- the ratios the standards set thresholds on -------------------------------------------------------

for code, name, ratio, definition in (
    (
        "holdings_per_resident",
        _("Holdings per resident"),
        ("holdings", "population"),
        _("Total holdings of the unit with its sub-units over its service population."),
    ),
    (
        "new_acquisitions_per_resident",
        _("New acquisitions per resident"),
        ("new_acquisitions", "population"),
        _("New acquisitions of the unit with its sub-units in the period over its service population."),
    ),
    (
        "acquisition_spending_per_resident",
        _("Acquisition spending per resident"),
        ("acquisition_spending", "population"),
        _(
            "Yuan spent on acquisitions by the unit with its sub-units in the period over its service population."
        ),
    ),
    (
        "visits_per_resident",
        _("Visits per resident"),
        ("visits_total", "population"),
        _("Total visits of the unit with its sub-units in the period over its service population."),
    ),
    (
        "loans_per_volume",
        _("Loans per volume held"),
        ("loans", "holdings"),
        _("Loans in the period over the holdings at its end (yearly circulation per volume)."),
    ),
):
    register(
        Metric(
            code=code,
            name=name,
            definition=definition,
            measure=pgettext_lazy("measure", "ratio"),
            source="stats",
            over_units="sum",
            over_time="ratio",
            ratio=ratio,
            decimals=3,
            group="indicators",
        )
    )
