"""`export-marc --encoding`: MARC-8 (Latin with diacritics, CJK in EACC) and GB18030 read back as written."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import translation

from wenyun.catalog import imports, services
from wenyun.catalog.marc import parse_iso2709, split_iso2709
from wenyun.catalog.models import Record


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _fields() -> list:
    """Every record's fields as kept, by control number (what a round trip must give back)."""
    return [
        (number, [(f.tag, f.indicators, f.value, f.subfields) for f in parse_iso2709(bytes(marc)).fields])
        for number, marc in Record.objects.order_by("control_number").values_list("control_number", "marc")
    ]


def _round_trip(data_file, unit, name: str, encoding: str):
    """Import a file, export it in `encoding`, and import the export into a catalogue without it."""
    with transaction.atomic():
        with open(data_file(name), "rb") as fh:
            imports.marc_import(stream=fh, owner=unit("YX-LIB"), name=name)
        before = _fields()
        out = io.BytesIO()
        exported = imports.marc_export(out=out, encoding=encoding)
        transaction.set_rollback(True)
    assert Record.objects.count() == 0
    again = imports.marc_import(stream=out.getvalue(), owner=unit("YX-LIB"), name="exported")
    return before, _fields(), out.getvalue(), exported, again


def _leaders(data: bytes) -> list[str]:
    return [chunk[:24].decode("ascii") for _pos, chunk in split_iso2709(data)]


def test_latin_with_diacritics_goes_out_in_marc8_and_comes_back_the_same(item_types, data_file, unit):
    before, after, data, exported, again = _round_trip(data_file, unit, "marc8.dat", "marc8")
    assert after == before
    assert (exported.records, exported.references, again.encodings) == (1, [], {"marc8": 1})
    assert [leader[9] for leader in _leaders(data)] == [" "]
    # ANSEL: the grave accent (0xE1) comes before its letter.
    assert b"solitude \xe1a la communaut\xe2e" in data
    title = dict(after[0][1][[f[0] for f in after[0][1]].index("240")][3])["a"]
    assert title == "De la solitude à la communauté."


def test_chinese_goes_out_in_marc8_eacc_and_comes_back_the_same(item_types, data_file, unit):
    before, after, data, exported, again = _round_trip(data_file, unit, "chinese-marc21-utf8.mrc", "marc8")
    assert after == before
    assert (exported.records, again.added, again.encodings) == (4, 4, {"marc8": 4})
    assert [leader[9] for leader in _leaders(data)] == [" "] * 4
    assert b"\x1b$1" in data and "三體".encode() not in data
    santi = Record.objects.get(control_number="CN0001")
    assert (santi.title, santi.responsibility, santi.isbn) == ("三體", "劉慈欣著", "9787536692930")


def test_cnmarc_goes_out_in_gb18030_and_comes_back_the_same(item_types, data_file, unit):
    before, after, data, exported, again = _round_trip(
        data_file, unit, "chinese-cnmarc-gb18030.iso", "gb18030"
    )
    assert after == before
    assert (exported.records, again.added, again.encodings) == (2, 2, {"gb18030": 2})
    assert "骆驼祥子".encode("gb18030") in data


def test_marc21_goes_out_in_gb18030_with_a_blank_leader_09_and_comes_back_the_same(
    item_types, data_file, unit
):
    before, after, data, _exported, again = _round_trip(data_file, unit, "chinese-marc21-utf8.mrc", "gb18030")
    assert after == before
    assert again.encodings == {"gb18030": 4}
    assert [leader[9] for leader in _leaders(data)] == [" "] * 4


def test_a_character_marc8_lacks_is_written_as_a_reference_named_by_record_and_field(
    county_admin, unit, tmp_path, capsys
):
    record = services.record_create(actor=county_admin, title="Ça ira — 2026", language="fre")
    out = tmp_path / "out.mrc"
    call_command("export_marc", "--out", str(out), "--encoding", "marc8")
    data = out.read_bytes()
    assert b"\xf0Ca ira &#x2014; 2026" in data
    assert (
        f"out.mrc: record {record.pk} field 245 has characters MARC-8 has no code for;"
        " they are written as &#xXXXX; references."
    ) in capsys.readouterr().err
    # Read back, the reference is the character again.
    fields = parse_iso2709(data)
    assert fields.encoding == "marc8"
    assert fields.first("245").get("a") == "Ça ira — 2026"


def test_marcxml_is_utf8_only(county_admin, tmp_path):
    with pytest.raises(CommandError, match="MARCXML is written in UTF-8 only"):
        call_command(
            "export_marc", "--out", str(tmp_path / "x.xml"), "--format", "marcxml", "--encoding", "marc8"
        )
    assert not (tmp_path / "x.xml").exists()
