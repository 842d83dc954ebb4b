"""Reading real and deliberately broken MARC files (pymarc's test folder) and our Chinese ones."""

import pytest
from django.utils import translation

from wenyun.catalog.extract import extract
from wenyun.catalog.marc import MarcError, detect_flavour, parse_iso2709, read_file, to_iso2709


@pytest.fixture(autouse=True)
def english():
    """The reasons are checked in English here; the views' tests check them in Chinese."""
    with translation.override("en"):
        yield


def _one_chunk(path) -> bytes:
    from wenyun.catalog.marc import split_iso2709

    [(_pos, chunk)] = list(split_iso2709(path.read_bytes()))
    return chunk


def _read(path, **kwargs):
    with open(path, "rb") as fh:
        return list(read_file(fh, **kwargs))


def test_broken_records_are_reported_with_their_position_and_reason_and_the_good_ones_read(data_file):
    results = _read(data_file("bad_records.mrc"))
    outcome = [(pos.number, str(r) if isinstance(r, MarcError) else "ok") for pos, r in results]
    assert outcome == [
        (1, "ok"),
        (2, "the base address of data (99937) is outside the record"),
        (3, "the base address of data (0) is outside the record"),
        (4, "the directory's length (13) is not a multiple of 12"),
        (5, "the directory's length (13) is not a multiple of 12"),
        (6, "the base address of data 'f0037' in the leader is not a number"),
        (7, "the record has no fields"),
        (8, "ok"),
        (9, "the record is cut short: 100 of 127 bytes are in the file"),
    ]
    assert (
        extract(results[0][1], flavour="marc21").title
        == "The pragmatic programmer : from journeyman to master"
    )


def test_a_garbled_subfield_code_is_refused_with_the_field_named(data_file):
    [(_pos, error)] = _read(data_file("utf8_invalid.mrc"), encoding="utf-8")
    assert str(error) == "field 260 has a subfield code '\ufffd' that is not a letter or digit"


def test_bytes_that_are_not_utf8_are_refused_with_the_field_named():
    from wenyun.catalog.marc import Field, MarcRecord

    record = MarcRecord(
        "00000nam a2200000 a 4500", [Field("001", value="1"), Field("245", subfields=[("a", "三体")])]
    )
    bad = to_iso2709(record).replace("三".encode(), b"\xff\xfe\xfd")
    with pytest.raises(MarcError, match=r"^field 245 is not valid utf-8$"):
        parse_iso2709(bad, encoding="utf-8")


def test_marc8_is_detected_from_a_blank_leader_and_decoded(data_file):
    [(_pos, record)] = _read(data_file("marc8.dat"))
    assert record.encoding == "marc8"
    assert extract(record, flavour="marc21").title == "Escape from loneliness"


def test_eacc_chinese_japanese_korean_characters_are_decoded(data_file):
    chunk = _one_chunk(data_file("bad_eacc_encoding.dat"))
    # The file's eight bad bytes (see below) made two more EACC characters and two spaces.
    record = parse_iso2709(chunk.replace(b"{6924f6}", b"!Q+!Q+  "))
    assert record.encoding == "marc8"
    assert record.first("880").get("a") == "米国の統治の仕組組組  "


def test_an_eacc_field_cut_short_is_named_not_read_as_spaces(data_file):
    # pymarc reads the eight ASCII bytes "{6924f6}" inside EACC as four spaces and stores them.
    [(_pos, refused)] = _read(data_file("bad_eacc_encoding.dat"))
    assert str(refused) == (
        "field 880 is not valid MARC-8: byte 28 (0x7B3639) is not a character of the EACC set"
    )


def test_utf8_without_the_leader_flag_is_recognised(data_file):
    [(_pos, record)] = _read(data_file("utf8_without_leader_flag.dat"))
    assert record.encoding == "utf-8"


def test_unimarc_in_gb18030_is_detected_and_extracted(data_file):
    results = _read(data_file("chinese-cnmarc-gb18030.iso"))
    record = results[0][1]
    assert (record.encoding, detect_flavour(record)) == ("gb18030", "unimarc")
    data = extract(record, flavour="unimarc")
    assert (data.title, data.responsibility, data.publisher, data.year, data.clc, data.language) == (
        "红楼梦",
        "曹雪芹，高鹗著",
        "人民文学出版社",
        1996,
        "I242.47",
        "chi",
    )
    [holding] = data.holdings
    assert (holding.home_unit, holding.barcode, holding.call_number, holding.price) == (
        "YX-LIB",
        "G0000001",
        "I242.47/12",
        "CNY35.00",
    )


def test_unimarc_from_pymarc_is_extracted(data_file):
    [(_pos, record)] = _read(data_file("testunimarc.dat"))
    data = extract(record, flavour=detect_flavour(record))
    assert (data.title, data.isbn.isbn13, data.year) == (
        "L'altra faccia della spirale",
        "9788804406822",
        1996,
    )


def test_marcxml_is_read_and_a_bad_tag_is_refused(data_file):
    titles = [extract(r, flavour="marc21").title for _p, r in _read(data_file("batch.xml"))]
    assert titles == ["The Great Ray Charles", "The White House"]
    [(_pos, error)] = _read(data_file("bad_tag.xml"))
    assert str(error) == "a data field has the tag '42', which is not three characters"


def test_a_record_written_again_reads_back_the_same(data_file):
    [(_pos, record)] = _read(data_file("marc8.dat"))
    again = parse_iso2709(to_iso2709(record), encoding="utf-8")
    assert [(f.tag, f.value, f.subfields) for f in again.fields] == [
        (f.tag, f.value, f.subfields) for f in record.fields
    ]
