"""Titles with real ISBNs, and the MARC a vendor sends with them, for the acquisitions tests."""

from __future__ import annotations

import io

from pymarc import Field, MARCWriter, Record, Subfield

from wenyun.catalog.isbn import isbn13_check


def isbn(n: int) -> str:
    body = f"978753{n:06d}"
    return body + isbn13_check(body)


def vendor_marc(titles: list[tuple[str, str, str]]) -> bytes:
    """MARC 21 records for (isbn, title, clc), as a vendor sends them with a shipment."""
    out = io.BytesIO()
    writer = MARCWriter(out)
    for number, title, clc in titles:
        record = Record(force_utf8=True)
        record.add_field(Field(tag="001", data=f"XH{number}"))
        record.add_field(Field(tag="020", indicators=[" ", " "], subfields=[Subfield("a", number)]))
        record.add_field(Field(tag="093", indicators=[" ", " "], subfields=[Subfield("a", clc)]))
        record.add_field(Field(tag="100", indicators=["1", " "], subfields=[Subfield("a", "路遥")]))
        record.add_field(Field(tag="245", indicators=["1", "0"], subfields=[Subfield("a", title)]))
        record.add_field(
            Field(
                tag="260",
                indicators=[" ", " "],
                subfields=[Subfield("b", "北京十月文艺出版社"), Subfield("c", "2025")],
            )
        )
        writer.write(record)
    return out.getvalue()
