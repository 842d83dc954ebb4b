"""Reads of the workforce: the register, staffing against the rules, standards, rolls and training.

The statistics and ledger apps read through `staff_counts`, `staffing_gaps`, `training_hours_by_person`
and `subsidy_totals_by_month`; each takes an optional `within` unit (its subtree) and plain dates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from wenyun.core.errors import NotFound
from wenyun.network.models import Unit, UnitKind

from . import rules
from .models import (
    UNPAID_EMPLOYMENT,
    Appointment,
    Attendance,
    Post,
    RollLine,
    StaffingRule,
    StaffMember,
    SubsidyRoll,
    SubsidyStandard,
    TrainingSession,
)


def _within(queryset: QuerySet, within: Unit | None, field_name: str = "unit") -> QuerySet:
    return queryset if within is None else queryset.filter(**{f"{field_name}__path__startswith": within.path})


# --- the register --------------------------------------------------------------------------------


def appointments_active(*, on: dt.date, within: Unit | None = None) -> QuerySet[Appointment]:
    """Posts held on a day: started on or before it and not ended before it."""
    active = Appointment.objects.filter(start_date__lte=on).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )
    return _within(active, within).select_related("person", "unit")


def staff_search(
    *,
    people: QuerySet[StaffMember],
    q: str = "",
    unit: Unit | None = None,
    post: str = "",
    on: dt.date | None = None,
) -> QuerySet[StaffMember]:
    """People (from an access-checked queryset) by name or phone, holding a post in a unit's subtree."""
    q = (q or "").strip()
    if q:
        people = people.filter(Q(name__icontains=q) | Q(phone__startswith=q))
    posts = Appointment.objects.all()
    if on is not None:
        posts = posts.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    if unit is not None or post or on is not None:
        posts = _within(posts, unit)
        if post:
            posts = posts.filter(post=post)
        people = people.filter(pk__in=posts.values("person_id"))
    return people.order_by("name", "pk")


def staff_appointments(*, person: StaffMember) -> QuerySet[Appointment]:
    return person.appointments.select_related("unit").order_by("-start_date", "pk")


def posts_of(*, people: list[StaffMember], on: dt.date | None = None) -> dict[int, list[Appointment]]:
    """{person id: their posts, newest first}; with on, only the posts not ended before that day."""
    found: dict[int, list[Appointment]] = defaultdict(list)
    posts = Appointment.objects.filter(person__in=people).select_related("unit").order_by("-start_date", "pk")
    if on is not None:
        posts = posts.filter(Q(end_date__isnull=True) | Q(end_date__gte=on))
    for appointment in posts:
        found[appointment.person_id].append(appointment)
    return dict(found)


def staff_counts(*, on: dt.date, within: Unit | None = None) -> dict[str, dict[str, int]]:
    """{unit code: {post: people holding it on the day}} for every unit with staff."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for code, post in appointments_active(on=on, within=within).values_list("unit__code", "post"):
        counts[code][post] += 1
    return {code: dict(posts) for code, posts in counts.items()}


@dataclass
class Staffing:
    """One unit against its staffing rule on a day."""

    unit: Unit
    required: dict[str, int]
    present: dict[str, int]
    people: list[Appointment] = field(default_factory=list)

    @property
    def gaps(self) -> list[dict]:
        return [
            {
                "post": post,
                "label": Post(post).label,
                "required": need,
                "present": self.present.get(post, 0),
                "missing": need - self.present.get(post, 0),
            }
            for post, need in self.required.items()
            if self.present.get(post, 0) < need
        ]

    @property
    def met(self) -> bool:
        return not self.gaps


def staffing_rules() -> dict[str, dict[str, int]]:
    """{unit kind: {post: required}}."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    for rule in StaffingRule.objects.filter(required__gt=0):
        found[rule.unit_kind][rule.post] = rule.required
    return dict(found)


def staffing_gaps(*, on: dt.date, within: Unit | None = None, only_gaps: bool = False) -> list[Staffing]:
    """Every unit that has a staffing rule (its kind has one), with who holds which post and what is
    missing; in tree order. With only_gaps, the units that fall short."""
    required = staffing_rules()
    units = Unit.objects.filter(kind__in=list(required), active=True).order_by("code")
    if within is not None:
        units = units.filter(path__startswith=within.path)
    by_unit: dict[int, list[Appointment]] = defaultdict(list)
    # Only what the page and the counts need: a county has hundreds of posts.
    posts = (
        appointments_active(on=on, within=within)
        .select_related(None)
        .select_related("person")
        .only("unit_id", "post", "employment", "start_date", "person_id", "person__name")
        .order_by("post", "person__name")
    )
    for appointment in posts:
        by_unit[appointment.unit_id].append(appointment)
    result = []
    units = units.select_related("parent").only(
        "code", "name", "name_en", "kind", "path", "parent__code", "parent__name", "parent__name_en"
    )
    for unit in units:
        present: dict[str, int] = defaultdict(int)
        for appointment in by_unit.get(unit.pk, []):
            present[appointment.post] += 1
        staffing = Staffing(
            unit=unit, required=required[unit.kind], present=dict(present), people=by_unit.get(unit.pk, [])
        )
        if not only_gaps or not staffing.met:
            result.append(staffing)
    return result


def unit_staffing(*, unit: Unit, on: dt.date) -> Staffing:
    """One unit's staff on a day against its rule (a unit whose kind has no rule requires nothing)."""
    people = list(appointments_active(on=on).filter(unit=unit).order_by("post", "person__name"))
    present: dict[str, int] = defaultdict(int)
    for appointment in people:
        present[appointment.post] += 1
    return Staffing(
        unit=unit, required=staffing_rules().get(unit.kind, {}), present=dict(present), people=people
    )


# --- subsidy standards ---------------------------------------------------------------------------


def standards_history() -> QuerySet[SubsidyStandard]:
    return SubsidyStandard.objects.select_related("created_by").order_by(
        "post", "unit_kind", "-effective_from"
    )


def standard_in_force(*, post: str, unit_kind: str, on: dt.date) -> SubsidyStandard | None:
    return (
        SubsidyStandard.objects.filter(post=post, unit_kind=unit_kind, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def standards_current(*, on: dt.date) -> list[SubsidyStandard]:
    """The standard in force on a day for each post × unit kind that has one."""
    latest: dict[tuple[str, str], SubsidyStandard] = {}
    for standard in SubsidyStandard.objects.filter(effective_from__lte=on).order_by("effective_from"):
        latest[(standard.post, standard.unit_kind)] = standard
    return list(latest.values())


# --- the monthly roll ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DueLine:
    appointment: Appointment
    standard: Decimal
    days: int
    days_in_month: int
    amount: Decimal


def roll_compute(*, month: dt.date) -> list[DueLine]:
    """Who is due how much for a month, from the register and the standards in force day by day.

    Each paid appointment overlapping the month gives one line per standard in force during its days
    there (a raise in mid-month splits it), prorated by calendar days. Volunteers are not paid.
    """
    month = month.replace(day=1)
    last = rules.month_last_day(month)
    days_in_month = rules.month_days(month)
    schedule: dict[tuple[str, str], list[SubsidyStandard]] = defaultdict(list)
    for standard in SubsidyStandard.objects.filter(effective_from__lte=last).order_by("effective_from"):
        schedule[(standard.post, standard.unit_kind)].append(standard)
    appointments = (
        Appointment.objects.filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=month))
        .exclude(employment__in=UNPAID_EMPLOYMENT)
        .select_related("person", "unit")
        .order_by("unit__code", "post", "person__name", "start_date", "pk")
    )
    lines: list[DueLine] = []
    for appointment in appointments:
        standards = schedule.get((appointment.post, appointment.unit.kind))
        span = rules.span_in_month(start=appointment.start_date, end=appointment.end_date, month=month)
        if not standards or span is None:
            continue
        first, last_day = span
        # Segments of the span between changes of standard; each paid at the standard in force.
        cuts = sorted({first} | {s.effective_from for s in standards if first < s.effective_from <= last_day})
        segments: list[tuple[Decimal, int]] = []
        for index, start in enumerate(cuts):
            end = cuts[index + 1] - dt.timedelta(days=1) if index + 1 < len(cuts) else last_day
            in_force = [s for s in standards if s.effective_from <= start][-1:]
            amount = in_force[0].monthly_amount if in_force else Decimal(0)
            days = (end - start).days + 1
            if segments and segments[-1][0] == amount:
                segments[-1] = (amount, segments[-1][1] + days)
            else:
                segments.append((amount, days))
        for monthly, days in segments:
            if monthly > 0:
                lines.append(
                    DueLine(
                        appointment,
                        monthly,
                        days,
                        days_in_month,
                        rules.prorate(monthly=monthly, days=days, days_in_month=days_in_month),
                    )
                )
    return lines


def roll_get(*, month: dt.date) -> SubsidyRoll:
    roll = (
        SubsidyRoll.objects.select_related("opened_by", "approved_by")
        .filter(month=month.replace(day=1))
        .first()
    )
    if roll is None:
        raise NotFound(
            _("No subsidy roll has been opened for %(month)s.") % {"month": month.strftime("%Y-%m")},
            code="roll_not_found",
        )
    return roll


def roll_list() -> QuerySet[SubsidyRoll]:
    return SubsidyRoll.objects.select_related("approved_by").order_by("-month")


def roll_lines(*, roll: SubsidyRoll, within: Unit | None = None) -> QuerySet[RollLine]:
    """The roll's lines (those of a unit's subtree with within), regular first, in tree order."""
    lines = _within(RollLine.objects.filter(roll=roll), within)
    return lines.select_related("unit", "unit__parent").order_by(
        "kind", "unit__code", "post", "person_name", "pk"
    )


def roll_total(*, roll: SubsidyRoll, within: Unit | None = None) -> Decimal:
    if within is None:
        return roll.total
    found = roll_lines(roll=roll, within=within).aggregate(total=Sum("amount"))["total"]
    return (found or Decimal(0)).quantize(rules.CENT)


def roll_totals_by_township(*, lines: Iterable[RollLine]) -> list[dict]:
    """Lines and yuan per township (a station and its villages) or institution, from roll_lines()."""
    totals: dict[int, dict] = {}
    for line in lines:
        group = line.unit.parent if line.unit.kind == UnitKind.VILLAGE and line.unit.parent else line.unit
        row = totals.setdefault(group.pk, {"unit": group, "lines": 0, "amount": Decimal(0)})
        row["lines"] += 1
        row["amount"] += line.amount
    return sorted(totals.values(), key=lambda row: row["unit"].code)


def subsidy_totals_by_month(
    *, year: int, within: Unit | None = None, approved_only: bool = True
) -> dict[str, Decimal]:
    """{'YYYY-MM': yuan} for the year's rolls (approved ones only unless approved_only=False)."""
    lines = RollLine.objects.filter(roll__month__year=year)
    if approved_only:
        lines = lines.filter(roll__status=SubsidyRoll.Status.APPROVED)
    lines = _within(lines, within)
    totals = lines.values("roll__month").annotate(total=Sum("amount")).order_by("roll__month")
    return {row["roll__month"].strftime("%Y-%m"): row["total"].quantize(rules.CENT) for row in totals}


# --- training ------------------------------------------------------------------------------------


def training_sessions(*, sessions: QuerySet[TrainingSession], year: int) -> QuerySet[TrainingSession]:
    """The year's sessions (from an access-checked queryset) with how many attended each."""
    return (
        sessions.filter(date__year=year)
        .select_related("unit")
        .annotate(attendees=Count("attendances"))
        .order_by("-date", "pk")
    )


def training_hours_by_person(
    *, year: int, within: Unit | None = None, people: QuerySet[StaffMember] | None = None
) -> dict[int, Decimal]:
    """{person id: training hours in the year}; within counts sessions held in a unit's subtree."""
    attendances = Attendance.objects.filter(session__date__year=year)
    if within is not None:
        attendances = attendances.filter(session__unit__path__startswith=within.path)
    if people is not None:
        attendances = attendances.filter(person__in=people)
    rows = attendances.values("person_id").annotate(total=Sum("hours"))
    return {row["person_id"]: row["total"] for row in rows}


def training_hours_of(*, person: StaffMember) -> list[tuple[int, Decimal]]:
    """[(year, hours)] newest first."""
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for date, hours in Attendance.objects.filter(person=person).values_list("session__date", "hours"):
        totals[date.year] += hours
    return sorted(totals.items(), reverse=True)


def session_attendances(*, session: TrainingSession) -> QuerySet[Attendance]:
    return session.attendances.select_related("person").order_by("person__name", "pk")


def adjustable_appointments(*, month: dt.date) -> QuerySet[Appointment]:
    """Paid posts held in the twelve months up to this one: the posts an adjustment can be for."""
    paid = SubsidyStandard.objects.values_list("post", "unit_kind").distinct()
    which = Q(pk__in=[])
    for post, unit_kind in paid:
        which |= Q(post=post, unit__kind=unit_kind)
    since = (month.replace(day=1) - dt.timedelta(days=365)).replace(day=1)
    return (
        Appointment.objects.filter(which, start_date__lte=rules.month_last_day(month))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=since))
        .exclude(employment__in=UNPAID_EMPLOYMENT)
        .select_related("person", "unit")
        .order_by("unit__code", "person__name")
    )
