"""The papers acquisitions hands out: the order as XLSX for the vendor, the packing list of each
destination unit (XLSX, and a PDF to print and sign), the late lines to claim from each vendor, and
a weeding batch for the county's asset records.

Each function takes what the selectors return and gives the file's bytes; the pages send them.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from wenyun.core.errors import DomainError
from wenyun.network.models import Unit

from .labels import LATIN, cjk_font
from .models import ZERO, Order, OrderLine, Receipt, WeedingBatch

HEADER_FILL = PatternFill("solid", fgColor="EEF1F4")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
THIN = Side(style="thin", color="999999")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
MONEY = "#,##0.00"
DATE = "yyyy-mm-dd"


# -- workbook helpers ------------------------------------------------------------------------------


def _put(sheet, row: int, column: int, value, *, number_format: str = ""):
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and cell.data_type == "f":
        # A title from a vendor's list that starts with "=" is text, never a formula Excel would run.
        cell.data_type = "s"
    if number_format:
        cell.number_format = number_format
    return cell


def _header(sheet, row: int, labels: Sequence[str]) -> None:
    for column, label in enumerate(labels, start=1):
        cell = _put(sheet, row, column, label)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _facts(sheet, row: int, facts: Sequence[tuple[str, object]]) -> int:
    """Label and value pairs down columns A and B from row; returns the next free row."""
    for label, value in facts:
        _put(sheet, row, 1, label).font = BOLD
        _put(sheet, row, 2, value, number_format=DATE if isinstance(value, dt.date) else "")
        row += 1
    return row


def _widths(sheet, widths: Sequence[float]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_title(text: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of []:*?/\\), unique in the workbook."""
    base = _SHEET_BAD.sub("-", text).strip("'") or "-"
    title, n = base[:31], 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def _bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


# -- the order for the vendor ----------------------------------------------------------------------


def _destination_units(order: Order, lines: Sequence[OrderLine]) -> list[Unit]:
    """The hub first, then by code: a station comes with its villages after it (YX-S01, YX-S01-V01)."""
    units = {d.unit_id: d.unit for line in lines for d in line.destinations.all()}
    return sorted(units.values(), key=lambda unit: (unit.pk != order.unit_id, unit.code))


def order_xlsx(*, order: Order, lines: Sequence[OrderLine]) -> bytes:
    """The order as the vendor reads it: the order's facts, one row per title with its prices and a
    column of copies per destination unit, the totals; then a sheet per unit with what goes to it,
    for a vendor who packs for each unit. lines: selectors.order_lines(order=...)."""
    book = Workbook()
    sheet = book.active
    taken: set[str] = set()
    sheet.title = _sheet_title(_("Order %(number)s") % {"number": order.number}, taken)
    units = _destination_units(order, lines)
    _put(sheet, 1, 1, _("Purchase order %(number)s") % {"number": order.number}).font = TITLE
    row = _facts(
        sheet,
        3,
        [
            (_("Order number"), order.number),
            (_("Vendor"), order.vendor.name),
            (_("Fund"), f"{order.fund.code} {order.fund.name}"),
            (_("Date"), _local_date(order.sent_at or order.created_at)),
            (_("Buyer"), order.unit.name),
            (_("Expected by"), order.expected_by),
            *([(_("Note"), order.note)] if order.note else []),
        ],
    )
    head = row + 1
    columns = [
        _("No."),
        _("ISBN"),
        _("Title"),
        _("Author"),
        _("Publisher"),
        _("List price"),
        _("Quantity"),
        _("Price paid"),
        _("Line total"),
        *[unit.name for unit in units],
    ]
    _header(sheet, head, columns)
    per_unit_total: dict[int, int] = defaultdict(int)
    quantity_total, money_total = 0, ZERO
    row = head + 1
    for n, line in enumerate(lines, start=1):
        total = line.price * line.quantity
        quantity_total += line.quantity
        money_total += total
        by_unit = {d.unit_id: d.quantity for d in line.destinations.all()}
        values = [n, line.isbn, line.title, line.author, line.publisher]
        for column, value in enumerate(values, start=1):
            _put(sheet, row, column, value)
        _put(sheet, row, 6, line.list_price, number_format=MONEY)
        _put(sheet, row, 7, line.quantity)
        _put(sheet, row, 8, line.price, number_format=MONEY)
        _put(sheet, row, 9, total, number_format=MONEY)
        for offset, unit in enumerate(units):
            copies = by_unit.get(unit.pk)
            per_unit_total[unit.pk] += copies or 0
            _put(sheet, row, 10 + offset, copies)
        row += 1
    _put(sheet, row, 3, _("Total")).font = BOLD
    _put(sheet, row, 7, quantity_total).font = BOLD
    _put(sheet, row, 9, money_total, number_format=MONEY).font = BOLD
    for offset, unit in enumerate(units):
        _put(sheet, row, 10 + offset, per_unit_total[unit.pk]).font = BOLD
    _widths(sheet, [14, 16, 40, 18, 22, 11, 9, 11, 12, *[12] * len(units)])
    sheet.freeze_panes = sheet.cell(row=head + 1, column=4)

    for unit in units:
        _order_unit_sheet(book, order=order, lines=lines, unit=unit, taken=taken)
    return _bytes(book)


def _order_unit_sheet(book: Workbook, *, order: Order, lines: Sequence[OrderLine], unit: Unit, taken) -> None:
    sheet = book.create_sheet(_sheet_title(f"{unit.code} {unit.name}", taken))
    _put(
        sheet, 1, 1, _("%(order)s: copies for %(unit)s") % {"order": order.number, "unit": unit.name}
    ).font = TITLE
    row = _facts(
        sheet,
        3,
        [
            (_("Unit"), f"{unit.name} ({unit.code})"),
            (_("Address"), unit.address),
            (_("Telephone"), unit.phone),
        ],
    )
    head = row + 1
    _header(sheet, head, [_("No."), _("ISBN"), _("Title"), _("Author"), _("List price"), _("Quantity")])
    row, n, copies = head + 1, 0, 0
    for line in lines:
        quantity = next((d.quantity for d in line.destinations.all() if d.unit_id == unit.pk), 0)
        if not quantity:
            continue
        n += 1
        copies += quantity
        for column, value in enumerate([n, line.isbn, line.title, line.author], start=1):
            _put(sheet, row, column, value)
        _put(sheet, row, 5, line.list_price, number_format=MONEY)
        _put(sheet, row, 6, quantity)
        row += 1
    _put(sheet, row, 3, _("Total")).font = BOLD
    _put(sheet, row, 6, copies).font = BOLD
    _widths(sheet, [8, 16, 40, 18, 11, 9])
    sheet.freeze_panes = sheet.cell(row=head + 1, column=1)


# -- packing lists --------------------------------------------------------------------------------------


def _by_unit(receipts: Sequence[Receipt]) -> list[tuple[Unit, list[Receipt]]]:
    groups: dict[int, list[Receipt]] = defaultdict(list)
    units: dict[int, Unit] = {}
    for receipt in receipts:
        unit = receipt.destination.unit
        units[unit.pk] = unit
        groups[unit.pk].append(receipt)
    return [(units[pk], groups[pk]) for pk in sorted(groups, key=lambda pk: units[pk].code)]


def _packing_facts(unit: Unit, receipts: Sequence[Receipt]) -> list[tuple[str, object]]:
    orders = sorted({receipt.line.order.number for receipt in receipts})
    hubs = sorted({receipt.line.order.unit.name for receipt in receipts})
    return [
        (_("Destination unit"), f"{unit.name} ({unit.code})"),
        (_("Sending unit"), "、".join(hubs)),
        (pgettext("purchase order", "Order"), ", ".join(orders)),
        (_("Copies"), len(receipts)),
        (_("Printed on"), timezone.localdate()),
    ]


def _packing_columns() -> list[str]:
    return [_("No."), _("Barcode"), _("Call number"), _("Title"), _("ISBN")]


def _check_receipts(receipts: Sequence[Receipt]) -> None:
    if not receipts:
        raise DomainError(_("No copies have been received for this packing list."), code="packing_empty")


def packing_list_xlsx(*, receipts: Sequence[Receipt]) -> bytes:
    """A sheet per destination unit with the copies packed for it (barcode, call number, title), and
    lines to sign when they are packed and when they arrive. receipts: selectors.receipts_of(...)."""
    _check_receipts(receipts)
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for unit, copies in _by_unit(receipts):
        sheet = book.create_sheet(_sheet_title(f"{unit.code} {unit.name}", taken))
        _put(sheet, 1, 1, _("Packing list: %(unit)s") % {"unit": unit.name}).font = TITLE
        head = _facts(sheet, 3, _packing_facts(unit, copies)) + 1
        _header(sheet, head, _packing_columns())
        row = head + 1
        for n, receipt in enumerate(copies, start=1):
            values = [n, receipt.barcode, receipt.call_number, receipt.line.title, receipt.line.isbn]
            for column, value in enumerate(values, start=1):
                _put(sheet, row, column, value).border = BOX
            row += 1
        row += 1
        for label in (_("Packed by"), _("Received by")):
            _put(sheet, row, 1, label).font = BOLD
            _put(sheet, row, 2, "")
            _put(sheet, row, 3, _("Date"))
            row += 2
        _widths(sheet, [8, 16, 16, 44, 16])
        sheet.print_title_rows = f"{head}:{head}"
    return _bytes(book)


def packing_list_pdf(*, receipts: Sequence[Receipt], compress: bool = True) -> bytes:
    """The packing lists to print: each destination unit on its own pages, the table's header on every
    page, lines to sign at the end. compress=False leaves the page streams readable (for tests)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from reportlab.platypus.flowables import KeepTogether

    _check_receipts(receipts)
    font = cjk_font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4 * mm)
    text_style = ParagraphStyle("text", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    printed = timezone.localdate().isoformat()

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(LATIN, 8)
        canvas.drawRightString(A4[0] - 15 * mm, 10 * mm, f"{printed}  ·  {document.page}")
        canvas.restoreState()

    story: list = []
    for index, (unit, copies) in enumerate(_by_unit(receipts)):
        if index:
            story.append(PageBreak())
        story.append(Paragraph(_escape(_("Packing list: %(unit)s") % {"unit": unit.name}), title_style))
        for label, value in _packing_facts(unit, copies):
            text = value.isoformat() if isinstance(value, dt.date) else str(value)
            story.append(Paragraph(f"{_escape(label)}: {_escape(text)}", text_style))
        story.append(Spacer(1, 4 * mm))
        rows: list[list] = [[Paragraph(_escape(label), cell_style) for label in _packing_columns()]]
        for n, receipt in enumerate(copies, start=1):
            rows.append(
                [
                    str(n),
                    receipt.barcode,
                    receipt.call_number,
                    Paragraph(_escape(receipt.line.title), cell_style),
                    receipt.line.isbn,
                ]
            )
        table = Table(rows, colWidths=[12 * mm, 30 * mm, 30 * mm, 78 * mm, 30 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    # Barcodes, call numbers and ISBNs in Helvetica: figures read best there.
                    ("FONT", (0, 1), (-1, -1), LATIN, 9),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEF1F4")),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story.append(table)
        signatures = Table(
            [
                [
                    Paragraph(_escape(_("Packed by")), text_style),
                    "",
                    Paragraph(_escape(_("Date")), text_style),
                    "",
                ],
                [
                    Paragraph(_escape(_("Received by")), text_style),
                    "",
                    Paragraph(_escape(_("Date")), text_style),
                    "",
                ],
            ],
            colWidths=[25 * mm, 60 * mm, 20 * mm, 45 * mm],
            rowHeights=[12 * mm, 12 * mm],
            hAlign="LEFT",
        )
        signatures.setStyle(
            TableStyle(
                [
                    ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
                    ("LINEBELOW", (3, 0), (3, -1), 0.6, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ]
            )
        )
        story.append(KeepTogether([Spacer(1, 8 * mm), signatures]))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=_("Packing list"),
        creator="Wenyun",
        pageCompression=1 if compress else 0,
    )
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _escape(text: str) -> str:
    """Paragraph text is a little markup: a title's "<" or "&" is text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -- late lines to claim -------------------------------------------------------------------------------


def late_lines_xlsx(*, lines: Sequence[OrderLine], today: dt.date) -> bytes:
    """The claim (催缺) to send each vendor: a sheet per vendor with its late lines, what each still
    awaits and for how long. lines: selectors.late_lines(today=...)."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    by_vendor: dict[int, list[OrderLine]] = defaultdict(list)
    for line in lines:
        by_vendor[line.order.vendor_id].append(line)
    if not by_vendor:
        sheet = book.create_sheet(_sheet_title(_("Late lines"), taken))
        _put(sheet, 1, 1, _("No lines are late on %(day)s.") % {"day": today.isoformat()})
        return _bytes(book)
    columns = [
        _("Order number"),
        _("Sent on"),
        _("Expected by"),
        _("Days late"),
        _("ISBN"),
        _("Title"),
        _("Author"),
        _("Publisher"),
        _("Copies ordered"),
        _("Copies received"),
        _("Awaited"),
        _("Price paid"),
        _("Awaited value"),
    ]
    for vendor_lines in sorted(by_vendor.values(), key=lambda group: group[0].order.vendor.code):
        vendor = vendor_lines[0].order.vendor
        sheet = book.create_sheet(_sheet_title(f"{vendor.code} {vendor.name}", taken))
        _put(
            sheet, 1, 1, _("Claim for copies not received: %(vendor)s") % {"vendor": vendor.name}
        ).font = TITLE
        head = (
            _facts(
                sheet,
                3,
                [
                    (_("Vendor"), vendor.name),
                    (_("Contact"), " ".join(part for part in (vendor.contact, vendor.phone) if part)),
                    (_("Email"), vendor.email),
                    (_("Date"), today),
                ],
            )
            + 1
        )
        _header(sheet, head, columns)
        row, awaited_total, value_total = head + 1, 0, ZERO
        for line in vendor_lines:
            order = line.order
            awaited = line.open_quantity
            value = line.price * awaited
            awaited_total += awaited
            value_total += value
            cells: list[tuple[object, str]] = [
                (order.number, ""),
                (_local_date(order.sent_at), DATE),
                (order.expected_by, DATE),
                ((today - order.expected_by).days if order.expected_by else None, ""),
                (line.isbn, ""),
                (line.title, ""),
                (line.author, ""),
                (line.publisher, ""),
                (line.quantity, ""),
                (line.received, ""),
                (awaited, ""),
                (line.price, MONEY),
                (value, MONEY),
            ]
            for column, (content, number_format) in enumerate(cells, start=1):
                _put(sheet, row, column, content, number_format=number_format)
            row += 1
        _put(sheet, row, 6, _("Total")).font = BOLD
        _put(sheet, row, 11, awaited_total).font = BOLD
        _put(sheet, row, 13, value_total, number_format=MONEY).font = BOLD
        _widths(sheet, [14, 11, 11, 9, 16, 40, 18, 22, 8, 8, 8, 11, 12])
        sheet.freeze_panes = sheet.cell(row=head + 1, column=1)
    return _bytes(book)


# -- a weeding batch for the asset records ---------------------------------------------------------


def weeding_batch_xlsx(*, batch: WeedingBatch) -> bytes:
    """The copies withdrawn in a batch, for the county's asset records (固定资产 write-off): one row a
    copy with its barcode, title, call number, price, acquisition day and the reason, and the total."""
    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(_("Withdrawn copies"), set())
    items = list(batch.items.order_by("barcode"))
    _put(sheet, 1, 1, _("Copies withdrawn: %(unit)s") % {"unit": batch.unit.name}).font = TITLE
    head = (
        _facts(
            sheet,
            3,
            [
                (_("Unit"), f"{batch.unit.code} {batch.unit.name}"),
                (_("Date"), batch.day),
                (_("Reason"), batch.reason),
                (_("Copies"), len(items)),
            ],
        )
        + 1
    )
    _header(
        sheet, head, [_("Barcode"), _("Title"), _("Call number"), _("Price"), _("Acquired on"), _("Reason")]
    )
    row, total = head + 1, ZERO
    for item in items:
        cells: list[tuple[object, str]] = [
            (item.barcode, ""),
            (item.title, ""),
            (item.call_number, ""),
            (item.price, MONEY),
            (item.acquired_on, DATE),
            (batch.reason, ""),
        ]
        for column, (content, number_format) in enumerate(cells, start=1):
            _put(sheet, row, column, content, number_format=number_format)
        total += item.price or ZERO
        row += 1
    _put(sheet, row, 2, _("Total")).font = BOLD
    _put(sheet, row, 4, total, number_format=MONEY).font = BOLD
    _widths(sheet, [16, 40, 16, 11, 12, 30])
    sheet.freeze_panes = sheet.cell(row=head + 1, column=1)
    return _bytes(book)
