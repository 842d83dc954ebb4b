"""The circulation matrix: which row applies to a reader, a copy and a lending unit, and why.

The rows are few (tens), so they are read whole and matched in Python; the winning row is the one
with the deepest unit scope, then a named reader category, then a named item type. One exception
keeps "for use in the library only" true everywhere: a matching row that names the copy's item type
and lends nothing (loan limit 0) is never overruled by a row that does not name that type (a
reader category's row lending 15 items does not lend the reference books). To lend such a type
somewhere, give a row naming the type there. When no row matches, the built-in county default
applies (and the explanation says so).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from wenyun.core import versions
from wenyun.network.models import Unit

from .models import CirculationRule, CirculationSettings, ReturnPolicy


@dataclass
class RuleMatch:
    rule: CirculationRule
    is_default: bool
    # Why: each candidate row considered, most specific first, with the reason it won or lost.
    considered: list[tuple[CirculationRule, str]] = field(default_factory=list)


def default_rule() -> CirculationRule:
    """The county default when the matrix has no matching row: 30 days, 10 items, 1 renewal, no fees."""
    return CirculationRule(
        loan_days=30,
        loan_limit=10,
        renewals=1,
        holds_allowed=True,
        fee_per_day=Decimal("0"),
        fee_cap=Decimal("0"),
        return_policy=ReturnPolicy.HOME,
    )


def _specificity(rule: CirculationRule, depth_of: dict[int, int]) -> tuple[int, int, int]:
    return (
        depth_of[rule.unit_id] if rule.unit_id is not None else -1,
        1 if rule.category_id is not None else 0,
        1 if rule.item_type_id is not None else 0,
    )


def rule_match(
    *,
    unit: Unit,
    category_id: int | None,
    item_type_id: int | None,
    rules: list[CirculationRule] | None = None,
    explain: bool = False,
) -> RuleMatch:
    """The row for a copy of this type lent at this unit to a reader of this category."""
    if rules is None:
        rules = snapshot().rules
    lineage = [*unit.ancestor_ids(), unit.pk]
    depth_of = {pk: depth for depth, pk in enumerate(lineage)}
    candidates = [
        r
        for r in rules
        if (r.unit_id is None or r.unit_id in depth_of)
        and (r.category_id is None or r.category_id == category_id)
        and (r.item_type_id is None or r.item_type_id == item_type_id)
    ]
    candidates.sort(key=lambda r: _specificity(r, depth_of), reverse=True)
    if not candidates:
        return RuleMatch(rule=default_rule(), is_default=True)
    keeper = None
    if candidates[0].item_type_id is None:
        keeper = next((r for r in candidates if r.item_type_id is not None and r.loan_limit == 0), None)
    if keeper is not None:
        candidates.remove(keeper)
        candidates.insert(0, keeper)
    match = RuleMatch(rule=candidates[0], is_default=False)
    if explain:
        if keeper is not None:
            match.considered.append(
                (
                    keeper,
                    _("names this item type and lends none: rows that do not name the type cannot lend it"),
                )
            )
        else:
            match.considered.append((candidates[0], _("the most specific row that matches")))
        for other in candidates[1:]:
            match.considered.append((other, _("matches too, but is less specific")))
    return match


def due_date(*, start: dt.date, loan_days: int, open_day) -> dt.date:
    """The due date: start + loan_days, moved forward to the first day the lending unit is open.

    open_day(day) -> the first open day on or after day (or None when the unit never opens).
    """
    due = start + dt.timedelta(days=loan_days)
    return open_day(due) or due


def overdue_fee(*, due_on: dt.date, returned_on: dt.date, per_day: Decimal, cap: Decimal) -> Decimal:
    """Days late × the daily fee, no more than the cap (a cap of zero means no cap)."""
    days = (returned_on - due_on).days
    if days <= 0 or per_day <= 0:
        return Decimal("0.00")
    fee = per_day * days
    if cap > 0:
        fee = min(fee, cap)
    return fee.quantize(Decimal("0.01"))


def township_of(unit_kind: str, unit_pk: int, parent_pk: int | None) -> int | None:
    if unit_kind == "station":
        return unit_pk
    if unit_kind == "village":
        return parent_pk
    return None


def copy_distance(*, copy_unit: int, pickup_unit: int, township: dict[int, int | None]) -> int:
    """0 the same unit, 1 the same township, 2 anywhere else in the county."""
    if copy_unit == pickup_unit:
        return 0
    t = township.get(copy_unit)
    if t is not None and t == township.get(pickup_unit):
        return 1
    return 2


class Snapshot:
    """The matrix, the county settings and the opening calendar, cached in the process.

    Every check-out and check-in needs them; reading them costs three or four queries while they
    change a few times a year. The cached copy is kept with the version it was read at
    (`core.versions.CIRCULATION_RULES`, one row read by its key, `STAMP_COLUMNS`, in the round trip a
    check-out makes anyway), so a change committed by any process is seen on the next call. Every
    writer of what the snapshot holds bumps that version in its own transaction: the matrix services
    (`services.rule_save`, `rule_delete`), the network's services (units, hours, closures), the
    catalogue's item-type services, the network's admin pages and the demo builder. Anything else
    that writes those tables — `QuerySet.update()`, `bulk_create`, raw SQL, a data migration — must
    call `wenyun.core.versions.bump(CIRCULATION_RULES)` as well, or the cached copy goes on being used.
    """

    def __init__(self, stamp: tuple) -> None:
        from .models import CirculationSettings

        self.stamp = stamp
        self.rules = list(CirculationRule.objects.select_related("unit", "category", "item_type"))
        self.settings = CirculationSettings.objects.filter(pk=1).first() or CirculationSettings(pk=1)
        self._open: dict[tuple[int, dt.date], dt.date | None] = {}
        self._rules: dict[tuple[int, str, int | None, int | None], CirculationRule] = {}
        self._rules_by_pk = {rule.pk: rule for rule in self.rules}
        self.units = {u.pk: u for u in Unit.objects.all()}

    def rule_for(self, *, unit: Unit, category_id: int | None, item_type_id: int | None) -> CirculationRule:
        """rule_match(...).rule over this snapshot's matrix, remembered for the lending unit (and its
        place in the tree), the reader's category and the copy's type."""
        key = (unit.pk, unit.path, category_id, item_type_id)
        found = self._rules.get(key)
        if found is None:
            found = self._rules[key] = rule_match(
                unit=unit, category_id=category_id, item_type_id=item_type_id, rules=self.rules
            ).rule
        return found

    def rule_by_pk(self, pk: int | None) -> CirculationRule | None:
        return self._rules_by_pk.get(pk) if pk is not None else None

    def unit(self, pk: int) -> Unit:
        return self.units[pk]

    def next_open_day(self, unit: Unit, day: dt.date) -> dt.date | None:
        """The first day on or after `day` the unit opens (None when it never opens within a year)."""
        key = (unit.pk, day)
        if key not in self._open:
            from wenyun.network.selectors import unit_next_open_day

            self._open[key] = unit_next_open_day(unit=unit, after=day, include_given=True)
        return self._open[key]


# The version as a scalar subquery (one row by its primary key), for other reads to prepend.
STAMP_COLUMNS = versions.current_sql(versions.CIRCULATION_RULES)
STAMP_WIDTH = 1
_STAMP_SQL = "SELECT " + STAMP_COLUMNS
_current: list[Snapshot] = []


def snapshot_forget() -> None:
    """Drop the cached copy (tests: each starts from its own rolled-back data, as a new process)."""
    _current.clear()


def snapshot(stamp: tuple | None = None) -> Snapshot:
    """The cached matrix, settings and calendar, read again if `stamp` (STAMP_COLUMNS, just read
    along with something else, or read here when not given) says they changed."""
    from django.db import connection

    if stamp is None:
        with connection.cursor() as cursor:
            cursor.execute(_STAMP_SQL)
            stamp = tuple(cursor.fetchone())
    key = (connection.alias, *stamp)
    if _current and _current[0].stamp == key:
        return _current[0]
    fresh = Snapshot(key)
    _current[:] = [fresh]
    return fresh


def circ_settings() -> CirculationSettings:
    """The county's circulation settings (unsaved defaults until an administrator saves them: reading
    them never writes)."""
    return snapshot().settings
