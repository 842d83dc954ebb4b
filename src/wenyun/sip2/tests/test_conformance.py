"""Every response the server sends, read against the 3M SIP2 2.00 specification field by field: the
fixed part (each field's length and the values it may take), the variable fields the specification
requires, and the order it lists them in. The table is written out here from the specification, not
taken from the codec, so the codec is checked rather than trusted.

Each response is produced through Session.respond, as a kiosk would get it: answered and refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from wenyun.circulation import services as circ
from wenyun.sip2.session import Session

from . import factories
from .sip import STAMP, checkin, checkout, login_message, msg, patron_information, renew

DATE = r"\d{8}[ 0-9A-Z]{4}\d{6}"  # YYYYMMDDZZZZHHMMSS
YN = "[YN]"
YNU = "[YNU]"
OK = "[01]"
STATUS = "[Y ]{14}"

# response code -> (fixed fields in order as (name, pattern), required variable fields, every field the
# specification lists for the message in its order)
SPEC: dict[str, tuple[list[tuple[str, str]], list[str], list[str]]] = {
    "94": ([("ok", OK)], [], []),
    "98": (
        [
            ("on-line status", YN),
            ("checkin ok", YN),
            ("checkout ok", YN),
            ("ACS renewal policy", YN),
            ("status update ok", YN),
            ("off-line ok", YN),
            ("timeout period", r"\d{3}"),
            ("retries allowed", r"\d{3}"),
            ("date / time sync", DATE),
            ("protocol version", r"\d\.\d\d"),
        ],
        ["AO", "BX"],
        ["AO", "AM", "BX", "AN", "AF", "AG"],
    ),
    "24": (
        [("patron status", STATUS), ("language", r"\d{3}"), ("transaction date", DATE)],
        ["AO", "AA", "AE"],
        ["AO", "AA", "AE", "BL", "CQ", "BH", "BV", "AF", "AG"],
    ),
    "64": (
        [
            ("patron status", STATUS),
            ("language", r"\d{3}"),
            ("transaction date", DATE),
            ("hold items count", r"\d{4}"),
            ("overdue items count", r"\d{4}"),
            ("charged items count", r"\d{4}"),
            ("fine items count", r"\d{4}"),
            ("recall items count", r"\d{4}"),
            ("unavailable holds count", r"\d{4}"),
        ],
        ["AO", "AA", "AE"],
        [
            "AO",
            "AA",
            "AE",
            "BZ",
            "CA",
            "CB",
            "BL",
            "CQ",
            "BH",
            "BV",
            "CC",
            "AS",
            "AT",
            "AU",
            "AV",
            "BU",
            "CD",
            "BD",
            "BE",
            "BF",
            "AF",
            "AG",
        ],
    ),
    "12": (
        [
            ("ok", OK),
            ("renewal ok", YN),
            ("magnetic media", YNU),
            ("desensitize", YNU),
            ("transaction date", DATE),
        ],
        ["AO", "AA", "AB", "AJ", "AH"],
        ["AO", "AA", "AB", "AJ", "AH", "BT", "CI", "BH", "BV", "CK", "CH", "BK", "AF", "AG"],
    ),
    "10": (
        [
            ("ok", OK),
            ("resensitize", YNU),
            ("magnetic media", YNU),
            ("alert", YN),
            ("transaction date", DATE),
        ],
        ["AO", "AB", "AQ", "AJ"],
        ["AO", "AB", "AQ", "AJ", "CL", "AA", "CK", "CH", "AF", "AG"],
    ),
    "30": (
        [
            ("ok", OK),
            ("renewal ok", YN),
            ("magnetic media", YNU),
            ("desensitize", YNU),
            ("transaction date", DATE),
        ],
        ["AO", "AA", "AB", "AJ", "AH"],
        ["AO", "AA", "AB", "AJ", "AH", "BT", "CI", "BH", "BV", "CK", "CH", "BK", "AF", "AG"],
    ),
    "66": (
        [("ok", OK), ("renewed count", r"\d{4}"), ("unrenewed count", r"\d{4}"), ("transaction date", DATE)],
        ["AO"],
        ["AO", "BM", "BN", "AF", "AG"],
    ),
    "18": (
        [
            ("circulation status", r"\d{2}"),
            ("security marker", r"\d{2}"),
            ("fee type", r"\d{2}"),
            ("transaction date", DATE),
        ],
        ["AB", "AJ"],
        ["CF", "AH", "CJ", "CM", "AB", "AJ", "BG", "BH", "BV", "CK", "AQ", "AP", "CH", "AF", "AG"],
    ),
    "36": ([("end session", YN), ("transaction date", DATE)], ["AO", "AA"], ["AO", "AA", "AF", "AG"]),
    "38": (
        [("payment accepted", YN), ("transaction date", DATE)],
        ["AO", "AA"],
        ["AO", "AA", "BK", "AF", "AG"],
    ),
    "16": (
        [("ok", OK), ("available", YN), ("transaction date", DATE)],
        ["AO", "AA"],
        ["BW", "BR", "BS", "AO", "AA", "AB", "AJ", "AF", "AG"],
    ),
    "26": (
        [("patron status", STATUS), ("language", r"\d{3}"), ("transaction date", DATE)],
        ["AO", "AA", "AE"],
        ["AO", "AA", "AE", "BL", "CQ", "AF", "AG"],
    ),
    "20": ([("item properties ok", OK), ("transaction date", DATE)], ["AB"], ["AB", "AJ", "CH", "AF", "AG"]),
}

_PATTERN_LENGTH = {OK: 1, YN: 1, YNU: 1, STATUS: 14, DATE: 18}


def _length(pattern: str) -> int:
    if pattern in _PATTERN_LENGTH:
        return _PATTERN_LENGTH[pattern]
    if pattern == r"\d\.\d\d":
        return 4
    return int(re.fullmatch(r"\\d\{(\d+)\}", pattern).group(1))  # type: ignore[union-attr]


def check_against_the_specification(data: bytes | None) -> list[str]:
    """What in this answer the specification does not allow (empty when it conforms)."""
    assert data is not None and data.endswith(b"\r"), data
    text = data[:-1].decode("utf-8")
    text = re.sub(r"AY\dAZ[0-9A-F]{4}$|AZ[0-9A-F]{4}$", "", text)
    code = text[:2]
    fixed, required, order = SPEC[code]
    problems: list[str] = []
    position = 2
    for name, pattern in fixed:
        length = _length(pattern)
        value = text[position : position + length]
        if not re.fullmatch(pattern, value):
            problems.append(f"{code} fixed field {name!r} is {value!r}")
        position += length
    rest = text[position:]
    if rest and not rest.endswith("|"):
        problems.append(f"{code} variable part does not end with |: {rest[-10:]!r}")
    ids = [piece[:2] for piece in rest.split("|") if piece]
    for piece in (p for p in rest.split("|") if p):
        if not re.fullmatch(r"[A-Z]{2}", piece[:2]):
            problems.append(f"{code} has a field without an identifier: {piece[:10]!r}")
    for field_id in required:
        if field_id not in ids:
            problems.append(f"{code} lacks the required field {field_id}")
    listed = [field_id for field_id in ids if field_id in order]
    if listed != sorted(listed, key=order.index):
        problems.append(f"{code} fields are out of the specification's order: {ids}")
    if ids and ids[-1] not in ("AF", "AG") and ("AF" in ids or "AG" in ids):
        problems.append(f"{code} sends screen message / print line before other fields: {ids}")
    return problems


@pytest.fixture
def world(unit):
    reader = factories.reader(home=unit("YX-S01"), card="R0000001", name="王小明")
    book = factories.item(home=unit("YX-S01"), barcode="B0000001", title="平凡的世界")
    away = factories.item(home=unit("YX-LIB"), barcode="L0000001", title="红楼梦")
    return reader, book, away


def _lent(reader, book, days_ago: int = 0):
    return circ.loan_checkout(
        reader=reader,
        item=book,
        at_unit=book.home_unit,
        actor=None,
        at=timezone.now() - dt.timedelta(days=days_ago),
    )


# (what is asked, what is done first, the message) -- each answered or refused
SCENARIOS = {
    "login answered": (None, login_message("kiosk-yx", factories.KIOSK_PASSWORD)),
    "login refused": (None, login_message("kiosk-yx", "not-the-password")),
    "sc status": (None, msg("9900802.00")),
    "patron status": (None, msg(f"23019{STAMP}AOYX|AAR0000001|AD1234|")),
    "patron status, unknown card": (None, msg(f"23019{STAMP}AOYX|AANOBODY|AD1234|")),
    "patron information, charged": (
        lambda r, b, a: _lent(r, b),
        patron_information("R0000001", summary="  Y       "),
    ),
    "patron information, fines": (None, patron_information("R0000001", summary="   Y      ")),
    "patron information, unknown card": (None, patron_information("NOBODY")),
    "checkout answered": (None, checkout("R0000001", "B0000001")),
    "checkout, unknown barcode": (None, checkout("R0000001", "NOPE")),
    "checkout, wrong pin": (None, checkout("R0000001", "B0000001", pin="9999")),
    "checkout, missing item": (None, msg(f"11NN{STAMP}{' ' * 18}AOYX|AAR0000001|AD1234|")),
    "checkin home": (lambda r, b, a: _lent(r, b), checkin("B0000001")),
    "checkin away (alert)": (lambda r, b, a: _lent(r, a), checkin("L0000001")),
    "checkin, unknown barcode": (None, checkin("NOPE")),
    "renew answered": (lambda r, b, a: _lent(r, b, days_ago=20), renew("R0000001", "B0000001")),
    "renew, not on loan": (None, renew("R0000001", "B0000001")),
    "renew all": (lambda r, b, a: _lent(r, b, days_ago=20), msg(f"65{STAMP}AOYX|AAR0000001|AD1234|")),
    "renew all, unknown card": (None, msg(f"65{STAMP}AOYX|AANOBODY|AD1234|")),
    "item information, on loan": (lambda r, b, a: _lent(r, b), msg(f"17{STAMP}AOYX|ABB0000001|")),
    "item information, unknown": (None, msg(f"17{STAMP}AOYX|ABNOPE|")),
    "end patron session": (None, msg(f"35{STAMP}AOYX|AAR0000001|")),
    "fee paid, nothing owed": (None, msg(f"37{STAMP}0100CNYBV1.00|AOYX|AAR0000001|AD1234|")),
    "fee paid, unknown card": (None, msg(f"37{STAMP}0100CNYBV1.00|AOYX|AANOBODY|AD1234|")),
    "hold placed": (None, msg(f"15+{STAMP}BSYX-S02|AOYX|AAR0000001|AD1234|ABL0000001|")),
    "hold, already lent to the reader": (
        lambda r, b, a: _lent(r, b),
        msg(f"15+{STAMP}AOYX|AAR0000001|AD1234|ABB0000001|"),
    ),
    "hold, unknown item": (None, msg(f"15+{STAMP}AOYX|AAR0000001|AD1234|ABNOPE|")),
    "block patron": (None, msg(f"01N{STAMP}AOYX|ALtampering|AAR0000001|")),
    "patron enable": (None, msg(f"25{STAMP}AOYX|AAR0000001|AD1234|")),
    "patron enable, unknown card": (None, msg(f"25{STAMP}AOYX|AANOBODY|AD1234|")),
    "item status update": (None, msg(f"19{STAMP}AOYX|ABB0000001|CHbin 3|")),
    "item status update, unknown": (None, msg(f"19{STAMP}AOYX|ABNOPE|CHbin 3|")),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_each_response_conforms_to_the_sip2_specification(scenario, kiosk, world):
    before, raw = SCENARIOS[scenario]
    if before is not None:
        before(*world)
    session = Session(peer="192.0.2.10")
    if not raw.startswith(b"93"):
        assert session.respond(login_message(kiosk.name, factories.KIOSK_PASSWORD)).data == b"941\r"

    problems = check_against_the_specification(session.respond(raw).data)

    assert problems == []


def test_the_specification_table_catches_a_response_that_does_not_conform():
    # A check that cannot fail proves nothing: these break one rule each.
    assert check_against_the_specification(
        b"12" + b"1NNY" + b"20261127    100000" + b"AOYX|AAR1|ABB1|AJt|\r"
    ) == ["12 lacks the required field AH"]
    assert check_against_the_specification(b"16" + b"1N" + b"20261127    100000" + b"AOYX|AAR1|BR1|\r") == [
        "16 fields are out of the specification's order: ['AO', 'AA', 'BR']"
    ]
    assert check_against_the_specification(b"36" + b"Y" + b"2026112" + b"AOYX|AAR1|\r") != []
