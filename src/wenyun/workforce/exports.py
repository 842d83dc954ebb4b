"""The subsidy roll as the XLSX sheet a finance office pays from: one row per line, the standard, the
days, the amount, a column to sign, and the totals. Numbers are written as numbers, not formulas, so
the file reads the same in any spreadsheet and in openpyxl."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from wenyun.network.models import Unit

from . import selectors
from .models import Post, SubsidyRoll

MONEY = "#,##0.00"


def roll_xlsx(*, roll: SubsidyRoll, county: Unit | None, within: Unit | None = None) -> bytes:
    lines = list(selectors.roll_lines(roll=roll, within=within))
    total = selectors.roll_total(roll=roll, within=within)
    book = Workbook()
    sheet = book.active
    sheet.title = roll.label
    headers = [
        _("No."),
        _("Unit"),
        pgettext("workforce", "Name"),
        pgettext("workforce", "Post"),
        _("Standard (yuan/month)"),
        _("Days in post"),
        _("Amount due (yuan)"),
        _("Note"),
        _("Signature"),
    ]
    county_name = county.name if county else ""
    sheet.append([_("%(county)s subsidy roll for %(month)s") % {"county": county_name, "month": roll.label}])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    status = (
        _("Approved on %(day)s") % {"day": timezone.localtime(roll.approved_at).strftime("%Y-%m-%d")}
        if roll.is_frozen
        else _("Draft, not approved")
    )
    sheet.append([status])
    sheet.append(headers)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for number, line in enumerate(lines, start=1):
        if line.kind == line.Kind.ADJUSTMENT:
            note = _("Adjustment for %(month)s: %(reason)s") % {
                "month": line.corrects_month.strftime("%Y-%m") if line.corrects_month else "",
                "reason": line.reason,
            }
            standard, days = None, None
        else:
            note = (
                _("%(days)s of %(of)s days") % {"days": line.days, "of": line.days_in_month}
                if line.days < line.days_in_month
                else ""
            )
            standard, days = line.standard, line.days
        sheet.append(
            [
                number,
                line.unit.name,
                line.person_name,
                str(Post(line.post).label),
                standard,
                days,
                line.amount,
                note,
                "",
            ]
        )
    sheet.append(
        [
            "",
            _("Total"),
            _("%(count)s people") % {"count": len({line.person_id for line in lines})},
            "",
            "",
            "",
            total,
            "",
            "",
        ]
    )
    total_row = sheet.max_row
    for cell in sheet[total_row]:
        cell.font = Font(bold=True)
    thin = Side(style="thin")
    for row in sheet.iter_rows(min_row=header_row, max_row=total_row):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for row in sheet.iter_rows(min_row=header_row + 1, max_row=total_row, min_col=5, max_col=7):
        row[0].number_format = MONEY
        row[2].number_format = MONEY
    sheet.append([])
    sheet.append([_("Prepared by:"), "", "", _("Reviewed by:"), "", "", _("Approved by:")])
    for index, width in enumerate([6, 28, 12, 22, 14, 10, 14, 28, 16], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
