"""Reading and writing MARC: ISO 2709 and MARCXML, MARC 21 and UNIMARC/CNMARC, UTF-8, MARC-8 and GB18030.

The reader is our own: it splits ISO 2709 by the leader's length and directory, decodes only as
needed, and says in one sentence what is wrong with a record it cannot read, so an import can skip
it and go on. MARC-8 (with its East Asian set EACC) is decoded through pymarc's tables. Records are
kept as ISO 2709 in UTF-8; a record read from UTF-8 keeps its bytes as they were.
"""

from __future__ import annotations

import functools
import re
import struct
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.translation import gettext as _

from .marc8 import Marc8Error, ncr_unescape
from .marc8 import decode as marc8_decode

FT = b"\x1e"  # field terminator
RT = b"\x1d"  # record terminator
SF = b"\x1f"  # subfield delimiter

ENCODINGS = ("auto", "utf-8", "marc8", "gb18030")
FLAVOURS = ("auto", "marc21", "unimarc")


class MarcError(Exception):
    """A record that cannot be read; the message names what is wrong with it."""


@dataclass(slots=True)
class Field:
    tag: str
    value: str = ""  # control fields (00X)
    indicators: str = "  "
    subfields: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_control(self) -> bool:
        return self.tag < "010" and self.tag.isdigit()

    def get(self, code: str) -> str:
        for c, v in self.subfields:
            if c == code:
                return v
        return ""

    def get_all(self, code: str) -> list[str]:
        return [v for c, v in self.subfields if c == code]

    def text(self, codes: str) -> str:
        return " ".join([s for c, v in self.subfields if c in codes and (s := v.strip())])


@dataclass
class MarcRecord:
    leader: str
    fields: list[Field]
    raw: bytes = b""  # the ISO 2709 bytes when they were UTF-8 and are kept as they were
    encoding: str = "utf-8"

    def get_fields(self, *tags: str) -> list[Field]:
        if len(tags) == 1:
            return [f for f in self.fields if f.tag == tags[0]]
        return [f for f in self.fields if f.tag in tags]

    def first(self, *tags: str) -> Field | None:
        if len(tags) == 1:
            tag = tags[0]
            for f in self.fields:
                if f.tag == tag:
                    return f
            return None
        for f in self.fields:
            if f.tag in tags:
                return f
        return None

    def control(self, tag: str) -> str:
        f = self.first(tag)
        return f.value if f else ""


@dataclass(slots=True)
class Position:
    number: int  # 1-based record number in the file
    offset: int  # byte offset (ISO 2709) or line (MARCXML) where the record starts


# ---------------------------------------------------------------------------------------------
# ISO 2709


def split_iso2709(stream: BinaryIO | bytes) -> Iterator[tuple[Position, bytes | MarcError]]:
    """Each record's bytes, or the reason it cannot be cut out of the file; the rest go on."""
    data = stream if isinstance(stream, bytes) else stream.read()
    for number, offset, length in cut_iso2709(data):
        pos = Position(number, offset)
        yield pos, length if isinstance(length, MarcError) else data[offset : offset + length]


def cut_iso2709(data: bytes) -> Iterator[tuple[int, int, int | MarcError]]:
    """Where each record lies in the file: (number, offset, length), or the reason it cannot be cut out
    of the file in place of its length. Nothing is copied (an import hands the places to its workers)."""
    offset = 0
    number = 0
    size = len(data)
    while offset < size:
        # Whitespace or line ends between records, as some exports write them, are not records.
        while offset < size and data[offset] in b"\r\n \t":
            offset += 1
        if offset >= size:
            break
        number += 1
        head = data[offset : offset + 5]
        if len(head) < 5 or not head.isdigit():
            end_mark = data.find(RT, offset)
            yield (
                number,
                offset,
                MarcError(
                    _("the record length %(value)r in the leader is not a number")
                    % {"value": head.decode("latin-1")}
                ),
            )
            offset = end_mark + 1 if end_mark >= 0 else size
            continue
        length = int(head)
        if length < 25:
            end_mark = data.find(RT, offset)
            yield (
                number,
                offset,
                MarcError(_("the record length %(length)s is too short for a leader") % {"length": length}),
            )
            offset = end_mark + 1 if end_mark >= 0 else size
            continue
        if offset + length > size:
            yield (
                number,
                offset,
                MarcError(
                    _("the record is cut short: %(found)s of %(length)s bytes are in the file")
                    % {"found": size - offset, "length": length}
                ),
            )
            break
        if data[offset + length - 1] != 0x1D:
            end_mark = data.find(RT, offset)
            yield (
                number,
                offset,
                MarcError(
                    _("the record does not end where its length (%(length)s) says it does")
                    % {"length": length}
                ),
            )
            offset = end_mark + 1 if end_mark >= 0 else size
            continue
        yield number, offset, length
        offset += length


def _fits_marc8(body: bytes) -> bool:
    try:
        marc8_decode(body)
    except Marc8Error:
        return False
    return True


def _fits_gb18030(body: bytes) -> bool:
    try:
        body.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _looks_like_diacritics(body: bytes) -> bool:
    """MARC-8 Latin: each non-ASCII byte is a mark (one or two) written before an ASCII letter, or a
    special letter standing alone; GB18030 Chinese is runs of two, four, six... high bytes."""
    for run in _HIGH_RUN.finditer(body):
        after = body[run.end() : run.end() + 1]
        if len(run.group()) > 2 or not (after.isalpha() or after in (b" ", b"\x1e", b"\x1f", b"")):
            return False
    return True


def _detect_encoding(chunk: bytes, leader9: str, flavour: str) -> str | None:
    """What a record's text is written in, from the leader and the bytes themselves; None if it fits
    none of UTF-8, MARC-8 and GB18030 cleanly (the caller names the record rather than guess)."""
    body = chunk[24:]
    if body.isascii():
        return "marc8" if b"\x1b" in body and leader9 != "a" else "utf-8"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    # MARC 21's leader/09 "a" says UCS: MARC-8 is then believed only on its escapes.
    # GB18030 text has no escapes: a record with them is MARC-8, and where it is not valid MARC-8,
    # reading it names the field.
    if b"\x1b" in body:
        return "marc8"
    marc8 = leader9 != "a" and _fits_marc8(body)
    gb18030 = _fits_gb18030(body)
    if marc8 and gb18030:
        return "marc8" if _looks_like_diacritics(body) else "gb18030"
    if gb18030:
        return "gb18030"
    if marc8:
        return "marc8"
    return None


def _marc8(data: bytes) -> str:
    # Each subfield starts in the default sets (ASCII and ANSEL), so that a text that does not switch
    # back cannot misread the next one.
    return ncr_unescape(marc8_decode(data))


def _decode(data: bytes, encoding: str) -> str:
    if encoding == "utf-8":
        return data.decode("utf-8")
    if encoding == "gb18030":
        return data.decode("gb18030")
    if b"\x1b" not in data and data.isascii():
        return ncr_unescape(data.decode("ascii"))
    return _marc8(data)


_DIRECTORY = re.compile(rb"(?:[\x20-\x7e]{3}\d{9})+")
_ENTRY = re.compile(rb"([\x20-\x7e]{3})(\d{4})(\d{5})")
_CODE_PUNCTUATION = "!#$%&*+-./:;<=>?@_"
_BAD_CODE = re.compile("\x1f[^0-9A-Za-z!#$%&*+\\-./:;<=>?@_]")


_CONTROL_TAGS = frozenset(f"00{d}".encode() for d in range(10))
# The str of each numeric tag, so that the hot loop does not decode the same three bytes again and again.
_TAGS = {f"{n:03d}".encode(): f"{n:03d}" for n in range(1000)}


@functools.cache
def _tag_bytes(tags: frozenset[str]) -> frozenset[bytes]:
    return frozenset(t.encode("ascii") for t in tags)


_scan: Callable[..., list[Field] | None] | None
try:
    # The loop below compiled (_marcscan.c), built by `pip install` where there is a C compiler.
    from ._marcscan import scan as _scan
except ImportError:  # pragma: no cover - no compiler where it was installed: the loop in Python
    _scan = None


@functools.cache
def _scan_tags(tags: frozenset[str] | None) -> tuple[bytes | None, frozenset[bytes] | None]:
    """The wanted tags as _scan takes them: a byte per numeric tag, and the other tags."""
    if tags is None:
        return None, None
    mask = bytearray(1000)
    others = set()
    for tag in _tag_bytes(tags):
        if tag.isdigit() and len(tag) == 3:
            mask[int(tag)] = 1
        else:
            others.add(tag)
    return bytes(mask), frozenset(others) or None


def _directory_error(directory: bytes) -> None:
    """Say which directory entry is broken (the fast path found one that is)."""
    for i in range(0, len(directory), 12):
        entry = directory[i : i + 12]
        if not _ENTRY.fullmatch(entry):
            if not entry[:3].isascii():
                raise MarcError(_("directory entry %(n)s has a tag that is not ASCII") % {"n": i // 12 + 1})
            raise MarcError(
                _("directory entry %(n)s (%(entry)r) is not numeric")
                % {"n": i // 12 + 1, "entry": entry.decode("latin-1")}
            )
    raise MarcError(_("the directory is not readable"))


def _unfit_message(chunk: bytes, utf8_leader: bool) -> str:
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start + 1
    else:  # pragma: no cover - a record that is UTF-8 fits
        first_bad = 0
    if utf8_leader:
        return _(
            "the leader says the record is in UTF-8, but byte %(n)s is not valid UTF-8, and the"
            " record is not GB18030 either: it is not imported as a guess"
        ) % {"n": first_bad}
    return _(
        "the record is not cleanly UTF-8 (byte %(n)s), MARC-8 or GB18030: it is not imported as a guess;"
        " give its encoding with --encoding if you know it"
    ) % {"n": first_bad}


def parse_iso2709(
    chunk: bytes, *, encoding: str = "auto", flavour: str = "auto", tags: frozenset[str] | None = None
) -> MarcRecord:
    """One ISO 2709 record; with `tags`, only those fields are decoded (the import's fast path)."""
    if type(chunk) is not bytes:  # a bytearray or memoryview: MARC-8's tables and _scan take bytes
        chunk = bytes(chunk)
    try:
        leader = chunk[:24].decode("ascii")
    except UnicodeDecodeError:
        raise MarcError(_("the leader is not plain ASCII")) from None
    base_text = leader[12:17]
    if not base_text.isdigit():
        raise MarcError(
            _("the base address of data %(value)r in the leader is not a number") % {"value": base_text}
        )
    base = int(base_text)
    if base <= 24 or base >= len(chunk):
        raise MarcError(_("the base address of data (%(base)s) is outside the record") % {"base": base})
    directory = chunk[24 : base - 1]
    if chunk[base - 1 : base] != FT:
        raise MarcError(_("the directory does not end with a field terminator"))
    if len(directory) % 12:
        raise MarcError(
            _("the directory's length (%(length)s) is not a multiple of 12") % {"length": len(directory)}
        )
    if not directory:
        raise MarcError(_("the record has no fields"))
    # Plain ASCII reads the same in every encoding (most records are): decoded once, cut by offsets.
    whole = chunk.decode("ascii") if chunk.isascii() else None
    enc = encoding
    if (
        whole is not None
        and leader[9] != "a"
        and encoding in ("auto", "marc8")
        and (b"\x1b" in chunk or b"&#x" in chunk)
    ):
        # MARC-8 written in ASCII bytes only: its escapes (EACC is three ASCII bytes a character) or
        # references to characters MARC-8 has no code for. Decoded as MARC-8.
        whole = None
        enc = "marc8"
    if enc == "auto":
        if whole is not None:
            enc = "utf-8"
        else:
            detected: str | None = (
                "utf-8"
                if leader[9] == "a" and flavour != "unimarc"
                else _detect_encoding(chunk, leader[9], flavour)
            )
            if detected == "utf-8" and leader[9] == "a":
                try:
                    chunk[base:].decode("utf-8")
                except UnicodeDecodeError:
                    detected = _detect_encoding(chunk, "a" if flavour != "unimarc" else " ", flavour)
            if detected is None:
                raise MarcError(_unfit_message(chunk, leader[9] == "a" and flavour != "unimarc"))
            enc = detected
    if _scan is not None and (whole is not None or enc == "utf-8"):
        # The same loop in C for UTF-8 and ASCII text; None where the record is unusual in any way,
        # which the loop below then reads again and names.
        found = _scan(chunk, base, *_scan_tags(tags), Field)
        if found is not None:
            if b"&#x" in chunk:
                return _with_references_decoded(MarcRecord(leader=leader, fields=found, encoding=enc))
            return MarcRecord(leader=leader, fields=found, raw=chunk if enc == "utf-8" else b"", encoding=enc)
    fields: list[Field] = []
    data_end = len(chunk)
    if not _DIRECTORY.fullmatch(directory):
        _directory_error(directory)
    wanted = _tag_bytes(tags) if tags is not None else None
    # What the loop below does for every field, kept to a few operations on the common path: a
    # record's text (ASCII, UTF-8 or GB18030) is decoded field by field and split at the subfield marks.
    text_codec = enc if enc != "marc8" or whole is not None else ""
    # One look over a plain-ASCII record for a bad subfield code; only if there is one, field by field.
    check_codes = whole is None or _BAD_CODE.search(whole, base) is not None
    for tag_b, length_b, start_b in struct.iter_unpack("3s4s5s", directory):
        if wanted is not None and tag_b not in wanted:
            continue
        tag = _TAGS.get(tag_b) or tag_b.decode("ascii")
        start = base + int(start_b)
        end = start + int(length_b)
        if end > data_end:
            raise MarcError(_("field %(tag)s runs past the end of the record") % {"tag": tag})
        if end > start and chunk[end - 1] == 0x1E:
            end -= 1
        try:
            if tag_b in _CONTROL_TAGS:
                fields.append(
                    Field(tag, whole[start:end] if whole is not None else _decode(chunk[start:end], enc))
                )
                continue
            if text_codec:
                text = whole[start:end] if whole is not None else chunk[start:end].decode(text_codec)
                if "\x1f" in text:
                    bad = _BAD_CODE.search(text) if check_codes else None
                    if bad:
                        raise MarcError(
                            _("field %(tag)s has a subfield code %(code)r that is not a letter or digit")
                            % {"tag": tag, "code": bad.group()[1:]}
                        )
                    text_parts = text.split("\x1f")
                    head = text_parts[0]
                    fields.append(
                        Field(
                            tag,
                            "",
                            head if len(head) == 2 else (head.ljust(2)[:2] if head else "  "),
                            [(p[:1], p[1:]) for p in text_parts[1:] if p],
                        )
                    )
                else:
                    fields.append(Field(tag, "", text.ljust(2)[:2] if text else "  ", []))
                continue
            data = chunk[start:end]
            parts = data.split(SF)
            indicators = _decode(parts[0], enc) if parts[0] else "  "
            subfields = [(_decode(p[:1], enc), _decode(p[1:], enc)) for p in parts[1:] if p]
        except UnicodeDecodeError:
            raise MarcError(
                _("field %(tag)s is not valid %(encoding)s") % {"tag": tag, "encoding": enc}
            ) from None
        except Marc8Error as exc:
            raise MarcError(
                _("field %(tag)s is not valid MARC-8: %(reason)s") % {"tag": tag, "reason": exc}
            ) from None
        for code, _value in subfields:
            if not (code.isascii() and (code.isalnum() or code in _CODE_PUNCTUATION)):
                raise MarcError(
                    _("field %(tag)s has a subfield code %(code)r that is not a letter or digit")
                    % {"tag": tag, "code": code}
                )
        fields.append(Field(tag, indicators=indicators.ljust(2)[:2], subfields=subfields))
    if enc != "marc8" and b"&#x" in chunk:
        return _with_references_decoded(MarcRecord(leader=leader, fields=fields, encoding=enc))
    return MarcRecord(leader=leader, fields=fields, raw=chunk if enc == "utf-8" else b"", encoding=enc)


def _with_references_decoded(record: MarcRecord) -> MarcRecord:
    """The record with `&#xXXXX;` read as the character it stands for, in UTF-8, GB18030 and MARCXML
    too: records converted from MARC-8 by other tools keep MARC-8's references as text. The raw
    bytes are not kept, so that what is stored is written from the decoded fields."""
    for f in record.fields:
        if f.is_control:
            f.value = ncr_unescape(f.value)
        else:
            f.subfields = [(code, ncr_unescape(value)) for code, value in f.subfields]
    record.raw = b""
    return record


def to_iso2709(record: MarcRecord, *, flavour: str = "marc21", encoding: str = "utf-8") -> bytes:
    """The record as ISO 2709 in UTF-8 (the leader says so for MARC 21), MARC-8 or GB18030.

    In MARC-8, a character no MARC-8 set has is written as `&#xXXXX;` (see marc8.py)."""
    if record.raw and encoding == "utf-8":
        return record.raw
    if encoding == "marc8":
        from .marc8 import encode as text_bytes
    else:

        def text_bytes(text: str) -> bytes:
            return text.encode(encoding)

    directory = bytearray()
    body = bytearray()
    for f in record.fields:
        if f.is_control:
            data = text_bytes(f.value) + FT
        else:
            data = (
                text_bytes(f.indicators)
                + b"".join(SF + text_bytes(c) + text_bytes(v) for c, v in f.subfields)
                + FT
            )
        directory += f"{f.tag[:3]:0>3}{len(data):04d}{len(body):05d}".encode("ascii")
        body += data
    base = 24 + len(directory) + 1
    length = base + len(body) + 1
    leader = record.leader.ljust(24)[:24]
    if flavour == "marc21":
        leader = leader[:9] + ("a" if encoding == "utf-8" else " ") + leader[10:]
    leader = f"{length:05d}{leader[5:12]}{base:05d}{leader[17:]}"
    return leader.encode("ascii", "replace") + bytes(directory) + FT + bytes(body) + RT


# ---------------------------------------------------------------------------------------------
# MARCXML

_XML_NS = re.compile(r"^\{[^}]*\}")


def _local(tag: str) -> str:
    return _XML_NS.sub("", tag)


def read_marcxml(stream: BinaryIO | bytes) -> Iterator[tuple[Position, MarcRecord | MarcError]]:
    """Each <record> of a MARCXML file; a malformed file stops where it breaks, after what came before."""
    import io

    source = io.BytesIO(stream) if isinstance(stream, bytes) else stream
    number = 0
    try:
        for _event, element in ET.iterparse(source, events=("end",)):
            if _local(element.tag) != "record":
                continue
            number += 1
            pos = Position(number, number)
            try:
                yield pos, _xml_record(element)
            except MarcError as exc:
                yield pos, exc
            element.clear()
    except ET.ParseError as exc:
        yield (
            Position(number + 1, exc.position[0]),
            MarcError(_("the XML is malformed at line %(line)s") % {"line": exc.position[0]}),
        )


def _xml_record(element: ET.Element) -> MarcRecord:
    leader = ""
    fields: list[Field] = []
    for child in element:
        name = _local(child.tag)
        if name == "leader":
            leader = (child.text or "").ljust(24)[:24]
        elif name == "controlfield":
            tag = child.get("tag", "")
            if not re.fullmatch(r"[0-9A-Za-z]{3}", tag):
                raise MarcError(
                    _("a control field has the tag %(tag)r, which is not three characters") % {"tag": tag}
                )
            fields.append(Field(tag, value=child.text or ""))
        elif name == "datafield":
            tag = child.get("tag", "")
            if not re.fullmatch(r"[0-9A-Za-z]{3}", tag):
                raise MarcError(
                    _("a data field has the tag %(tag)r, which is not three characters") % {"tag": tag}
                )
            indicators = (child.get("ind1", " ") or " ")[:1] + (child.get("ind2", " ") or " ")[:1]
            subfields = [
                (sub.get("code", " ")[:1], sub.text or "") for sub in child if _local(sub.tag) == "subfield"
            ]
            fields.append(Field(tag, indicators=indicators, subfields=subfields))
    if not leader.strip():
        raise MarcError(_("the record has no leader"))
    if not fields:
        raise MarcError(_("the record has no fields"))
    record = MarcRecord(leader=leader, fields=fields)
    if any("&#x" in (f.value if f.is_control else "".join(v for _c, v in f.subfields)) for f in fields):
        return _with_references_decoded(record)
    return record


def to_marcxml(records: Iterator[MarcRecord], out) -> None:
    """MARCXML (MARC 21 slim) for a sequence of records, written to a text stream."""
    from xml.sax.saxutils import escape, quoteattr

    out.write('<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n')
    for record in records:
        out.write(f"<record>\n  <leader>{escape(record.leader)}</leader>\n")
        for f in record.fields:
            if f.is_control:
                out.write(f"  <controlfield tag={quoteattr(f.tag)}>{escape(f.value)}</controlfield>\n")
                continue
            out.write(
                f"  <datafield tag={quoteattr(f.tag)} ind1={quoteattr(f.indicators[0])}"
                f" ind2={quoteattr(f.indicators[1])}>\n"
            )
            for code, value in f.subfields:
                out.write(f"    <subfield code={quoteattr(code)}>{escape(_xml_safe(value))}</subfield>\n")
            out.write("  </datafield>\n")
        out.write("</record>\n")
    out.write("</collection>\n")


def _xml_safe(text: str) -> str:
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", text)


# ---------------------------------------------------------------------------------------------
# Reading a whole file


def guess_format(head: bytes) -> str:
    if head.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte-order mark, as Windows editors write one
        head = head[3:]
    return "marcxml" if head.lstrip()[:1] == b"<" else "iso2709"


def read_file(
    stream: BinaryIO,
    *,
    format: str = "auto",
    encoding: str = "auto",
    flavour: str = "auto",
    tags: frozenset[str] | None = None,
) -> Iterator[tuple[Position, MarcRecord | MarcError]]:
    data = stream.read()
    if format == "auto":
        format = guess_format(data[:200])
    if format == "marcxml":
        yield from read_marcxml(data)
        return
    for pos, chunk in split_iso2709(data):
        if isinstance(chunk, MarcError):
            yield pos, chunk
            continue
        try:
            yield pos, parse_iso2709(chunk, encoding=encoding, flavour=flavour, tags=tags)
        except MarcError as exc:
            yield pos, exc


def detect_flavour(record: MarcRecord) -> str:
    """UNIMARC has its title in 200 and its general processing data in 100; MARC 21 has 245 and 008."""
    tags = {f.tag for f in record.fields}
    if "245" in tags or "008" in tags:
        return "marc21"
    if "200" in tags:
        return "unimarc"
    return "marc21"
