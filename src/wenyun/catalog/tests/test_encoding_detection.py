"""`--encoding auto` and `--format auto` read each record from its own bytes, and never store a guess."""

import io

import pytest
from django.utils import translation

from wenyun.catalog import imports
from wenyun.catalog.marc import MarcError, parse_iso2709, read_file
from wenyun.catalog.models import Record


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _record(title: bytes, *, leader9: bytes = b" ", control: bytes = b"rec1") -> bytes:
    fields = [(b"001", control), (b"245", b"10\x1fa" + title)]
    directory = data = b""
    for tag, value in fields:
        value += b"\x1e"
        directory += tag + b"%04d%05d" % (len(value), len(data))
        data += value
    base = 24 + len(directory) + 1
    leader = b"%05dnam " % (base + len(data) + 1) + leader9 + b"22%05d   4500" % base
    return leader + directory + b"\x1e" + data + b"\x1d"


def test_a_gb18030_record_with_traditional_characters_is_not_taken_for_marc8():
    # 國學說與歷史: GBK's extension area, whose second bytes are often ASCII (學 is 8C 57, 館 F0 5E).
    record = parse_iso2709(_record("國學說與歷史館".encode("gb18030")))
    assert (record.encoding, record.first("245").get("a")) == ("gb18030", "國學說與歷史館")


def test_a_gb18030_record_with_a_four_byte_character_is_read_as_gb18030():
    record = parse_iso2709(_record("㐀字典".encode("gb18030")))
    assert (record.encoding, record.first("245").get("a")) == ("gb18030", "㐀字典")


def test_marc8_latin_with_diacritics_is_still_read_as_marc8():
    record = parse_iso2709(_record(b"Caf\xe2e de la Paix \xe1a la fen\xe3etre"))
    assert (record.encoding, record.first("245").get("a")) == ("marc8", "Café de la Paix à la fenêtre")


def test_invalid_utf8_under_a_utf8_leader_is_named_not_read_as_marc8():
    # \xc3\x28 is not UTF-8; MARC-8 would have read it as "©(" and stored it.
    with pytest.raises(MarcError) as refused:
        parse_iso2709(_record(b"Caf\xc3\x28 noir", leader9=b"a"))
    assert str(refused.value) == (
        "the leader says the record is in UTF-8, but byte 62 is not valid UTF-8, and the record is not"
        " GB18030 either: it is not imported as a guess"
    )


def test_bytes_that_fit_no_encoding_are_named():
    with pytest.raises(MarcError) as refused:
        parse_iso2709(_record(b"\xff\xfe\xfd"))
    assert str(refused.value) == (
        "the record is not cleanly UTF-8 (byte 59), MARC-8 or GB18030: it is not imported as a guess;"
        " give its encoding with --encoding if you know it"
    )


MARCXML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">'
    b'<record><leader>00000nam a2200000   4500</leader><controlfield tag="001">x1</controlfield>'
    b'<datafield tag="245" ind1="1" ind2="0"><subfield code="a">\xe4\xb8\x89\xe4\xbd\x93</subfield></datafield>'
    b"</record></collection>"
)


def test_marcxml_beginning_with_a_utf8_byte_order_mark_is_recognised():
    [(_pos, record)] = list(read_file(io.BytesIO(b"\xef\xbb\xbf" + MARCXML)))
    assert record.first("245").get("a") == "三体"


def test_the_report_says_which_encoding_each_record_was_read_in(unit, item_types):
    data = (
        _record(b"Plain", control=b"a1")
        + _record("三体".encode(), leader9=b"a", control=b"a2")
        + _record("國學".encode("gb18030") + "說與歷史".encode("gb18030"), control=b"a3")
        + _record("大學".encode("gb18030"), control=b"a4")
        + _record(b"Caf\xe2e", control=b"a5")
        + _record(b"\xff\xfe", control=b"a6")
    )
    report = imports.marc_import(stream=data, owner=unit("YX-LIB"), name="mixed.mrc")
    assert report.encoding_runs == [
        {"from": 1, "to": 2, "encoding": "utf-8"},
        {"from": 3, "to": 4, "encoding": "gb18030"},
        {"from": 5, "to": 5, "encoding": "marc8"},
    ]
    assert [p["record"] for p in report.problems] == [6]
    assert Record.objects.count() == 5


def test_import_marc_prints_which_encoding_each_record_was_read_in(unit, item_types, tmp_path, capsys):
    from django.core.management import call_command

    path = tmp_path / "mixed.mrc"
    path.write_bytes(
        _record(b"Plain", control=b"b1") + _record("國學說與歷史".encode("gb18030"), control=b"b2")
    )
    call_command("import_marc", str(path), "--owner", "YX-LIB")
    assert (
        capsys.readouterr().out.splitlines()[-1]
        == "mixed.mrc: read in records 1-1 utf-8; records 2-2 gb18030"
    )
