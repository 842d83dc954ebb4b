"""The annual statistics report (文化和旅游统计年报): the library and cultural-centre forms for a year.

Each form has one row per institution (the county library or cultural centre, and each township
station with its villages) and one column per item; every item is a metric from `stats.metrics`,
so each figure traces to its definition. The form's total row adds up its rows, and each total
is set beside the previous year's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenyun.core.errors import DomainError
from wenyun.network.models import Unit, UnitKind

from .metrics import REGISTRY, Number, metric_cache, metric_values
from .periods import Period


@dataclass(frozen=True)
class Form:
    key: str
    title: str | Promise
    row_kinds: tuple[str, ...]
    items: tuple[str, ...]


FORMS = (
    Form(
        key="library",
        title=_("Public libraries (library branches of the township stations included)"),
        row_kinds=(UnitKind.LIBRARY, UnitKind.STATION),
        items=(
            "holdings",
            "holdings_books",
            "holdings_periodicals",
            "holdings_audiovisual",
            "new_acquisitions",
            "building_area",
            "reading_seats",
            "terminals",
            "valid_cards",
            "visits_total",
            "loans",
            "borrowers",
            "activities",
            "activity_attendance",
            "lectures",
            "exhibitions",
            "training_sessions",
            "acquisition_spending",
        ),
    ),
    Form(
        key="culture",
        title=_("Cultural centres and township cultural stations"),
        row_kinds=(UnitKind.CULTURAL_CENTRE, UnitKind.STATION),
        items=(
            "building_area",
            "exhibitions",
            "arts_activities",
            "arts_activity_attendance",
            "training_classes",
            "trainees",
            "lectures",
            "troupes_guided",
            "performances_sent",
            "performance_audience",
            "staff",
            "staff_senior_title",
            "operating_budget",
        ),
    ),
)

# The county-wide ratios the standards set thresholds on (standards-reference.md).
INDICATORS = (
    "holdings_per_resident",
    "new_acquisitions_per_resident",
    "visits_per_resident",
    "loans_per_volume",
    "opening_hours_delivered",
    "volunteer_hours",
)


@dataclass
class ItemColumn:
    code: str
    name: str
    measure: str
    available: bool
    decimals: int
    total: Number | None = None
    previous: Number | None = None

    @property
    def change(self) -> Number | None:
        if self.total is None or self.previous is None:
            return None
        if isinstance(self.total, Decimal) and isinstance(self.previous, Decimal):
            return self.total - self.previous
        if isinstance(self.total, int) and isinstance(self.previous, int):
            return self.total - self.previous
        return round(float(self.total) - float(self.previous), 2)

    @property
    def change_pct(self) -> float | None:
        if self.change is None or not self.previous:
            return None
        return round(float(self.change) / float(self.previous) * 100, 1)


@dataclass
class FormRow:
    unit: Unit
    values: dict[str, Number | None] = field(default_factory=dict)
    previous: dict[str, Number | None] = field(default_factory=dict)


@dataclass
class FormResult:
    key: str
    title: str
    items: list[ItemColumn]
    rows: list[FormRow]

    @property
    def lines(self) -> list[tuple[ItemColumn, list[Number | None]]]:
        """Item by item, the value of each row: the form turned on its side for a narrow page."""
        return [(item, [row.values.get(item.code) for row in self.rows]) for item in self.items]


@dataclass
class AnnualReport:
    year: int
    unit: Unit
    forms: list[FormResult]
    indicators: list[ItemColumn]
    missing: list[str]  # item codes whose source is not recorded in Wenyun


def _add(values: list[Number | None]) -> Number | None:
    present = [v for v in values if v is not None]
    if not present:
        return None
    if any(isinstance(v, Decimal) for v in present):
        return sum((Decimal(str(v)) for v in present), start=Decimal(0))
    total: Number = sum(present, start=0)
    return total


def _form_rows(form: Form, unit: Unit) -> list[Unit]:
    rows = list(
        Unit.objects.filter(path__startswith=unit.path, kind__in=form.row_kinds, active=True).order_by(
            "kind", "code"
        )
    )
    order = {kind: index for index, kind in enumerate(form.row_kinds)}
    rows.sort(key=lambda u: (order[u.kind], u.code))
    return rows or [unit]


def annual_report(*, unit: Unit, year: int) -> AnnualReport:
    with metric_cache(scope=unit):
        return _annual_report(unit=unit, year=year)


def _annual_report(*, unit: Unit, year: int) -> AnnualReport:
    today = timezone.localdate()
    if not 2000 <= year <= today.year:
        raise DomainError(
            _("The year must be between %(first)s and %(last)s, not %(year)s.")
            % {"first": 2000, "last": today.year, "year": year},
            code="stats_year_invalid",
        )
    this, last = Period.year(year), Period.year(year - 1)
    missing: list[str] = []
    forms = []
    for form in FORMS:
        units = _form_rows(form, unit)
        rows = [FormRow(unit=u) for u in units]
        items = []
        for code in form.items:
            metric = REGISTRY.get(code)
            if metric is None:
                if code not in missing:
                    missing.append(code)
                items.append(
                    ItemColumn(code=code, name=_missing_name(code), measure="", available=False, decimals=0)
                )
                continue
            now_values = metric_values(
                code=code, units=units, include_sub_units=True, period_start=this.start, period_end=this.end
            )
            before_values = metric_values(
                code=code, units=units, include_sub_units=True, period_start=last.start, period_end=last.end
            )
            for row in rows:
                row.values[code] = now_values[row.unit.code]
                row.previous[code] = before_values[row.unit.code]
            items.append(
                ItemColumn(
                    code=code,
                    name=str(metric.name),
                    measure=str(metric.measure),
                    available=True,
                    decimals=metric.decimals,
                    total=_add(list(now_values.values())),
                    previous=_add(list(before_values.values())),
                )
            )
        forms.append(FormResult(key=form.key, title=str(form.title), items=items, rows=rows))
    indicators = []
    for code in INDICATORS:
        metric = REGISTRY.get(code)
        if metric is None:
            if code not in missing:
                missing.append(code)
            continue
        now_value = metric_values(
            code=code, units=[unit], include_sub_units=True, period_start=this.start, period_end=this.end
        )[unit.code]
        before_value = metric_values(
            code=code, units=[unit], include_sub_units=True, period_start=last.start, period_end=last.end
        )[unit.code]
        indicators.append(
            ItemColumn(
                code=code,
                name=str(metric.name),
                measure=str(metric.measure),
                available=True,
                decimals=metric.decimals,
                total=now_value,
                previous=before_value,
            )
        )
    return AnnualReport(year=year, unit=unit, forms=forms, indicators=indicators, missing=missing)


# Names of form items whose source app does not record them yet, so the form still shows the line.
MISSING_NAMES = {
    "holdings": _("Total holdings"),
    "holdings_books": _("Books held"),
    "holdings_periodicals": _("Periodicals held"),
    "holdings_audiovisual": _("Audio-visual items held"),
    "new_acquisitions": _("New acquisitions"),
    "valid_cards": _("Valid reader cards"),
    "visits_total": _("Total visits"),
    "loans": pgettext_lazy("statistics", "Loans"),
    "borrowers": _("Borrowers"),
    "activities": _("Activities held"),
    "activity_attendance": _("Activity attendance"),
    "lectures": _("Lectures"),
    "exhibitions": _("Exhibitions"),
    "training_sessions": _("Training sessions"),
    "arts_activities": _("Arts activities"),
    "arts_activity_attendance": _("Arts activity attendance"),
    "training_classes": _("Training classes"),
    "trainees": _("Trainees"),
    "troupes_guided": _("Troupes guided"),
    "performances_sent": _("Performances sent to villages"),
    "performance_audience": _("Audience of performances sent to villages"),
    "staff": _("Staff members"),
    "staff_senior_title": _("Staff with a senior professional title"),
}


def _missing_name(code: str) -> str:
    return str(MISSING_NAMES.get(code, code))


def report_as_dict(report: AnnualReport) -> dict:
    def number(value):
        if isinstance(value, Decimal):
            return float(value)
        return value

    return {
        "year": report.year,
        "unit": report.unit.code,
        "forms": [
            {
                "key": form.key,
                "title": form.title,
                "items": [
                    {
                        "code": item.code,
                        "name": item.name,
                        "measure": item.measure,
                        "recorded": item.available,
                        "total": number(item.total),
                        "previous": number(item.previous),
                        "change_pct": item.change_pct,
                    }
                    for item in form.items
                ],
                "rows": [
                    {
                        "unit": row.unit.code,
                        "name": row.unit.name,
                        "values": {code: number(v) for code, v in row.values.items()},
                        "previous": {code: number(v) for code, v in row.previous.items()},
                    }
                    for row in form.rows
                ],
            }
            for form in report.forms
        ],
        "indicators": [
            {
                "code": item.code,
                "name": item.name,
                "measure": item.measure,
                "value": number(item.total),
                "previous": number(item.previous),
                "change_pct": item.change_pct,
            }
            for item in report.indicators
        ],
        "not_recorded": report.missing,
    }
