"""A vendor's offer list (征订目录) read from its spreadsheet or MARC, and the holdings check of its lines."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from wenyun.acquisitions import selectors, services
from wenyun.acquisitions.models import AcquisitionEvent, OfferLine, OfferList
from wenyun.core.errors import DomainError, Forbidden, Refused

from .helpers import isbn, vendor_marc

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\n".join(",".join(row) for row in rows).encode(encoding)


def _import(actor, vendor, content: bytes, filename: str = "征订目录.csv", name: str = "2026年春季征订"):
    return services.offer_list_import(
        actor=actor, vendor=vendor, name=name, content=content, filename=filename
    )


def test_a_csv_with_chinese_headers_imports_its_good_lines_and_names_each_bad_one(county_admin, vendor):
    content = _csv(
        [
            ["ISBN", "题名", "责任者", "出版社", "定价", "出版年", "中图分类号"],
            [isbn(1), "平凡的世界", "路遥", "北京十月文艺出版社", "¥79.80", "2021", "i247.57"],
            [isbn(2).translate(FULL_WIDTH), "人生", "路遥", "", "３５．００元", "２０２０年５月", ""],
            ["9787530000000", "坏书号", "某人", "某社", "20", "2020", "I247"],
            ["", "", "", "", "", "", ""],
            [isbn(3), "", "佚名", "某社", "20", "2020", "I247"],
            [isbn(1), "平凡的世界（重复）", "路遥", "", "79.80", "2021", ""],
            [isbn(4), "未来之书", "", "", "abc", "3025", ""],
            ["", "无书号的地方文献", "县志办", "", "", "", "K29"],
        ]
    )
    report = _import(county_admin, vendor, content)

    assert (report.lines, report.added, report.problem_count) == (7, 3, 4)
    assert report.problems == [
        {
            "line": 4,
            "message": "Line 4: 9787530000000 is not a valid ISBN: check the digits and the check digit.",
        },
        {"line": 6, "message": "Line 6: The book's title is missing."},
        {"line": 7, "message": f"Line 7: {isbn(1)} is already on line 2."},
        {"line": 8, "message": "Line 8: abc is not a price."},
    ]
    offer = report.offer
    assert (offer.vendor, offer.name, offer.format, offer.lines_read) == (
        vendor,
        "2026年春季征订",
        "table",
        7,
    )
    assert offer.problems == report.problems
    lines = list(offer.lines.order_by("number"))
    assert [(line.number, line.isbn, line.title, line.price) for line in lines] == [
        (2, isbn(1), "平凡的世界", Decimal("79.80")),
        (3, isbn(2), "人生", Decimal("35.00")),  # full-width digits and 元
        (9, "", "无书号的地方文献", None),
    ]
    first, second = lines[0], lines[1]
    assert (first.author, first.publisher, first.year, first.clc) == (
        "路遥",
        "北京十月文艺出版社",
        2021,
        "I247.57",
    )
    assert (second.publisher, second.year, second.clc) == ("", 2020, "")  # empty columns stay empty
    event = AcquisitionEvent.objects.get(type="offer_imported")
    assert event.details["added"] == 3 and event.details["problems"] == 4


def test_a_gb18030_csv_with_english_headers_under_a_title_row(county_admin, vendor):
    content = _csv(
        [
            ["新华书店2026年春季征订目录", "", ""],
            ["Title", "ISBN", "List price", "Author", "CLC class"],
            ["红楼梦", isbn(5), "59.70", "曹雪芹", "I242.4"],
            ["西游记", isbn(6), "45", "吴承恩", "I242.4"],
        ],
        encoding="gb18030",
    )
    report = _import(county_admin, vendor, content, filename="offer.csv")
    assert (report.added, report.problems) == (2, [])
    assert list(report.offer.lines.values_list("number", "title", "isbn", "price", "author", "clc")) == [
        (3, "红楼梦", isbn(5), Decimal("59.70"), "曹雪芹", "I242.4"),
        (4, "西游记", isbn(6), Decimal("45.00"), "吴承恩", "I242.4"),
    ]


def test_an_xlsx_with_numbers_and_dates_in_its_cells(county_admin, vendor):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["书号", "书名", "作者", "定价（元）", "出版日期"])
    sheet.append([int(isbn(7)), "活着", "余华", 28.0, dt.datetime(2021, 3, 1)])
    sheet.append([isbn(8), "许三观卖血记", "余华", "¥３２", None])
    sheet.append(["7-5321-1234-X", "坏书号", "", 20, 2020])
    out = io.BytesIO()
    book.save(out)

    report = _import(county_admin, vendor, out.getvalue(), filename="offer.xlsx")
    assert report.added == 2
    assert report.problems == [
        {
            "line": 4,
            "message": "Line 4: 7-5321-1234-X is not a valid ISBN: check the digits and the check digit.",
        }
    ]
    assert list(report.offer.lines.values_list("isbn", "title", "price", "year")) == [
        (isbn(7), "活着", Decimal("28.00"), 2021),
        (isbn(8), "许三观卖血记", Decimal("32.00"), None),
    ]


def _cnmarc(records: list[tuple[str, str, str, str]]) -> bytes:
    """CNMARC (UNIMARC) records for (isbn, title, price as 010$d, clc)."""
    from pymarc import Field, MARCWriter, Record, Subfield

    out = io.BytesIO()
    writer = MARCWriter(out)
    for number, title, price, clc in records:
        record = Record(force_utf8=True)
        record.add_field(Field(tag="001", data=f"CN{number}"))
        record.add_field(
            Field(tag="010", indicators=[" ", " "], subfields=[Subfield("a", number), Subfield("d", price)])
        )
        record.add_field(Field(tag="200", indicators=["1", " "], subfields=[Subfield("a", title)]))
        record.add_field(
            Field(
                tag="210",
                indicators=[" ", " "],
                subfields=[Subfield("c", "人民文学出版社"), Subfield("d", "2024")],
            )
        )
        record.add_field(Field(tag="690", indicators=[" ", " "], subfields=[Subfield("a", clc)]))
        record.add_field(Field(tag="701", indicators=[" ", "0"], subfields=[Subfield("a", "鲁迅")]))
        writer.write(record)
    return out.getvalue()


def test_a_cnmarc_file_gives_title_isbn_class_and_price(county_admin, vendor):
    content = _cnmarc(
        [
            (isbn(9), "呐喊", "CNY26.00", "I210.6"),
            ("9787530000000", "彷徨", "CNY24.00", "I210.6"),
            (isbn(10), "朝花夕拾", "USD9.99", "I210.5"),
        ]
    )
    report = _import(county_admin, vendor, content, filename="offer.iso")
    assert report.offer.format == OfferList.Format.MARC
    assert report.problems == [
        {
            "line": 2,
            "message": "Record 2: 9787530000000 is not a valid ISBN: check the digits and the check digit.",
        }
    ]
    assert list(
        report.offer.lines.values_list("number", "isbn", "title", "author", "year", "clc", "price")
    ) == [
        (1, isbn(9), "呐喊", "鲁迅", 2024, "I210.6", Decimal("26.00")),
        (3, isbn(10), "朝花夕拾", "鲁迅", 2024, "I210.5", None),  # a price in dollars is no list price
    ]


def test_a_marc21_file_is_known_by_its_content(county_admin, vendor):
    content = vendor_marc(
        [
            (isbn(11), "平凡的世界", "I247.57"),
            (isbn(12), "人生", "I247.57"),
            (isbn(11), "平凡的世界", "I247.57"),
        ]
    )
    report = _import(county_admin, vendor, content, filename="vendor-shipment")
    assert report.offer.format == OfferList.Format.MARC
    assert report.problems == [{"line": 3, "message": f"Record 3: {isbn(11)} is already in record 1."}]
    assert list(report.offer.lines.values_list("isbn", "title", "author", "publisher", "clc")) == [
        (isbn(11), "平凡的世界", "路遥", "北京十月文艺出版社", "I247.57"),
        (isbn(12), "人生", "路遥", "北京十月文艺出版社", "I247.57"),
    ]


def test_a_broken_marc_record_is_named_and_the_records_around_it_import(county_admin, vendor):
    first, broken, last = (vendor_marc([(isbn(n), f"书{n}", "I247")]) for n in (13, 14, 15))
    broken = b"%05d" % (len(broken) + 7) + broken[5:]  # its leader says it is longer than it is
    report = _import(county_admin, vendor, first + broken + last, filename="shipment.mrc")
    assert [p["line"] for p in report.problems] == [2]
    assert report.problems[0]["message"].startswith("Record 2: the record does not end where its length")
    assert list(report.offer.lines.values_list("number", "isbn")) == [(1, isbn(13)), (3, isbn(15))]


def test_a_file_without_a_title_column_is_refused_and_nothing_is_written(county_admin, vendor):
    with pytest.raises(DomainError) as refused:
        _import(county_admin, vendor, _csv([["ISBN", "价格"], [isbn(1), "20"]]))
    assert refused.value.code == "header_missing"
    assert str(refused.value) == "征订目录.csv has no title column (题名, 书名 or title) in its header row."
    assert (
        not OfferList.objects.exists() and not AcquisitionEvent.objects.filter(type="offer_imported").exists()
    )


def test_a_list_without_one_good_line_is_refused_with_its_first_problems(county_admin, vendor):
    with pytest.raises(DomainError) as refused:
        _import(county_admin, vendor, _csv([["ISBN", "书名"], ["123", "甲"], [isbn(1), ""]]))
    assert refused.value.code == "offer_empty"
    assert str(refused.value) == (
        "征订目录.csv has no line that could be read. Line 2: 123 is not a valid ISBN: check the digits and the"
        " check digit. Line 3: The book's title is missing."
    )
    assert not OfferList.objects.exists()


def test_a_file_neither_utf8_nor_gb18030_and_an_old_xls_are_refused(county_admin, vendor):
    with pytest.raises(DomainError) as encoding:
        _import(county_admin, vendor, b"\xff\xfe\x00\xd8bad", filename="offer.csv")
    assert encoding.value.code == "file_encoding"
    with pytest.raises(DomainError) as xls:
        _import(county_admin, vendor, b"\xd0\xcf\x11\xe0", filename="offer.xls")
    assert xls.value.code == "file_format"
    assert not OfferList.objects.exists()


def test_only_the_hub_imports_offer_lists(station_manager, county_admin, vendor):
    with pytest.raises(Forbidden):
        _import(station_manager, vendor, _csv([["ISBN", "书名"], [isbn(1), "甲"]]))
    inactive = services.vendor_save(actor=county_admin, code="OLD", name="旧书商", active=False)
    with pytest.raises(Refused):
        _import(county_admin, inactive, _csv([["ISBN", "书名"], [isbn(1), "甲"]]))
    assert not OfferList.objects.exists()


# -- the holdings check --------------------------------------------------------------------------------


def _copies(rec_isbn: str, *units, withdrawn=()):
    from wenyun.circulation.tests import factories as f

    record = f.record(title=f"馆藏{rec_isbn[-4:]}", isbn=rec_isbn)
    for home in units:
        f.item(home=home, rec=record)
    for home in withdrawn:
        f.item(home=home, rec=record, status="withdrawn")
    return record


def test_each_line_shows_the_copies_per_unit_on_order_and_wished(
    county_admin, station_manager, vendor, fund, unit, book
):
    village = unit("YX-S01-V01")
    _copies(isbn(1), unit("YX-LIB"), unit("YX-LIB"), village, village, village, village, withdrawn=[village])
    _copies(isbn(2), unit("YX-S02"))
    report = _import(
        county_admin,
        vendor,
        _csv([["ISBN", "书名", "定价"], [isbn(1), "甲", "20"], [isbn(2), "乙", "30"], [isbn(3), "丙", "40"]]),
    )
    services.order_create(
        actor=county_admin,
        vendor=vendor,
        fund=fund,
        lines=[services.LineIn(isbn=isbn(3), title="丙", price="40", quantity=3)],
    )
    second = report.offer.lines.get(number=3)
    services.wish_add(actor=station_manager, unit=village, offer_line=second, copies=2)
    services.wish_add(actor=station_manager, unit=unit("YX-S01"), offer_line=second, copies="１")

    checked = selectors.offer_lines_with_holdings(offer_list=report.offer, unit=unit("YX-S01"))
    assert [(c.line.title, c.held.total, c.on_order, c.wished) for c in checked] == [
        ("甲", 6, 0, 0),
        ("乙", 1, 0, 3),
        ("丙", 0, 3, 0),
    ]
    assert [(u.code, n) for u, n in checked[0].held.units] == [("YX-S01-V01", 4), ("YX-LIB", 2)]
    assert [c.unit_held for c in checked] == [4, 0, 0]  # the station's villages count for it
    assert (checked[1].unit_wish.copies, checked[0].unit_wish) == (1, None)

    page = selectors.offer_lines_with_holdings(offer_list=report.offer, offset=1, limit=1)
    assert [(c.line.title, c.wished, c.unit_held) for c in page] == [("乙", 3, None)]
    found = selectors.offer_lines_with_holdings(offer_list=report.offer, q=isbn(3))
    assert [c.line.title for c in found] == ["丙"]


def test_a_line_without_an_isbn_is_checked_as_held_nowhere(county_admin, vendor):
    report = _import(county_admin, vendor, _csv([["ISBN", "书名"], ["", "地方文献"]]))
    (checked,) = selectors.offer_lines_with_holdings(offer_list=report.offer)
    assert (checked.held.total, checked.held.units, checked.on_order, checked.wished) == (0, [], 0, 0)
    assert OfferLine.objects.get().isbn == ""
