"""The papers acquisitions hands out, read back as a vendor or a station manager would open them."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from wenyun.acquisitions import exports, selectors, services
from wenyun.core.errors import DomainError

from .helpers import isbn
from .pdfs import page_count, texts

pytestmark = pytest.mark.django_db


def workbook(data: bytes):
    assert data[:2] == b"PK"  # XLSX is a zip
    return openpyxl.load_workbook(io.BytesIO(data))


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def row_of(sheet, first: str) -> int:
    """The row whose first cell says `first`: the table's header, wherever the facts above end."""
    rows = [cell.row for cell in sheet["A"] if cell.value == first]
    assert len(rows) == 1, (first, rows)
    return rows[0]


def values(sheet, row: int) -> list:
    return [cell.value for cell in sheet[row]]


@pytest.fixture
def order(county_admin, vendor, fund, unit, book):
    """Two titles: 平凡的世界 for the hub (1) and 城关镇 (2); 人生 for 城关镇 (1) and 石桥村 (2)."""
    return services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        note="春季补充",
        expected_by=dt.date(2026, 4, 30),
        lines=[
            services.LineIn(
                isbn=isbn(1),
                title="平凡的世界",
                author="路遥",
                publisher="北京十月文艺出版社",
                price="50.00",
                quantity=3,
                clc="I247.57",
                destinations=[(fund.unit, 1), (unit("YX-S01"), 2)],
            ),
            services.LineIn(
                isbn=isbn(2),
                title="人生",
                author="路遥",
                price="¥２９.８",
                quantity=3,
                clc="I247.57",
                destinations=[(unit("YX-S01-V01"), 2), (unit("YX-S01"), 1)],
            ),
        ],
    )


# -- the order for the vendor -------------------------------------------------------------------------


def test_the_order_for_the_vendor_has_its_facts_lines_and_total(order, unit):
    book = workbook(exports.order_xlsx(order=order, lines=selectors.order_lines(order=order)))
    sheet = book.worksheets[0]
    assert sheet.title == f"Order {order.number}"
    assert sheet["A1"].value == f"Purchase order {order.number}"
    facts = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value for r in range(3, 10)}
    assert facts["Vendor"] == "新华书店"
    assert facts["Fund"] == "LIB-2026 县馆购书经费"
    assert facts["Buyer"] == "云溪县图书馆"
    assert facts["Expected by"] == dt.datetime(2026, 4, 30)
    assert facts["Date"] == dt.datetime.combine(timezone.localtime(order.created_at).date(), dt.time())
    assert facts["Note"] == "春季补充"

    head = row_of(sheet, "No.")
    village = unit("YX-S01-V01").name
    assert values(sheet, head) == [
        "No.",
        "ISBN",
        "Title",
        "Author",
        "Publisher",
        "List price",
        "Quantity",
        "Price paid",
        "Line total",
        "云溪县图书馆",  # the hub first, then by code: the station before its village
        "城关镇综合文化站",
        village,
    ]
    first, second, total = values(sheet, head + 1), values(sheet, head + 2), values(sheet, head + 3)
    assert first[:5] == [1, isbn(1), "平凡的世界", "路遥", "北京十月文艺出版社"]
    assert [money(v) for v in first[5:9:2]] == [Decimal("50.00"), Decimal("40.00")]  # 八折
    assert (first[6], money(first[8]), first[9:]) == (3, Decimal("120.00"), [1, 2, None])
    assert second[:3] == [2, isbn(2), "人生"]
    assert (money(second[5]), second[6], money(second[7]), money(second[8])) == (
        Decimal("29.80"),
        3,
        Decimal("23.84"),
        Decimal("71.52"),
    )
    assert second[9:] == [None, 1, 2]
    assert total[2] == "Total"
    assert (total[6], money(total[8]), total[9:]) == (6, Decimal("191.52"), [1, 3, 2])
    assert money(total[8]) == selectors.order_total(order)
    assert sheet.cell(row=head + 1, column=6).number_format == "#,##0.00"


def test_each_destination_has_a_sheet_of_what_goes_to_it(order, unit):
    book = workbook(exports.order_xlsx(order=order, lines=selectors.order_lines(order=order)))
    village = unit("YX-S01-V01")
    assert book.sheetnames[1:] == [
        "YX-LIB 云溪县图书馆",
        "YX-S01 城关镇综合文化站",
        f"YX-S01-V01 {village.name}"[:31],
    ]
    station = book["YX-S01 城关镇综合文化站"]
    assert station["B3"].value == "城关镇综合文化站 (YX-S01)"
    head = row_of(station, "No.")
    assert values(station, head + 1) == [1, isbn(1), "平凡的世界", "路遥", 50, 2]
    assert values(station, head + 2)[:3] == [2, isbn(2), "人生"]
    assert values(station, head + 2)[5] == 1
    assert values(station, head + 3)[2:] == ["Total", None, None, 3]
    hub = book["YX-LIB 云溪县图书馆"]
    head = row_of(hub, "No.")
    assert values(hub, head + 1)[2] == "平凡的世界"
    assert values(hub, head + 2)[2:] == ["Total", None, None, 1]  # 人生 sends it nothing


def test_a_title_that_looks_like_a_formula_stays_text(county_admin, vendor, fund):
    order = services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[services.LineIn(title='=HYPERLINK("http://x","点我")', author="=1+1", price="10", quantity=1)],
    )
    sheet = workbook(exports.order_xlsx(order=order, lines=selectors.order_lines(order=order))).worksheets[0]
    line = row_of(sheet, "No.") + 1
    assert sheet.cell(row=line, column=3).value == '=HYPERLINK("http://x","点我")'
    assert sheet.cell(row=line, column=3).data_type == "s"
    assert sheet.cell(row=line, column=4).value == "=1+1"
    assert sheet.cell(row=line, column=2).value is None  # no ISBN: an empty cell, not an error


def test_the_order_in_chinese(order):
    from django.utils import translation

    with translation.override("zh-hans"):
        sheet = workbook(
            exports.order_xlsx(order=order, lines=selectors.order_lines(order=order))
        ).worksheets[0]
    assert sheet["A1"].value == f"采购订单 {order.number}"
    assert values(sheet, row_of(sheet, "序号"))[:9] == [
        "序号",
        "ISBN",
        "题名",
        "作者",
        "出版社",
        "定价",
        "数量",
        "实价",
        "金额",
    ]


# -- packing lists ----------------------------------------------------------------------------------------


def _receive_all(admin, order) -> None:
    services.order_send(actor=admin, order=order)
    for n, number in enumerate([isbn(1)] * 3 + [isbn(2)] * 3, start=1):
        services.receipt_create(actor=admin, order=order, isbn=number, barcode=f"A{n:07d}")


def test_a_packing_list_per_destination_with_the_copies_packed_for_it(county_admin, order, unit):
    _receive_all(county_admin, order)
    receipts = selectors.receipts_of(order=order)
    book = workbook(exports.packing_list_xlsx(receipts=receipts))
    village = unit("YX-S01-V01")
    assert book.sheetnames == [
        "YX-LIB 云溪县图书馆",
        "YX-S01 城关镇综合文化站",
        f"YX-S01-V01 {village.name}"[:31],
    ]

    station = book["YX-S01 城关镇综合文化站"]
    assert station["A1"].value == "Packing list: 城关镇综合文化站"
    facts = {station.cell(row=r, column=1).value: station.cell(row=r, column=2).value for r in range(3, 8)}
    assert facts["Destination unit"] == "城关镇综合文化站 (YX-S01)"
    assert facts["Sending unit"] == "云溪县图书馆"
    assert facts["Order"] == order.number
    assert facts["Copies"] == 3
    head = row_of(station, "No.")
    assert values(station, head) == ["No.", "Barcode", "Call number", "Title", "ISBN"]
    assert [values(station, head + k) for k in (1, 2, 3)] == [
        [1, "A0000002", "I247.57/1", "平凡的世界", isbn(1)],
        [2, "A0000003", "I247.57/1", "平凡的世界", isbn(1)],
        [3, "A0000006", "I247.57/2", "人生", isbn(2)],
    ]
    assert station.cell(row=head + 5, column=1).value == "Packed by"
    assert station.cell(row=head + 7, column=1).value == "Received by"

    villages = book[f"YX-S01-V01 {village.name}"[:31]]
    head = row_of(villages, "No.")
    assert [values(villages, head + k)[1] for k in (1, 2)] == ["A0000004", "A0000005"]


def test_a_packing_list_for_one_unit(county_admin, order, unit):
    _receive_all(county_admin, order)
    receipts = selectors.receipts_of(order=order, unit=unit("YX-S01-V01"))
    assert [r.barcode for r in receipts] == ["A0000004", "A0000005"]
    assert workbook(exports.packing_list_xlsx(receipts=receipts)).sheetnames == [
        f"YX-S01-V01 {unit('YX-S01-V01').name}"[:31]
    ]


def test_the_printed_packing_list_gives_each_unit_its_own_pages(county_admin, order):
    _receive_all(county_admin, order)
    pdf = exports.packing_list_pdf(receipts=selectors.receipts_of(order=order), compress=False)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 3
    shown = texts(pdf)
    assert {f"A{n:07d}" for n in range(1, 7)} <= set(shown)
    assert {"I247.57/1", "I247.57/2", isbn(1)} <= set(shown)
    assert {"Packing list: 城关镇综合文化站", "Destination unit: 城关镇综合文化站 (YX-S01)"} <= set(shown)
    assert b"/BaseFont /STSong-Light" in pdf


def test_a_long_packing_list_repeats_its_header_on_every_page(county_admin, vendor, fund, unit, book):
    order = services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[
            services.LineIn(
                isbn=isbn(3),
                title="乡村振兴<实用>技术 & 案例",
                price="20",
                quantity=60,
                clc="S-49",
                destinations=[(unit("YX-S02"), 60)],
            )
        ],
    )
    services.order_send(actor=county_admin, order=order)
    for n in range(60):
        services.receipt_create(actor=county_admin, order=order, isbn=isbn(3), barcode=f"C{n:07d}")
    pdf = exports.packing_list_pdf(receipts=selectors.receipts_of(order=order), compress=False)
    pages = page_count(pdf)
    assert pages >= 2
    shown = texts(pdf)
    assert shown.count("乡村振兴<实用>技术 & 案例") == 60  # markup in a title is text
    assert sum(1 for text in shown if text == "ISBN") == pages  # the header row on each page


def test_a_packing_list_of_nothing_is_refused():
    with pytest.raises(DomainError) as refused:
        exports.packing_list_xlsx(receipts=[])
    assert refused.value.code == "packing_empty"
    with pytest.raises(DomainError):
        exports.packing_list_pdf(receipts=[])


# -- late lines to claim -------------------------------------------------------------------------------------


def test_the_claim_list_has_a_sheet_per_vendor_with_what_is_still_awaited(county_admin, vendor, fund, order):
    other = services.vendor_save(
        actor=county_admin, code="WX", name="文轩/图书", contact="张三", phone="028-1234567", rate="75"
    )
    services.order_send(actor=county_admin, order=order)
    services.receipt_create(actor=county_admin, order=order, isbn=isbn(1), barcode="A0000001")
    second = services.order_create(
        actor=county_admin,
        vendor=other,
        fund=fund,
        expected_by=dt.date(2026, 5, 10),
        lines=[services.LineIn(isbn=isbn(4), title="白鹿原", price="40", quantity=2)],
    )
    services.order_send(actor=county_admin, order=second)
    today = dt.date(2026, 5, 20)

    book = workbook(exports.late_lines_xlsx(lines=selectors.late_lines(today=today), today=today))
    assert book.sheetnames == ["WX 文轩-图书", "XH 新华书店"]  # "/" cannot be in a sheet's name
    sheet = book["XH 新华书店"]
    assert sheet["A1"].value == "Claim for copies not received: 新华书店"
    head = row_of(sheet, "Order number")
    assert values(sheet, head)[3:6] == ["Days late", "ISBN", "Title"]
    first = values(sheet, head + 1)
    assert first[0] == order.number
    assert first[2] == dt.datetime(2026, 4, 30)
    assert first[3:6] == [20, isbn(1), "平凡的世界"]
    assert first[8:11] == [3, 1, 2]  # ordered, received, awaited
    assert (money(first[11]), money(first[12])) == (Decimal("40.00"), Decimal("80.00"))
    second_line = values(sheet, head + 2)
    assert second_line[8:11] == [3, 0, 3]
    total = values(sheet, head + 3)
    assert (total[5], total[10], money(total[12])) == ("Total", 5, Decimal("151.52"))

    theirs = book["WX 文轩-图书"]
    facts = {theirs.cell(row=r, column=1).value: theirs.cell(row=r, column=2).value for r in range(3, 7)}
    assert facts["Contact"] == "张三 0281234567"  # as vendor_save keeps a phone
    assert facts["Date"] == dt.datetime(2026, 5, 20)
    line = values(theirs, row_of(theirs, "Order number") + 1)
    assert line[3] == 10 and line[5] == "白鹿原" and money(line[12]) == Decimal("60.00")


def test_no_late_lines_is_a_workbook_that_says_so():
    book = workbook(exports.late_lines_xlsx(lines=[], today=dt.date(2026, 5, 20)))
    assert book.sheetnames == ["Late lines"]
    assert book.worksheets[0]["A1"].value == "No lines are late on 2026-05-20."
