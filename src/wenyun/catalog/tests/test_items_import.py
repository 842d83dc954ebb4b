"""`import-items`: copies from a CSV (UTF-8 or GB18030) or XLSX file; bad rows named by line, good rows import."""

import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.utils import translation

from wenyun.catalog import imports
from wenyun.catalog.models import Item
from wenyun.core.errors import DomainError


def test_a_chinese_csv_in_gb18030_imports_its_good_rows_and_names_the_bad_ones(shelf, tmp_path):
    path = tmp_path / "items.csv"
    path.write_bytes(
        (
            "条码号,ISBN,记录号,馆藏单位,馆藏地点,文献类型,价格,索书号\n"
            "C001,978-7-5366-9293-0,,YX-S02,图书室,book,23.00,I247.55/1\n"
            f"C002,,{shelf['huozhe'].pk},YX-S02-V01,农家书屋,,18,\n"
            "C003,9787536692931,,YX-S02,,,,\n"
            "B001,,%d,YX-S02,,,,\n"
            "C004,,,NOWHERE,,,,\n"
            "C001,,%d,YX-S02,,,,\n" % (shelf["huozhe"].pk, shelf["huozhe"].pk)
        ).encode("gb18030")
    )
    report = imports.items_import(path=path)
    assert (report.rows, report.added) == (6, 2)
    assert report.problems == [
        {"line": 4, "barcode": "C003", "reason": "9787536692931 不是有效的 ISBN"},
        {"line": 5, "barcode": "B001", "reason": "条码号 B001 已经用在另一个复本上"},
        {"line": 6, "barcode": "C004", "reason": "记录号和 ISBN 都没有给出"},
        {"line": 7, "barcode": "C001", "reason": "文件中条码号 C001 出现了两次"},
    ]
    c001 = Item.objects.get(barcode="C001")
    assert (c001.record.title, c001.home_unit.code, c001.location, str(c001.price), c001.call_number) == (
        "三体",
        "YX-S02",
        "图书室",
        "23.00",
        "I247.55/1",
    )
    assert Item.objects.get(barcode="C002").call_number == "I247.57"


def test_an_xlsx_with_english_headers_imports(shelf, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["barcode", "record_id", "unit", "location", "item_type", "price", "call_number"])
    sheet.append(["X001", shelf["santi"].pk, "YX-LIB", "Stacks", "book", 45, ""])
    book.save(tmp_path / "items.xlsx")
    report = imports.items_import(path=tmp_path / "items.xlsx")
    assert (report.added, report.problems) == (1, [])
    assert Item.objects.get(barcode="X001").price == 45


def test_a_file_without_the_needed_columns_is_refused_whole(shelf, tmp_path):
    path = tmp_path / "items.csv"
    path.write_text("barcode,title\nZ1,三体\n", encoding="utf-8")
    with pytest.raises(DomainError) as exc:
        imports.items_import(path=path)
    assert exc.value.code == "header_missing"
    assert not Item.objects.filter(barcode="Z1").exists()


def test_prices_dates_and_full_width_digits_are_read_as_people_write_them(shelf, tmp_path):
    record = shelf["santi"].pk
    path = tmp_path / "items.csv"
    path.write_text(
        "barcode,record_id,unit,price,acquired_on,location\n"
        f"W001,{record},YX-LIB,¥35.00,2026/1/5,\n"
        f"W002,{record},YX-LIB,35元,2026年1月5日,\n"
        f'Ｗ003,{record},YX-LIB,"１，２８０．５０",2026-01-05,\n'
        f"W004,{record},YX-LIB,,,\n"
        f"W005,{record},YX-LIB,free,,\n"
        f"W006,{record},YX-LIB,,2026-02-30,\n",
        encoding="utf-8",
    )

    with translation.override("en"):
        report = imports.items_import(path=path)

    assert (report.rows, report.added) == (6, 4)
    assert report.problems == [
        {"line": 6, "barcode": "W005", "reason": "free is not a price."},
        {
            "line": 7,
            "barcode": "W006",
            "reason": "2026-02-30 is not a date (e.g. 2026-01-05, 2026/1/5 or 2026年1月5日).",
        },
    ]
    got = {i.barcode: (i.price, i.acquired_on) for i in Item.objects.filter(barcode__startswith="W")}
    assert got == {
        "W001": (Decimal("35.00"), dt.date(2026, 1, 5)),
        "W002": (Decimal("35.00"), dt.date(2026, 1, 5)),
        "W003": (Decimal("1280.50"), dt.date(2026, 1, 5)),
        "W004": (None, None),
    }


def test_an_xlsx_with_a_whole_number_record_id_and_a_date_cell_imports(shelf, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["条码号", "记录号", "馆藏单位", "入藏日期"])
    sheet.append(["X101", float(shelf["santi"].pk), "YX-LIB", dt.datetime(2026, 1, 5)])
    book.save(tmp_path / "items.xlsx")

    report = imports.items_import(path=tmp_path / "items.xlsx")

    assert (report.added, report.problems) == (1, [])
    assert Item.objects.get(barcode="X101").acquired_on == dt.date(2026, 1, 5)
