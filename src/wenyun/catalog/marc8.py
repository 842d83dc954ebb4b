"""MARC-8 read and written: the MARC-8 character sets to Unicode and back, as the Library of Congress does it.

`decode` reads MARC-8 strictly: a byte sequence that is not MARC-8 (an escape with nothing after it,
an escape to no set, a CJK character cut short, a byte the current set has no character for) is
refused with a sentence saying where and what, so that a record is never stored as a guess.
(pymarc's decoder, whose tables both directions use, raises TypeError on the first, and writes a
space, or drops bytes, for the others.)

The encoder is the same tables (`pymarc.marc8_mapping`) read backwards, so what it writes reads back as it was:
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

from django.utils.translation import gettext as _

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
SET_NAMES = {
    0x42: "ASCII",
    0x45: "ANSEL",
    0x31: "EACC",
    0x32: "Hebrew",
    0x33: "Arabic",
    0x34: "extended Arabic",
    0x4E: "Cyrillic",
    0x51: "extended Cyrillic",
    0x53: "Greek",
    0x67: "Greek symbols",
    0x62: "subscripts",
    0x70: "superscripts",
}


class Marc8Error(ValueError):
    """Bytes that are not MARC-8; the message says where and what, and the caller names the record
    and the field around it."""


def decode(data: bytes, g0: int = ASCII, g1: int = ANSEL) -> str:
    """MARC-8 bytes as Unicode (NFC), starting in the given sets; Marc8Error where they are not MARC-8."""
    from pymarc.marc8_mapping import CODESETS, ODD_MAP

    out: list[str] = []
    marks: list[str] = []  # MARC-8 puts a letter's diacritics before it, Unicode after
    pos, n = 0, len(data)
    while pos < n:
        byte = data[pos]
        if byte == 0x1B:
            pos, g0, g1 = _designate(data, pos, g0, g1, CODESETS)
            continue
        if byte < 0x20 or 0x7F < byte < 0xA0:  # control characters: not text (as pymarc reads them)
            pos += 1
            continue
        if g0 == EACC and byte != 0x20 and byte < 0x80:
            if pos + 3 > n:
                raise Marc8Error(_("the EACC character at byte %(n)s is cut short") % {"n": pos + 1})
            code, charset, width = int.from_bytes(data[pos : pos + 3], "big"), EACC, 3
        elif byte >= 0x80:
            code, charset, width = byte, g1, 1
        else:
            code, charset, width = byte, g0, 1
        found = CODESETS[charset].get(code)
        if found is None:
            if code in ODD_MAP:
                found = (ODD_MAP[code], 0)
            elif code == 0x20:
                found = (0x20, 0)
            else:
                raise Marc8Error(
                    _("byte %(n)s (%(code)s) is not a character of the %(set)s set")
                    % {"n": pos + 1, "code": f"0x{code:0{width * 2}X}", "set": SET_NAMES[charset]}
                )
        pos += width
        uni, combining = found
        if combining:
            marks.append(chr(uni))
        else:
            out.append(chr(uni))
            if marks:
                out.extend(marks)
                marks = []
    out.extend(marks)  # marks with no letter after them: kept as they came
    return unicodedata.normalize("NFC", "".join(out))


def _NO_SET() -> str:
    return _("the escape at byte %(n)s (ESC %(sequence)s) designates no MARC-8 character set")


def _designate(data: bytes, pos: int, g0: int, g1: int, codesets) -> tuple[int, int, int]:
    """The escape sequence at `pos`: where the text goes on, and the sets it leaves in G0 and G1."""
    start = pos
    pos += 1
    if pos >= len(data):
        raise Marc8Error(_("the escape at byte %(n)s has nothing after it") % {"n": start + 1})
    first = data[pos]
    if first in b"gbp":  # technique 1: Greek symbols, subscripts, superscripts into G0
        return pos + 1, first, g1
    if first == 0x73:  # ESC s: back to ASCII
        return pos + 1, ASCII, g1
    target = "g0"
    if first == 0x24:  # ESC $: a multibyte set, G0 unless ) or - follows
        pos += 1
        if pos < len(data) and data[pos] in b"(,)-":
            target = "g1" if data[pos] in b")-" else "g0"
            pos += 1
    elif first in b"(,":
        pos += 1
    elif first in b")-":
        target = "g1"
        pos += 1
    else:
        raise Marc8Error(_NO_SET() % {"n": start + 1, "sequence": f"0x{first:02X}"})
    if pos < len(data) and data[pos] == 0x21:  # ANSEL's final is written !E
        pos += 1
    if pos >= len(data):
        raise Marc8Error(_("the escape at byte %(n)s has nothing after it") % {"n": start + 1})
    final = data[pos]
    if final not in codesets:
        sequence = " ".join(f"0x{b:02X}" for b in data[start + 1 : pos + 1])
        raise Marc8Error(_NO_SET() % {"n": start + 1, "sequence": sequence})
    if target == "g1":
        return pos + 1, g0, final
    return pos + 1, final, g1


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
