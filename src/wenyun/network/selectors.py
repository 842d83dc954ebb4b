"""Reads of the county network: the tree, subtrees, opening hours and the calendar of open days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import NotFound

from .models import Closure, OpeningHours, Unit, UnitKind


def unit_get(*, code: str) -> Unit:
    try:
        return Unit.objects.get(code=code)
    except Unit.DoesNotExist:
        raise NotFound(
            _("There is no unit with the code %(code)s.") % {"code": code}, code="unit_not_found"
        ) from None


def unit_root() -> Unit | None:
    return Unit.objects.filter(parent__isnull=True).order_by("pk").first()


def unit_subtree(*, unit: Unit, include_self: bool = True) -> QuerySet[Unit]:
    units = Unit.objects.filter(path__startswith=unit.path)
    return units if include_self else units.exclude(pk=unit.pk)


def unit_subtree_ids(*, unit: Unit) -> list[int]:
    return list(unit_subtree(unit=unit).values_list("pk", flat=True))


def unit_ancestors(*, unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in=unit.ancestor_ids()).order_by("depth")


def unit_list(*, kinds: Iterable[str] | None = None, within: Unit | None = None) -> QuerySet[Unit]:
    units = Unit.objects.select_related("parent")
    if within is not None:
        units = units.filter(path__startswith=within.path)
    if kinds is not None:
        units = units.filter(kind__in=list(kinds))
    return units.order_by("depth", "code")


def unit_township(*, unit: Unit) -> Unit | None:
    """The township station a unit belongs to (itself for a station), or None above township level."""
    if unit.kind == UnitKind.STATION:
        return unit
    if unit.kind == UnitKind.VILLAGE:
        return unit.parent
    return None


def unit_tree(*, within: Unit | None = None) -> list[dict]:
    """The tree as nested dicts ({"unit", "children"}), in one query."""
    units = list(unit_list(within=within))  # by depth: a parent comes before its children
    by_id: dict[int, dict] = {u.pk: {"unit": u, "children": []} for u in units}
    roots: list[dict] = []
    for u in units:
        node = by_id[u.pk]
        parent = by_id.get(u.parent_id) if u.parent_id else None
        (parent["children"] if parent else roots).append(node)
    # Paths sort by primary key as text; people look for units by kind and code.
    kind_order = {kind: index for index, kind in enumerate(UnitKind.values)}
    for node in by_id.values():
        node["children"].sort(key=lambda child: (kind_order[child["unit"].kind], child["unit"].code))
    return roots


def unit_counts_by_kind(*, within: Unit | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in unit_list(within=within).values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def unit_weekly_schedule(*, unit: Unit) -> list[list[tuple[dt.time, dt.time]]]:
    """Seven lists (Monday first) of (opens, closes) periods."""
    week: list[list[tuple[dt.time, dt.time]]] = [[] for _ in range(7)]
    for hours in OpeningHours.objects.filter(unit=unit).order_by("weekday", "opens"):
        week[hours.weekday].append((hours.opens, hours.closes))
    return week


def unit_weekly_hours(*, unit: Unit) -> float:
    total = 0.0
    for day in unit_weekly_schedule(unit=unit):
        for opens, closes in day:
            total += (
                dt.datetime.combine(dt.date.min, closes) - dt.datetime.combine(dt.date.min, opens)
            ).seconds
    return round(total / 3600, 2)


def unit_closures(*, unit: Unit, first_day: dt.date, last_day: dt.date) -> QuerySet[Closure]:
    """Closures touching [first_day, last_day] that apply to the unit: its own and its ancestors'."""
    return Closure.objects.filter(
        Q(unit_id=unit.pk) | Q(unit_id__in=unit.ancestor_ids()),
        first_day__lte=last_day,
        last_day__gte=first_day,
    ).order_by("first_day")


class OpeningCalendar:
    """Answers "is the unit open" for many days with two queries; built once per unit and range."""

    def __init__(self, *, unit: Unit, first_day: dt.date, last_day: dt.date) -> None:
        self.unit = unit
        self.week = unit_weekly_schedule(unit=unit)
        self.closed_days: set[dt.date] = set()
        for closure in unit_closures(unit=unit, first_day=first_day, last_day=last_day):
            day = max(closure.first_day, first_day)
            while day <= min(closure.last_day, last_day):
                self.closed_days.add(day)
                day += dt.timedelta(days=1)

    def is_open_day(self, day: dt.date) -> bool:
        return bool(self.week[day.weekday()]) and day not in self.closed_days

    def is_open_at(self, moment: dt.datetime) -> bool:
        local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
        if not self.is_open_day(local.date()):
            return False
        return any(opens <= local.time() < closes for opens, closes in self.week[local.weekday()])


# A year of lookahead: a unit with no open day in the next year is treated as having none.
_LOOKAHEAD_DAYS = 366


def unit_is_open(*, unit: Unit, at: dt.datetime) -> bool:
    day = timezone.localtime(at).date() if timezone.is_aware(at) else at.date()
    return OpeningCalendar(unit=unit, first_day=day, last_day=day).is_open_at(at)


def unit_next_open_day(*, unit: Unit, after: dt.date, include_given: bool = False) -> dt.date | None:
    """The first day after (or on, with include_given) the given one on which the unit opens."""
    start = after if include_given else after + dt.timedelta(days=1)
    calendar = OpeningCalendar(
        unit=unit, first_day=start, last_day=start + dt.timedelta(days=_LOOKAHEAD_DAYS)
    )
    for offset in range(_LOOKAHEAD_DAYS):
        day = start + dt.timedelta(days=offset)
        if calendar.is_open_day(day):
            return day
    return None
