"""Reading MARC-8: what is MARC-8 is decoded, what is not is named with its place, never a traceback."""

import io

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from wenyun.catalog import marc8
from wenyun.catalog.marc import Field, MarcError, MarcRecord, parse_iso2709, read_file, to_iso2709


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _record(title: bytes, leader9: bytes = b" ") -> bytes:
    """One ISO 2709 record with a 001 and a 245 $a holding these bytes as they are."""
    fields = [(b"001", b"rec1"), (b"245", b"10\x1fa" + title)]
    directory = b""
    data = b""
    for tag, value in fields:
        value += b"\x1e"
        directory += tag + b"%04d%05d" % (len(value), len(data))
        data += value
    base = 24 + len(directory) + 1
    length = base + len(data) + 1
    leader = b"%05dnam " % length + leader9 + b"22%05d   4500" % base
    return leader + directory + b"\x1e" + data + b"\x1d"


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        (b"Loneliness\x1b", "the escape at byte 11 has nothing after it"),
        (b"A\x1b$", "the escape at byte 2 has nothing after it"),
        (b"A\x1b(Z", "the escape at byte 2 (ESC 0x28 0x5A) designates no MARC-8 character set"),
        (b"A\x1bQ", "the escape at byte 2 (ESC 0x51) designates no MARC-8 character set"),
        (b"\x1b$1!0p!Q", "the EACC character at byte 7 is cut short"),
        (b"caf\xff", "byte 4 (0xFF) is not a character of the ANSEL set"),
    ],
)
def test_bytes_that_are_not_marc8_are_named_with_their_place(title, reason):
    with pytest.raises(MarcError) as refused:
        parse_iso2709(_record(title), encoding="marc8")
    assert str(refused.value) == f"field 245 is not valid MARC-8: {reason}"


def test_an_escape_with_nothing_after_it_is_one_named_record_in_a_file_and_the_next_is_read():
    data = _record(b"Loneliness\x1b") + _record(b"Escape from loneliness")
    outcome = [
        (pos.number, str(r) if isinstance(r, MarcError) else r.first("245").get("a"))
        for pos, r in read_file(io.BytesIO(data), encoding="marc8")
    ]
    assert outcome == [
        (1, "field 245 is not valid MARC-8: the escape at byte 11 has nothing after it"),
        (2, "Escape from loneliness"),
    ]


def test_marc8_sets_diacritics_and_eacc_are_decoded():
    assert marc8.decode(b"caf\xe2e") == "café"
    assert marc8.decode(b"\x1b$1!0p!Q+\x1b(B and \x1bgabc\x1bs") == "仕組 and αβγ"
    assert marc8.decode(b"A\x1b)!E\xe2e") == "Aé"  # ANSEL's final written !E


@pytest.mark.parametrize("leader9", [b" ", b"a"])
def test_numeric_character_references_are_decoded_in_marc8_and_in_utf8(leader9):
    record = parse_iso2709(_record(b"Thai &#x0E25; script", leader9))
    assert record.first("245").get("a") == "Thai \u0e25 script"


def test_numeric_character_references_are_decoded_in_marcxml():
    xml = (
        b'<?xml version="1.0" encoding="UTF-8"?><collection xmlns="http://www.loc.gov/MARC21/slim">'
        b"<record><leader>00000nam a2200000   4500</leader>"
        b'<datafield tag="245" ind1="1" ind2="0"><subfield code="a">Thai &amp;#x0E25;</subfield></datafield>'
        b"</record></collection>"
    )
    [(_pos, record)] = list(read_file(io.BytesIO(xml), format="marcxml"))
    assert record.first("245").get("a") == "Thai \u0e25"


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=40))
def test_the_decoder_answers_text_or_a_named_reason_for_any_bytes(data):
    try:
        decoded = marc8.decode(data)
    except marc8.Marc8Error as exc:
        assert str(exc)
    else:
        assert isinstance(decoded, str)


_MARC8_BYTES = st.lists(
    st.one_of(
        st.sampled_from(
            [b"\x1b", b"\x1b$1", b"\x1b(B", b"\x1b)!E", b"\x1bg", b"\x1bs", b"!0p", b"\xe2", b"\xff"]
        ),
        st.binary(min_size=1, max_size=3),
    ),
    max_size=12,
).map(b"".join)


@settings(max_examples=500, deadline=None)
@given(_MARC8_BYTES, st.sampled_from(["auto", "marc8"]))
def test_a_record_with_any_marc8_like_bytes_is_read_or_refused_with_a_sentence(title, encoding):
    try:
        record = parse_iso2709(
            _record(title.replace(b"\x1e", b"").replace(b"\x1f", b"").replace(b"\x1d", b"")),
            encoding=encoding,
        )
    except MarcError as exc:
        assert str(exc)
    else:
        assert isinstance(record, MarcRecord)


def test_what_the_encoder_writes_the_decoder_reads_back():
    text = "Ἀθῆναι café 中华人民共和国 Москва"
    assert marc8.decode(marc8.encode(text)) == text
    assert to_iso2709(
        MarcRecord(leader="00000nam  2200000   4500", fields=[Field("001", "x")]), encoding="marc8"
    )
