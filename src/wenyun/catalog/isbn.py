"""ISBN-10 and ISBN-13: normalising, check digits, converting one to the other.

Records keep the ISBN-13 (an ISBN-10 is converted, prefix 978); one whose check digit is wrong is kept
as written and flagged, because catalogues carry such numbers and staff must be able to find them.
"""

from __future__ import annotations

import operator
import re
from typing import NamedTuple

_CANDIDATE = re.compile(r"(97[89][\d\- ]{10,14}|[\d][\d\- ]{8,11}[\dXx])")


class Isbn(NamedTuple):  # a named tuple: an import makes one for most records, in a quarter of the time
    raw: str  # the digits as written (hyphens and spaces removed, X upper case)
    isbn13: str  # the normalised ISBN-13 when valid, else ""
    valid: bool


def _digits(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).upper()


def _codes(digits: str) -> bytes:
    """The digits' character codes ("0" is 48), read from the ASCII bytes: int() of each character would
    cost most of an ISBN's check. Other scripts' digits (which `\\d` also matches) are made ASCII first."""
    return digits.encode() if digits.isascii() else "".join(str(int(c)) for c in digits).encode()


_WEIGHTS_10 = range(10, 1, -1)
_ZERO_10 = 48 * sum(_WEIGHTS_10)


def isbn10_check(first9: str) -> str:
    total = sum(map(operator.mul, _WEIGHTS_10, _codes(first9))) - _ZERO_10
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check(first12: str) -> str:
    codes = _codes(first12)
    total = sum(codes[0::2]) + 3 * sum(codes[1::2]) - 48 * (6 + 3 * 6)
    return str((10 - total % 10) % 10)


def isbn_parse(text: str) -> Isbn | None:
    """The ISBN at the start of a MARC 020$a / 010$a ("978-7-5366-9293-0 (平装)"), or None if there is none."""
    match = _CANDIDATE.search(text or "")
    if not match:
        return None
    raw = match.group(1).replace("-", "").replace(" ", "").upper()  # the pattern allows no other space
    if len(raw) == 13 and raw.isdigit():
        valid = isbn13_check(raw[:12]) == raw[12]
        return Isbn(raw, raw if valid else "", valid)
    if len(raw) == 10 and raw[:9].isdigit() and (raw[9].isdigit() or raw[9] == "X"):
        if isbn10_check(raw[:9]) != raw[9]:
            return Isbn(raw, "", False)
        body = "978" + raw[:9]
        return Isbn(raw, body + isbn13_check(body), True)
    return Isbn(raw, "", False) if len(raw) in (10, 13) else None


def isbn_query(text: str) -> str | None:
    """The ISBN-13 a reader means when the whole search is one ISBN (10 or 13, hyphens or not)."""
    raw = _digits(text.strip())
    if len(raw) not in (10, 13) or not re.fullmatch(r"\d{9}[\dX]|\d{13}", raw):
        return None
    parsed = isbn_parse(raw)
    return parsed.isbn13 if parsed and parsed.valid else None


def isbn13_to_10(isbn13: str) -> str:
    """The ISBN-10 of a 978 ISBN-13 ("" for 979, which has none)."""
    if len(isbn13) != 13 or not isbn13.startswith("978"):
        return ""
    return isbn13[3:12] + isbn10_check(isbn13[3:12])
