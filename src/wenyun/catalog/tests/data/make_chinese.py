"""Makes the chinese-* test files: real books, MARC 21 in UTF-8 written by pymarc (with Koha 952
holdings), and CNMARC in GB18030 (with 905 holdings). Run: .venv/bin/python make_chinese.py"""

from pathlib import Path

from pymarc import Field, Leader, Record, Subfield

from wenyun.catalog.marc import Field as F
from wenyun.catalog.marc import MarcRecord, to_iso2709

HERE = Path(__file__).parent

MARC21 = [
    # 001, title, statement, author, publisher, year, ISBN, CLC, holdings (unit, barcode, type)
    (
        "CN0001",
        "三體",
        "劉慈欣著",
        "刘慈欣",
        "重庆出版社",
        "2008",
        "9787536692930",
        "I247.55",
        [("YX-LIB", "T0000001", "book"), ("YX-LIB", "T0000002", "book"), ("YX-S01", "T0000003", "book")],
    ),
    (
        "CN0002",
        "活着",
        "余华著",
        "余华",
        "作家出版社",
        "2012",
        "978-7-5063-6543-7",
        "I247.57",
        [("YX-S01", "T0000004", "book")],
    ),
    (
        "CN0003",
        "平凡的世界",
        "路遥著",
        "路遥",
        "北京十月文艺出版社",
        "",
        "9787536692931",
        "I247.57",
        [("YX-S01-V01", "T0000005", "book"), ("NOWHERE", "T0000006", "book"), ("YX-LIB", "", "book")],
    ),
    (
        "CN0004",
        "The three-body problem",
        "Cixin Liu ; translated by Ken Liu.",
        "Liu, Cixin",
        "Tor Books",
        "2014",
        "",
        "I247.55",
        [],
    ),
]


def marc21() -> bytes:
    out = b""
    for number, title, statement, author, publisher, year, isbn, clc, holdings in MARC21:
        r = Record(force_utf8=True, leader=Leader("00000nam a2200000 i 4500"))
        r.add_field(Field(tag="001", data=number))
        r.add_field(Field(tag="003", data="TESTLIB"))
        r.add_field(Field(tag="008", data=f"200101s{year or '    '}    ch            000 1 chi d"))
        if isbn:
            r.add_field(Field(tag="020", indicators=[" ", " "], subfields=[Subfield("a", isbn)]))
        r.add_field(
            Field(tag="084", indicators=[" ", " "], subfields=[Subfield("a", clc), Subfield("2", "clc")])
        )
        r.add_field(Field(tag="100", indicators=["0", " "], subfields=[Subfield("a", author)]))
        r.add_field(
            Field(
                tag="245", indicators=["1", "0"], subfields=[Subfield("a", title), Subfield("c", statement)]
            )
        )
        r.add_field(
            Field(tag="260", indicators=[" ", " "], subfields=[Subfield("b", publisher), Subfield("c", year)])
        )
        r.add_field(Field(tag="650", indicators=[" ", "7"], subfields=[Subfield("a", "长篇小说")]))
        for unit, barcode, itype in holdings:
            subs = [
                Subfield("a", unit),
                Subfield("b", unit),
                Subfield("o", f"{clc}/1"),
                Subfield("y", itype),
                Subfield("g", "23.00"),
                Subfield("d", "2020-03-01"),
            ]
            if barcode:
                subs.append(Subfield("p", barcode))
            r.add_field(Field(tag="952", indicators=[" ", " "], subfields=subs))
        out += r.as_marc()
    return out


CNMARC = [
    ("012000001", "红楼梦", "曹雪芹，高鹗著", "人民文学出版社", "1996", "I242.47", [("YX-LIB", "G0000001")]),
    ("012000002", "骆驼祥子", "老舍著", "人民文学出版社", "2000", "I246.5", [("YX-S02", "G0000002")]),
]


def cnmarc() -> bytes:
    out = b""
    for number, title, statement, publisher, year, clc, holdings in CNMARC:
        fields = [
            F("001", value=number),
            F("100", subfields=[("a", f"20200101d{year}    em y0chiy0121    ea")]),
            F("101", indicators="0 ", subfields=[("a", "chi")]),
            F("200", indicators="1 ", subfields=[("a", title), ("f", statement)]),
            F("210", subfields=[("a", "北京"), ("c", publisher), ("d", year)]),
            F("606", indicators="0 ", subfields=[("a", "长篇小说"), ("x", "中国")]),
            F("690", subfields=[("a", clc), ("v", "5")]),
        ]
        for unit, barcode in holdings:
            fields.append(
                F("905", subfields=[("a", unit), ("b", barcode), ("d", clc), ("e", "12"), ("f", "CNY35.00")])
            )
        out += to_iso2709(MarcRecord("     nam0 22     450 ", fields), flavour="unimarc", encoding="gb18030")
    return out


if __name__ == "__main__":
    (HERE / "chinese-marc21-utf8.mrc").write_bytes(marc21())
    (HERE / "chinese-cnmarc-gb18030.iso").write_bytes(cnmarc())
