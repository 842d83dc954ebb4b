"""The annual report as an XLSX workbook laid out like the statistics forms.

One sheet per form (one row per institution, one column per item, the total last), one sheet
setting the totals beside the previous year's, and one sheet defining every item by its metric
code, so that every figure in the workbook traces to its definition.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _

from .metrics import REGISTRY
from .report import AnnualReport


def _cell(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    return value


def annual_report_xlsx(report: AnnualReport) -> bytes:
    import openpyxl
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="EEF1F4")
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")

    book = openpyxl.Workbook()
    book.remove(book.active)
    subtitle = _("%(unit)s · statistics year %(year)s") % {"unit": report.unit.name, "year": report.year}

    for form in report.forms:
        sheet = book.create_sheet(title=form.title[:28].replace("/", "-"))
        columns = 2 + len(form.items)
        sheet.cell(row=1, column=1, value=form.title).font = Font(bold=True, size=14)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
        sheet.cell(row=2, column=1, value=subtitle)
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=columns)
        # Three header rows, as on the printed forms: item name, unit of measure, item code.
        headers = [
            [_("Unit code"), _("Institution name")] + [item.name for item in form.items],
            ["", ""] + [item.measure or "" for item in form.items],
            [_("Item code"), ""] + [item.code for item in form.items],
        ]
        for offset, header_cells in enumerate(headers):
            for column, value in enumerate(header_cells, start=1):
                cell = sheet.cell(row=4 + offset, column=column, value=value)
                cell.font = bold
                cell.fill = head_fill
                cell.border = box
                cell.alignment = wrap
        row_number = 7
        for row in form.rows:
            sheet.cell(row=row_number, column=1, value=row.unit.code).border = box
            sheet.cell(row=row_number, column=2, value=row.unit.name).border = box
            for column, item in enumerate(form.items, start=3):
                cell = sheet.cell(row=row_number, column=column, value=_cell(row.values.get(item.code)))
                cell.border = box
                if item.decimals:
                    cell.number_format = "#,##0." + "0" * item.decimals
            row_number += 1
        sheet.cell(row=row_number, column=1, value="").border = box
        total_label = sheet.cell(row=row_number, column=2, value=_("Total"))
        total_label.font = bold
        total_label.border = box
        for column, item in enumerate(form.items, start=3):
            cell = sheet.cell(row=row_number, column=column, value=_cell(item.total))
            cell.font = bold
            cell.border = box
            if item.decimals:
                cell.number_format = "#,##0." + "0" * item.decimals
        if any(not item.available for item in form.items):
            sheet.cell(
                row=row_number + 2,
                column=1,
                value=_(
                    "Columns left empty are items Wenyun does not record yet; see the sheet of definitions."
                ),
            )
        sheet.column_dimensions["A"].width = 14
        sheet.column_dimensions["B"].width = 30
        for column in range(3, columns + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 13
        sheet.row_dimensions[4].height = 48
        sheet.freeze_panes = "C7"

    compare = book.create_sheet(title=_("Year on year")[:28])
    compare.cell(row=1, column=1, value=_("Totals set beside the previous year")).font = Font(
        bold=True, size=14
    )
    compare.cell(row=2, column=1, value=subtitle)
    header = [
        _("Form"),
        _("Item code"),
        _("Item"),
        _("Measure"),
        str(report.year),
        str(report.year - 1),
        _("Change on the year"),
        _("Change (%)"),
    ]
    for column, value in enumerate(header, start=1):
        cell = compare.cell(row=4, column=column, value=value)
        cell.font = bold
        cell.fill = head_fill
        cell.border = box
    row_number = 5
    sections = [(form.title, form.items) for form in report.forms] + [(_("Indicators"), report.indicators)]
    for title, items in sections:
        for item in items:
            line: list[object] = [
                title,
                item.code,
                item.name,
                item.measure,
                _cell(item.total),
                _cell(item.previous),
                _cell(item.change),
                item.change_pct,
            ]
            for column, entry in enumerate(line, start=1):
                compare.cell(row=row_number, column=column, value=entry).border = box
            row_number += 1
    for letter, width in zip("ABCDEFGH", (30, 26, 30, 10, 14, 14, 14, 12), strict=True):
        compare.column_dimensions[letter].width = width

    definitions = book.create_sheet(title=_("Definitions")[:28])
    header = [_("Item code"), _("Item"), _("Measure"), _("Computed from"), _("Definition")]
    for column, value in enumerate(header, start=1):
        cell = definitions.cell(row=1, column=column, value=value)
        cell.font = bold
        cell.fill = head_fill
    names: dict[str, str] = {}
    for _title, items in sections:
        for item in items:
            names.setdefault(item.code, item.name)
    for row_number, (code, name) in enumerate(names.items(), start=2):
        metric = REGISTRY.get(code)
        if metric is None:
            values = [code, name, "", "", _("Not recorded in Wenyun yet: the column is left empty.")]
        else:
            values = [code, str(metric.name), str(metric.measure), metric.source, str(metric.definition)]
        for column, value in enumerate(values, start=1):
            cell = definitions.cell(row=row_number, column=column, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (26, 28, 10, 14, 90), strict=True):
        definitions.column_dimensions[letter].width = width

    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
