"""The acceptance outputs: the ledger as an XLSX workbook (one sheet per part, each number beside the
metric it comes from) and a draft of the county's work report as DOCX, for the bureau to edit."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import segno
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from wenyun.network.access import units_visible_to
from wenyun.network.models import Unit, UnitKind

from . import present, selectors, sources
from .evaluate import Evaluator, IndicatorResult, period_of, standard_evaluate
from .models import Part, Scope, Standard

HEADER_FILL = PatternFill("solid", fgColor="EEF1F4")
BAD_FILL = PatternFill("solid", fgColor="FDECEA")
OK_FILL = PatternFill("solid", fgColor="E6F4EA")


def qr_svg(text: str) -> SafeString:
    # The SVG is generated here from a URL of our own: nothing from outside goes into the markup.
    return mark_safe(segno.make(text, error="m").svg_inline(scale=5, border=2))


def _cell_number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _met_text(met: bool | None) -> str:
    return {True: _("met"), False: _("not met"), None: "—"}[met]


def ledger_workbook(*, standard: Standard, year: int, user=None) -> bytes:
    """One sheet per part: for each indicator and unit, the value, the threshold, met or not, and the
    formula with its source metrics; failing members of share indicators listed under them."""
    results = standard_evaluate(standard=standard, year=year)
    visible = set(units_visible_to(user).values_list("pk", flat=True)) if user is not None else None
    book = Workbook()
    book.remove(book.active)
    headers = [
        _("code"),
        _("indicator"),
        _("scope"),
        _("unit"),
        _("unit code"),
        _("value"),
        _("unit of measure"),
        _("threshold"),
        _("judgement"),
        _("short by"),
        _("formula"),
        _("source metrics"),
    ]
    for part, label in Part.choices:
        part_results = [r for r in results if r.indicator.part == part]
        if not part_results:
            continue
        sheet = book.create_sheet(title=str(label)[:31])
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        for result in part_results:
            _sheet_rows(sheet, result, visible)
        for column, width in zip(
            "ABCDEFGHIJKL", (8, 40, 14, 26, 14, 12, 10, 12, 10, 10, 40, 36), strict=True
        ):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A2"
    about = book.create_sheet(title=_("About")[:31])
    start, end = period_of(year)
    for line in (
        (_("standard"), standard.display_name),
        (_("ledger year"), year),
        (_("period"), f"{start.isoformat()} – {end.isoformat()}"),
        (_("computed at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (_("metrics"), _("Each value is computed from the metric named in its row (stats.metrics:CODE).")),
    ):
        about.append(list(line))
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_rows(sheet, result: IndicatorResult, visible: set[int] | None) -> None:
    indicator = result.indicator
    formula = present.formula_text(indicator)
    source = present.source_text(result)
    rows = [r for r in result.rows if visible is None or r.unit.pk in visible]
    for row in rows:
        sheet.append(
            [
                indicator.code,
                indicator.display_name,
                str(Scope(indicator.scope).label),
                row.unit.display_name,
                row.unit.code,
                _cell_number(row.value),
                present.measure_label(indicator.measure),
                f"{indicator.comparison} {present.number(indicator.threshold)}",
                _met_text(row.met) if result.computable else _("not computable yet"),
                _cell_number(row.gap),
                formula,
                source,
            ]
        )
        fill = OK_FILL if row.met is True else BAD_FILL if row.met is False else None
        if fill is not None:
            sheet.cell(row=sheet.max_row, column=9).fill = fill
    for members in result.members.values():
        for member in sorted(members, key=lambda m: m.unit.code):
            if member.met or (visible is not None and member.unit.pk not in visible):
                continue
            sheet.append(
                [
                    indicator.code,
                    "  ↳ " + _("does not meet the condition"),
                    str(UnitKind(member.unit.kind).label),
                    member.unit.display_name,
                    member.unit.code,
                    _cell_number(member.value),
                    "",
                    present.condition_range(indicator.formula),
                    _("not met"),
                    _cell_number(member.gap),
                    sources.figure_name(indicator.formula["metric"]),
                    sources.figure_source(indicator.formula["metric"]),
                ]
            )
    for cell in sheet[sheet.max_row]:
        cell.alignment = Alignment(vertical="top")


# --- the work report draft ---------------------------------------------------------------------------


def _figure(evaluator: Evaluator, code: str, unit: Unit, sub_units: bool = True) -> Decimal | None:
    if not sources.figure_known(code):
        return None
    return evaluator.figures(code, [unit], sub_units).get(unit.code)


def _or_missing(value: Decimal | None, measure: str = "") -> str:
    if value is None:
        return _("[not computable yet]")
    return f"{present.number(value)}{measure}"


def work_report(*, standard: Standard, year: int, today: dt.date | None = None) -> bytes:
    """A draft of the county's work report (the kind of document the seed is): the situation with the
    real figures, the gaps still open from the ledger, and the rectification plan."""
    start, end = period_of(year, today=today)
    evaluator = Evaluator(start=start, end=end)
    county = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "SimSun"
    style.font.size = Pt(12)
    name = county.name if county else ""
    document.add_heading(
        _("%(county)s: work report on building the public cultural service system (%(year)s), draft")
        % {"county": name, "year": year},
        level=1,
    )
    document.add_paragraph(
        _(
            "Generated by Wenyun on %(day)s from the ledger against %(standard)s; figures in brackets could not be computed yet. Edit before use."
        )
        % {"day": timezone.localdate().isoformat(), "standard": standard.display_name}
    )

    document.add_heading(_("1. The overall situation"), level=2)
    if county is not None:
        counts = {kind: Unit.objects.filter(kind=kind, active=True).count() for kind in UnitKind.values}
        graded = Unit.objects.filter(
            kind__in=[UnitKind.LIBRARY, UnitKind.CULTURAL_CENTRE], active=True
        ).order_by("code")
        document.add_paragraph(
            _(
                "The county serves %(population)s residents through %(libraries)s library, %(centres)s cultural centre, "
                "%(stations)s township cultural stations and %(villages)s village and community cultural centres, "
                "with %(area)s m² of building in all."
            )
            % {
                "population": present.number(county.population),
                "libraries": counts[UnitKind.LIBRARY],
                "centres": counts[UnitKind.CULTURAL_CENTRE],
                "stations": counts[UnitKind.STATION],
                "villages": counts[UnitKind.VILLAGE],
                "area": _or_missing(_figure(evaluator, "building_area", county)),
            }
        )
        document.add_paragraph(
            "；".join(
                f"{u.name}：{u.get_grade_display()}，{present.number(u.building_area)} m²" for u in graded
            )
            + "。"
        )
        document.add_paragraph(
            _(
                "Loans in the year: %(loans)s; visits: %(visits)s; activities held: %(activities)s; volunteers' service hours: %(volunteer_hours)s."
            )
            % {
                "loans": _or_missing(_figure(evaluator, "loans", county)),
                "visits": _or_missing(_figure(evaluator, "visits_total", county)),
                "activities": _or_missing(_figure(evaluator, "activities", county)),
                "volunteer_hours": _or_missing(_figure(evaluator, "volunteer_hours", county)),
            }
        )
        document.add_paragraph(
            _(
                "Staff: %(staff)s people hold posts in the network; %(missing)s posts are still missing against the staffing rule; subsidies paid on approved rolls this year: %(subsidies)s yuan; training: %(training)s hours."
            )
            % {
                "staff": _or_missing(_figure(evaluator, "staff_count", county)),
                "missing": _or_missing(_figure(evaluator, "staff_missing", county)),
                "subsidies": _or_missing(_figure(evaluator, "subsidies_paid", county)),
                "training": _or_missing(_figure(evaluator, "training_hours", county)),
            }
        )

    results = standard_evaluate(standard=standard, year=year, today=today)
    document.add_heading(_("2. Indicators met"), level=2)
    met = [r for r in results if r.met is True]
    for result in met:
        document.add_paragraph(
            f"{result.indicator.code} {result.indicator.display_name}：{present.number(result.headline)}"
            f"（{present.threshold_text(result.indicator)}）",
            style="List Bullet",
        )
    if not met:
        document.add_paragraph(_("None yet."))

    document.add_heading(_("3. Gaps still open"), level=2)
    gaps = [r for r in results if r.met is False or not r.computable]
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        (_("indicator"), _("value now"), _("threshold"), _("what falls short")),
        strict=True,
    ):
        cell.text = text
    for result in gaps:
        cells = table.add_row().cells
        cells[0].text = f"{result.indicator.code} {result.indicator.display_name}"
        cells[1].text = present.number(result.headline) if result.computable else _("not computable yet")
        cells[2].text = present.threshold_text(result.indicator)
        cells[3].text = present.failing_sentence(result)

    document.add_heading(_("4. Rectification plan"), level=2)
    tasks = selectors.tasks_list().exclude(state="closed")
    if not tasks.exists():
        document.add_paragraph(_("No rectification task is open."))
    for task in tasks:
        document.add_paragraph(
            _("%(unit)s: %(finding)s (owner %(owner)s, by %(deadline)s, %(state)s)")
            % {
                "unit": task.unit.name,
                "finding": task.finding.text,
                "owner": task.owner,
                "deadline": task.deadline.isoformat(),
                "state": task.get_state_display(),
            },
            style="List Number",
        )
    for result in gaps:
        if result.computable and not result.failing:
            continue
        document.add_paragraph(
            _("Put right %(indicator)s: %(what)s")
            % {"indicator": result.indicator.display_name, "what": present.failing_sentence(result)},
            style="List Number",
        )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
