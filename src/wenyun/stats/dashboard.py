"""The dashboards: the county's wall screen (大屏) and one per unit.

A dashboard is a list of panels; each panel is a small table (columns and rows) that the page draws
as a chart and offers as a CSV download, so a chart's numbers are always at hand as numbers. Panels
whose metrics no app records yet are left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from wenyun.network.models import Unit, UnitKind

from .metrics import REGISTRY, metric_cache, metric_series, metric_value, metric_values
from .periods import Period

# The figures on the tiles along the top, in this order, where recorded.
TILES = (
    "loans",
    "visits_total",
    "valid_cards",
    "activities",
    "activity_attendance",
    "volunteer_hours",
    "holds_waiting",
    "transits_in_flight",
    "opening_hours_delivered",
)
# What ranks stations and villages from busiest to quietest: the first of these that is recorded.
RANKED_BY = ("visits_total", "loans", "visits_door")


@dataclass
class Panel:
    key: str
    title: str | Promise
    chart: str  # line, bar, hbar, table
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": str(self.title),
            "chart": self.chart,
            "columns": self.columns,
            "rows": [[float(v) if isinstance(v, Decimal) else v for v in row] for row in self.rows],
            "note": self.note,
        }


@dataclass
class Dashboard:
    unit: Unit
    as_of: dt.date
    period: Period
    tiles: list[dict]
    panels: list[Panel]
    computed_at: dt.datetime = field(default_factory=timezone.now)

    def panel(self, key: str) -> Panel | None:
        return next((p for p in self.panels if p.key == key), None)


def _months_back(as_of: dt.date, count: int) -> list[Period]:
    months = []
    year, month = as_of.year, as_of.month
    for _index in range(count):
        first = dt.date(year, month, 1)
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        months.append(Period(first, min(following - dt.timedelta(days=1), as_of)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def _first_recorded(codes) -> str | None:
    return next((code for code in codes if code in REGISTRY), None)


# A wall screen reloads itself every five minutes and many people open the same dashboard: the
# figures are computed once per unit and language and kept. A request finds them at most
# settings.STATS_DASHBOARD_FRESH_SECONDS old (five minutes); if they are older, or of an earlier day,
# it is served them at once, and they are computed again in the background, one computation at a
# time per dashboard. Only a unit's very first visitor on a server just started waits for the figures,
# and not even that for the county: `wenyun serve` computes its dashboards as it starts.
KEEP_SECONDS = 2 * 24 * 3600


def dashboard_build(*, unit: Unit, as_of: dt.date | None = None) -> Dashboard:
    as_of = as_of or timezone.localdate()
    # The widest period the panels read: the twelve months of the trends, which take in the year so far.
    months = _months_back(as_of, 12)
    with metric_cache(scope=unit, span=Period(min(months[0].start, as_of.replace(month=1, day=1)), as_of)):
        return _build(unit=unit, as_of=as_of)


def dashboard_cached(*, unit: Unit) -> Dashboard:
    """The unit's dashboard: computed now if it has not been yet, else as last computed (and computed
    again in the background if that was more than the fresh time ago, or on an earlier day)."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils.translation import get_language

    language = get_language()
    key = _key(unit, language)
    board = cache.get(key)
    if board is None:
        board = dashboard_build(unit=unit)
        cache.set(key, board, KEEP_SECONDS)
        return board
    age = (timezone.now() - board.computed_at).total_seconds()
    stale = age > settings.STATS_DASHBOARD_FRESH_SECONDS or board.as_of != timezone.localdate()
    # cache.add sets the mark only where nobody has: one computation at a time.
    if stale and cache.add(f"{key}:computing", True, 120):
        start_in_background(lambda: _compute_again(key, unit, language))
    return board


def _key(unit: Unit, language: str) -> str:
    return f"stats:dashboard:{unit.pk}:{language}"


def _compute_again(key: str, unit: Unit, language: str) -> None:
    from django.core.cache import cache
    from django.utils import translation

    try:
        with translation.override(language):
            cache.set(key, dashboard_build(unit=unit), KEEP_SECONDS)
    finally:
        cache.delete(f"{key}:computing")


def warm_on_serving(**_kwargs) -> None:
    """As the server starts: compute the dashboards of the units at the top of the tree (the county's,
    which the wall screen shows) in every language, in the background."""
    from django.conf import settings

    def work() -> None:
        for unit in Unit.objects.filter(parent__isnull=True, active=True).order_by("code"):
            for language, _name in settings.LANGUAGES:
                _compute_again(_key(unit, language), unit, language)

    if settings.STATS_DASHBOARD_WARM:
        start_in_background(work)


def start_in_background(work) -> None:
    """Run `work` on a thread of its own, with its own database connection, closed when it is done.
    (Tests replace this with a function that runs `work` at once.)"""
    import logging
    import threading

    from django.db import connections

    def run() -> None:
        try:
            work()
        except Exception:
            logging.getLogger(__name__).exception("computing a dashboard again failed")
        finally:
            connections.close_all()

    threading.Thread(target=run, name="dashboard", daemon=True).start()


def _build(*, unit: Unit, as_of: dt.date) -> Dashboard:
    year = Period(dt.date(as_of.year, 1, 1), as_of)
    tiles = []
    for code in TILES:
        metric = REGISTRY.get(code)
        if metric is None:
            continue
        value = metric_value(
            code=code, unit=unit, include_sub_units=True, period_start=year.start, period_end=year.end
        )
        tiles.append({"code": code, "name": str(metric.name), "measure": str(metric.measure), "value": value})

    panels: list[Panel] = []
    months = _months_back(as_of, 12)
    trend_codes = [
        c for c in ("loans", "visits_total" if "visits_total" in REGISTRY else "visits_door") if c in REGISTRY
    ]
    if trend_codes:
        trend = Panel(
            key="trend",
            title=_("Loans and visits, month by month"),
            chart="line",
            columns=[_("Month")] + [str(REGISTRY[c].name) for c in trend_codes],
        )
        series = [
            metric_series(code=c, unit=unit, include_sub_units=True, periods=months) for c in trend_codes
        ]
        for index, month in enumerate(months):
            trend.rows.append([month.start.strftime("%Y-%m")] + [values[index] for values in series])
        panels.append(trend)

    categories = [code for code in REGISTRY if code.startswith("attendance_category_")]
    if categories:
        attendance = Panel(
            key="attendance",
            title=_("Activity attendance by category, this year"),
            chart="hbar",
            columns=[_("Category"), _("Attendance")],
        )
        for code in categories:
            attendance.rows.append(
                [
                    str(REGISTRY[code].name),
                    metric_value(
                        code=code,
                        unit=unit,
                        include_sub_units=True,
                        period_start=year.start,
                        period_end=year.end,
                    ),
                ]
            )
        panels.append(attendance)

    ranked_by = _first_recorded(RANKED_BY)
    if ranked_by is not None:
        label = str(REGISTRY[ranked_by].name)
        for kind, key, title in (
            (
                UnitKind.STATION,
                "stations",
                _("Township stations from the busiest to the quietest, this year"),
            ),
            (UnitKind.VILLAGE, "villages", _("The ten busiest and the ten quietest villages, this year")),
        ):
            units = list(
                Unit.objects.filter(path__startswith=unit.path, kind=kind, active=True).order_by("code")
            )
            if len(units) < 2:
                continue
            values = metric_values(
                code=ranked_by,
                units=units,
                include_sub_units=True,
                period_start=year.start,
                period_end=year.end,
            )
            ranked = sorted(units, key=lambda u: (-(values[u.code] or 0), u.code))
            if kind == UnitKind.VILLAGE and len(ranked) > 20:
                ranked = ranked[:10] + ranked[-10:]
            panels.append(
                Panel(
                    key=key,
                    title=title,
                    chart="hbar",
                    columns=[_("Unit"), label],
                    rows=[[u.name, values[u.code]] for u in ranked],
                )
            )

    if "volunteer_hours" in REGISTRY:
        hours = Panel(
            key="volunteer_hours",
            title=_("Volunteer hours, month by month"),
            chart="bar",
            columns=[_("Month"), str(REGISTRY["volunteer_hours"].name)],
        )
        volunteer_series = metric_series(
            code="volunteer_hours", unit=unit, include_sub_units=True, periods=months
        )
        for month, hours_worked in zip(months, volunteer_series, strict=True):
            hours.rows.append([month.start.strftime("%Y-%m"), hours_worked])
        panels.append(hours)

    for extra in EXTRA_PANELS:
        panel = extra(unit=unit, period=year)
        if panel is not None:
            panels.append(panel)
    return Dashboard(unit=unit, as_of=as_of, period=year, tiles=tiles, panels=panels)


def _top_titles(*, unit: Unit, period: Period) -> Panel | None:
    from . import sources

    rows = sources.top_titles(unit=unit, period=period, limit=10)
    return Panel(
        key="top_titles",
        title=_("The ten titles borrowed most, this year"),
        chart="hbar",
        columns=[_("Title"), str(REGISTRY["loans"].name)],
        rows=[[title[:40], n] for title, n in rows],
    )


# Panels that are lists rather than metrics: functions (unit, period) -> Panel | None.
EXTRA_PANELS = [_top_titles]


def panel_csv(panel: Panel) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(panel.columns)
    for row in panel.rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()
