"""The wire format: checksums against published vectors, parsing and building, every malformed input
refused with a ProtocolError (fuzzed)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wenyun.sip2 import codec
from wenyun.sip2.codec import ChecksumError, ProtocolError, build, checksum, parse

# Checksums published with public SIP2 implementations, with where each comes from.
VECTORS = [
    # The 3M SIP2 Developers Guide, p. 26, as quoted in Evergreen SIPServer's Sip::Checksum test
    ("990 402.00AY1AZ", "FCB4"),
    # The PyPI `sip2` client (Sip2/sip2.py, _crc_calc's comment)
    ("09N20160419    12200820160419    122008APReading Room 1|AO830|AB830$28170815|AC|AY2AZ", "EB80"),
    ("09N20160419    12171320160419    121713APReading Room 1|AO830|AB830$28170815|AC|AY2AZ", "EB7C"),
]
# Titles with accents and Chinese: the sums below were computed with Perl's unpack, the way the Perl
# SIP servers (Evergreen's SIPServer, Koha's C4::SIP) compute it -- "%16C*" over the UTF-8 bytes, and
# "%16W*" over the characters -- not by this code.
ACCENTED = "18030001200808050000053612AB0001|AJLes Misérables|AY3AZ"
CHINESE = "18030001202611270000053612AB0002|AJ红楼梦|AY4AZ"


@pytest.mark.parametrize(("text", "expected"), VECTORS)
def test_checksum_matches_the_published_vectors(text, expected):
    assert checksum(text.encode("ascii")) == expected


def test_checksum_of_accented_and_chinese_titles_is_over_the_utf8_bytes():
    assert checksum(ACCENTED.encode("utf-8")) == "F06A"
    assert checksum(CHINESE.encode("utf-8")) == "F004"


def test_a_message_checksummed_over_characters_is_accepted_too():
    # The PyPI client adds up characters, not bytes: F0ED and A5F8 by Perl's "%16W*".
    for text, by_characters in ((ACCENTED, "F0ED"), (CHINESE, "A5F8")):
        message = parse(f"{text}{by_characters}\r".encode(), requests_only=False)
        assert message.checksummed is True
    assert parse(f"{CHINESE}F004\r".encode(), requests_only=False).get("AJ") == "红楼梦"


def test_a_wrong_checksum_is_a_checksum_error():
    with pytest.raises(ChecksumError, match="does not match"):
        parse(b"990 402.00AY1AZFCB5\r")


def test_a_gb18030_message_keeps_its_chinese_title_and_checksums_its_own_bytes():
    data = build(
        "18",
        {
            "circulation_status": "03",
            "security_marker": "00",
            "fee_type": "01",
            "transaction_date": "20261127    120000",
        },
        {"AB": "0002", "AJ": "红楼梦"},
        sequence="4",
        error_detection=True,
        encoding="gb18030",
    )
    body = "1803000120261127    120000AB0002|AJ红楼梦|AY4AZ".encode("gb18030")
    assert data == body + checksum(body).encode() + b"\r"
    assert (
        body.count("红楼梦".encode("gb18030")) == 1
        and "红楼梦".encode("gb18030") == b"\xba\xec\xc2\xa5\xc3\xce"
    )
    assert parse(data, encoding="gb18030", requests_only=False).get("AJ") == "红楼梦"


def test_parse_reads_fixed_fields_variable_fields_and_the_trailer():
    message = parse(
        b"9300CNkiosk|COsecret|CPYX-S01|AY5AZ"
        + checksum(b"9300CNkiosk|COsecret|CPYX-S01|AY5AZ").encode()
        + b"\r"
    )
    assert message.code == "93"
    assert message.fixed == {"uid_algorithm": "0", "pwd_algorithm": "0"}
    assert message.fields == {"CN": ["kiosk"], "CO": ["secret"], "CP": ["YX-S01"]}
    assert message.sequence == "5"
    assert message.checksummed is True


def test_parse_without_error_detection_and_with_a_trailing_lf():
    message = parse(b"2300120261127    100000AOYX|AAR001|AC|AD1234|\r\n")
    assert message.fixed == {"language": "001", "transaction_date": "20261127    100000"}
    assert message.get("AA") == "R001" and message.get("AC") == "" and message.get("AD") == "1234"
    assert message.sequence is None and message.checksummed is False


def test_build_writes_fields_in_the_specified_order_and_cleans_separators():
    data = build(
        "36",
        {"end_session": "Y", "transaction_date": "20261127    100000"},
        {"AF": "a|b", "AA": "R001", "AO": "YX"},
    )
    assert data == "3620261127    100000AOYX|AAR001|AFa¦b|\r".replace("36", "36Y", 1).encode()


def test_build_refuses_a_fixed_field_of_the_wrong_length():
    with pytest.raises(ProtocolError, match="must be 1 characters"):
        build("94", {"ok": "10"})


def test_ninety_six_carries_a_checksum_but_no_sequence():
    assert build("96", error_detection=True) == b"96AZFEF6\r"
    assert checksum(b"96AZ") == "FEF6"


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b"\r", "empty"),
        (b"42abc\r", "not a SIP2 message"),
        (b"1100\r", "too short"),
        (b"2300120261127    100000AOYX|A\r", "two-letter identifier"),
        (b"2300120261127    100000AO\xff\xfe|\r", "not valid utf-8"),
        (b"23001\x0020261127    100000AOYX|\r", "NUL"),
    ],
)
def test_malformed_messages_are_protocol_errors_naming_the_fault(raw, says):
    with pytest.raises(ProtocolError, match=says):
        parse(raw)


def test_count_never_overflows_its_width():
    assert codec.count(3) == "0003"
    assert codec.count(123456) == "9999"


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_any_bytes_parse_or_raise_a_protocol_error(raw):
    try:
        message = parse(raw)
    except ProtocolError:
        return
    assert message.code in codec.REQUESTS


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(codec.REQUESTS)),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80),
)
def test_fuzz_valid_codes_with_arbitrary_bodies_parse_or_raise_a_protocol_error(code, body):
    for encoding in codec.ENCODINGS:
        with contextlib.suppress(ProtocolError):
            parse((code + body).encode(encoding, errors="replace") + b"\r", encoding=encoding)
