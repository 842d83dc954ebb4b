"""Writing MARC-8: Unicode text to the MARC-8 character sets, the way the Library of Congress does it.

pymarc decodes MARC-8 but does not encode it. This encoder is the same tables read backwards
(`pymarc.marc8_mapping`, which our import decodes with), so what it writes reads back as it was:
ASCII and ANSEL (Latin with diacritics) in the default G0/G1 sets, EACC (Chinese, Japanese, Korean)
through `ESC $ 1`, Greek, Cyrillic, Hebrew, Arabic, subscripts and superscripts through their escapes.
A diacritic comes before its letter, as MARC-8 requires (Unicode puts it after). Each string starts
and ends in the default sets, so every subfield reads on its own.

A character that no MARC-8 set has is written as a numeric character reference, `&#xXXXX;`, the
lossless fallback the Library of Congress uses in its MARC-8 records; reading MARC-8, the import
turns such references back into the character (`ncr_unescape`).
"""

from __future__ import annotations

import functools
import re
import unicodedata

ESC = "\x1b"
ASCII = 0x42  # G0 default
ANSEL = 0x45  # G1 default
EACC = 0x31  # the multibyte CJK set
# Sets designated with a one-byte escape (technique 1): Greek symbols, subscripts, superscripts.
TECHNIQUE_1 = {0x67, 0x62, 0x70}
G1_SETS = {0x45, 0x51, 0x34}  # ANSEL, extended Cyrillic, extended Arabic: bytes 0xA1-0xFE
# Where a character is in more than one set, the first set in this order is used.
PREFERENCE = [ASCII, ANSEL, EACC, 0x53, 0x4E, 0x51, 0x32, 0x33, 0x34, 0x67, 0x62, 0x70]

_NCR = re.compile(r"&#x([0-9A-Fa-f]{1,6});")


@functools.cache
def _table() -> dict[str, tuple[int, bytes, bool]]:
    """Unicode character -> (set, its bytes in that set, whether it is a combining mark)."""
    from pymarc.marc8_mapping import CODESETS

    table: dict[str, tuple[int, bytes, bool]] = {}
    for charset in reversed(PREFERENCE):  # the preferred set is written last and wins
        codes = CODESETS.get(charset, {})
        for code in sorted(codes, reverse=True):  # the lowest code wins among a set's variants
            uni, combining = codes[code]
            if charset == ASCII and code < 0x20:
                continue
            raw = code.to_bytes(3, "big") if charset == EACC else bytes([code])
            table[chr(uni)] = (charset, raw, bool(combining))
    return table


def _escape(charset: int) -> str:
    if charset in G1_SETS:
        return ESC + ")" + chr(charset)
    if charset == EACC:
        return ESC + "$1"
    if charset in TECHNIQUE_1:
        return ESC + chr(charset)
    return ESC + "(" + chr(charset)


def _units(text: str):
    """Each character the tables can take, or its decomposition (a letter and its marks)."""
    table = _table()
    for char in text:
        if char in table or char.isascii():
            yield char
            continue
        decomposed = unicodedata.normalize("NFD", char)
        if decomposed != char and all(c in table for c in decomposed):
            yield from decomposed
        else:
            yield char


def encode(text: str) -> bytes:
    """The text in MARC-8, starting and ending in the default sets (ASCII and ANSEL)."""
    if text.isascii() and ESC not in text:
        return text.encode("ascii")
    table = _table()
    out: list[str] = []
    g0, g1 = ASCII, ANSEL

    def emit(charset: int, raw: bytes) -> None:
        nonlocal g0, g1
        if charset in G1_SETS:
            if charset != g1:
                out.append(_escape(charset))
                g1 = charset
        elif charset != g0:
            out.append(_escape(charset))
            g0 = charset
        out.append(raw.decode("latin-1"))

    pending: list[tuple[int, bytes]] = []  # MARC-8 puts a letter's diacritics before it
    letters: list[tuple[list[tuple[int, bytes]], tuple[int, bytes] | None]] = []
    for char in _units(text):
        found = table.get(char)
        if found is None:
            for c in f"&#x{ord(char):04X};":
                letters.append(([], (ASCII, c.encode("ascii"))))
            continue
        charset, raw, combining = found
        if combining and letters and letters[-1][1] is not None:
            letters[-1][0].append((charset, raw))
        elif combining:
            pending.append((charset, raw))
        else:
            letters.append((pending, (charset, raw)))
            pending = []
    for marks, letter in letters:
        for charset, raw in marks:
            emit(charset, raw)
        if letter is not None:
            emit(*letter)
    for charset, raw in pending:  # marks with no letter after them: written as they came
        emit(charset, raw)
    if g0 != ASCII:
        out.append(_escape(ASCII))
    if g1 != ANSEL:
        out.append(_escape(ANSEL))
    return "".join(out).encode("latin-1")


def unencodable(text: str) -> list[str]:
    """The characters of a text that MARC-8 has no code for (they are written as `&#xXXXX;`)."""
    table = _table()
    return [c for c in _units(text) if c not in table and not c.isascii()]


def ncr_unescape(text: str) -> str:
    """`&#xXXXX;` back to the character it stands for (as MARC-8 records carry what MARC-8 cannot)."""
    if "&#x" not in text:
        return text

    def char(match: re.Match) -> str:
        value = int(match.group(1), 16)
        return chr(value) if 0 < value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else match.group()

    return _NCR.sub(char, text)
