"""The SIP2 wire format (3M Standard Interchange Protocol 2.00): parse what a kiosk sends, build what
the server answers.

A message is a two-digit command code, fixed-length fields in an order the code determines, then
variable fields (a two-letter identifier, the value, "|"), and optionally the error-detection
trailer "AY<sequence digit>AZ<four hex digits>" before the closing CR. The checksum is the two's
complement of the 16-bit sum of the bytes up to and including "AZ", so it is computed over the
encoded bytes: a GB18030 kiosk and a UTF-8 kiosk checksum the same title differently.

Nothing here touches the database; every malformed input raises ProtocolError with a sentence
naming what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

TERMINATOR = b"\r"
FIELD_SEPARATOR = "|"
ENCODINGS = ("utf-8", "gb18030")

# code -> (name, [(fixed field, length), ...]) for what a self-check sends (SC -> ACS) ...
REQUESTS: dict[str, tuple[str, list[tuple[str, int]]]] = {
    "93": ("login", [("uid_algorithm", 1), ("pwd_algorithm", 1)]),
    "99": ("sc_status", [("status_code", 1), ("max_print_width", 3), ("protocol_version", 4)]),
    "97": ("request_acs_resend", []),
    "23": ("patron_status", [("language", 3), ("transaction_date", 18)]),
    "63": ("patron_information", [("language", 3), ("transaction_date", 18), ("summary", 10)]),
    "11": (
        "checkout",
        [("sc_renewal_policy", 1), ("no_block", 1), ("transaction_date", 18), ("nb_due_date", 18)],
    ),
    "09": ("checkin", [("no_block", 1), ("transaction_date", 18), ("return_date", 18)]),
    "29": (
        "renew",
        [("third_party_allowed", 1), ("no_block", 1), ("transaction_date", 18), ("nb_due_date", 18)],
    ),
    "65": ("renew_all", [("transaction_date", 18)]),
    "17": ("item_information", [("transaction_date", 18)]),
    "35": ("end_patron_session", [("transaction_date", 18)]),
    "37": (
        "fee_paid",
        [("transaction_date", 18), ("fee_type", 2), ("payment_type", 2), ("currency_type", 3)],
    ),
    "15": ("hold", [("hold_mode", 1), ("transaction_date", 18)]),
    "01": ("block_patron", [("card_retained", 1), ("transaction_date", 18)]),
    "25": ("patron_enable", [("transaction_date", 18)]),
    "19": ("item_status_update", [("transaction_date", 18)]),
}

# A fixed field some clients leave out: the last one of its message, an 18-character date. The open-source
# kiosk clients that omit "nb due date" go straight on with "AO..."; a date starts with a digit or a blank,
# so a field identifier where it would begin says it is missing, and it is read as blank (no due date).
OMITTABLE_FIXED = {"11": "nb_due_date", "29": "nb_due_date"}
_FIELD_START = re.compile(r"[A-Z]{2}")

_PATRON_STATUS_FIXED = [("patron_status", 14), ("language", 3), ("transaction_date", 18)]

# ... and for what the server answers (ACS -> SC).
RESPONSES: dict[str, tuple[str, list[tuple[str, int]]]] = {
    "94": ("login_response", [("ok", 1)]),
    "98": (
        "acs_status",
        [
            ("online_status", 1),
            ("checkin_ok", 1),
            ("checkout_ok", 1),
            ("acs_renewal_policy", 1),
            ("status_update_ok", 1),
            ("offline_ok", 1),
            ("timeout_period", 3),
            ("retries_allowed", 3),
            ("date_time_sync", 18),
            ("protocol_version", 4),
        ],
    ),
    "96": ("request_sc_resend", []),
    "24": ("patron_status_response", _PATRON_STATUS_FIXED),
    "64": (
        "patron_information_response",
        [
            *_PATRON_STATUS_FIXED,
            ("hold_items_count", 4),
            ("overdue_items_count", 4),
            ("charged_items_count", 4),
            ("fine_items_count", 4),
            ("recall_items_count", 4),
            ("unavailable_holds_count", 4),
        ],
    ),
    "12": (
        "checkout_response",
        [("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1), ("transaction_date", 18)],
    ),
    "10": (
        "checkin_response",
        [("ok", 1), ("resensitize", 1), ("magnetic_media", 1), ("alert", 1), ("transaction_date", 18)],
    ),
    "30": (
        "renew_response",
        [("ok", 1), ("renewal_ok", 1), ("magnetic_media", 1), ("desensitize", 1), ("transaction_date", 18)],
    ),
    "66": (
        "renew_all_response",
        [("ok", 1), ("renewed_count", 4), ("unrenewed_count", 4), ("transaction_date", 18)],
    ),
    "18": (
        "item_information_response",
        [("circulation_status", 2), ("security_marker", 2), ("fee_type", 2), ("transaction_date", 18)],
    ),
    "36": ("end_session_response", [("end_session", 1), ("transaction_date", 18)]),
    "38": ("fee_paid_response", [("payment_accepted", 1), ("transaction_date", 18)]),
    "16": ("hold_response", [("ok", 1), ("available", 1), ("transaction_date", 18)]),
    "26": ("patron_enable_response", _PATRON_STATUS_FIXED),
    "20": ("item_status_update_response", [("item_properties_ok", 1), ("transaction_date", 18)]),
}

ALL_MESSAGES = {**REQUESTS, **RESPONSES}

# Variable fields that may appear more than once in one message (item lists, screen messages).
REPEATABLE = frozenset({"AF", "AG", "AS", "AT", "AU", "AV", "BU", "CD", "BM", "BN"})

# The order fields are written in when a response is built: the order the 3M specification lists them.
FIELD_ORDER = [
    "AO", "AA", "AE", "AB", "AJ", "AQ", "AP", "AH", "BW", "BR", "BS", "BT", "BZ", "CA", "CB",
    "BL", "CQ", "BH", "BV", "CC", "CF", "CI", "CJ", "CK", "CL", "CM", "BG", "CH", "CV", "CT",
    "BK", "BM", "BN", "AS", "AT", "AU", "AV", "BU", "CD", "BD", "BE", "BF", "AM", "BX", "AN",
    "AF", "AG",
]  # fmt: skip

# Where a response's fields follow another order in the specification than FIELD_ORDER's, that order
# (fields it does not list, extensions such as CS or BL on 12, go after the listed ones, before AF and AG).
RESPONSE_FIELD_ORDER: dict[str, list[str]] = {
    "10": ["AO", "AB", "AQ", "AJ", "CL", "AA", "CK", "CH", "CR", "CS", "CT", "CV", "CY", "DA"],
    "16": ["BW", "BR", "BS", "AO", "AA", "AB", "AJ"],
    "18": ["CF", "AH", "CJ", "CM", "AB", "AJ", "BG", "BH", "BV", "CK", "AQ", "AP", "CH"],
}

_TRAILER = re.compile(rb"AY([0-9])AZ([0-9A-Fa-f]{4})$")
_CHECKSUM_ONLY = re.compile(rb"AZ([0-9A-Fa-f]{4})$")


class ProtocolError(ValueError):
    """The bytes are not a SIP2 message this server can read."""


class ChecksumError(ProtocolError):
    """The message carries a checksum that does not match its bytes: the answer is 96 (resend)."""


@dataclass
class Message:
    code: str
    fixed: dict[str, str] = field(default_factory=dict)
    fields: dict[str, list[str]] = field(default_factory=dict)
    sequence: str | None = None  # AY, when the kiosk sent one
    checksummed: bool = False  # the kiosk sent AZ

    @property
    def name(self) -> str:
        return ALL_MESSAGES.get(self.code, ("unknown", []))[0]

    def get(self, field_id: str, default: str = "") -> str:
        values = self.fields.get(field_id)
        return values[0] if values else default

    def has(self, field_id: str) -> bool:
        return field_id in self.fields

    def all(self, field_id: str) -> list[str]:
        return list(self.fields.get(field_id, []))


def checksum(data: bytes) -> str:
    """Four upper-case hex digits: the two's complement of the 16-bit sum of the bytes."""
    return f"{(-sum(data)) & 0xFFFF:04X}"


def _checksum_of_characters(data: bytes, encoding: str) -> str | None:
    # Some clients (the PyPI `sip2` package among them) add up characters, not bytes; for ASCII the two
    # agree, for a Chinese title they differ. Accepting either keeps those kiosks working.
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    return f"{(-sum(ord(ch) for ch in text)) & 0xFFFF:04X}"


def sip_datetime(moment: dt.datetime | None) -> str:
    """YYYYMMDDZZZZHHMMSS in local time (four blanks for the zone), as the specification prefers."""
    if moment is None:
        return " " * 18
    from django.utils import timezone

    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%Y%m%d    %H%M%S")


def parse(raw: bytes, *, encoding: str = "utf-8", requests_only: bool = True) -> Message:
    """One message, without or with its closing CR (and a stray LF before or after it)."""
    data = raw.strip(b"\r\n")
    if not data:
        raise ProtocolError("The message is empty.")
    sequence: str | None = None
    checksummed = False
    trailer = _TRAILER.search(data)
    bare_checksum = None if trailer else _CHECKSUM_ONLY.search(data)
    if trailer or bare_checksum:
        match = trailer or bare_checksum
        assert match is not None
        covered = data[: match.start() + (5 if trailer else 2)]  # through "AZ"
        sent = match.group(2 if trailer else 1).decode("ascii").upper()
        if sent != checksum(covered) and sent != _checksum_of_characters(covered, encoding):
            raise ChecksumError(
                f"The checksum {sent} does not match the message (expected {checksum(covered)})."
            )
        checksummed = True
        sequence = trailer.group(1).decode("ascii") if trailer else None
        data = data[: match.start()]
    elif (sequence_only := re.search(rb"AY([0-9])$", data)) is not None:
        sequence = sequence_only.group(1).decode("ascii")
        data = data[: sequence_only.start()]
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ProtocolError(
            f"The message is not valid {encoding}: byte {exc.start + 1} cannot be read."
        ) from None
    if any(ch in text for ch in "\r\n\x00"):
        raise ProtocolError("The message contains a line break or a NUL byte inside it.")
    code = text[:2]
    table = REQUESTS if requests_only else ALL_MESSAGES
    if code not in table:
        raise ProtocolError(f"{code!r} is not a SIP2 message this server accepts.")
    _name, layout = table[code]
    position = 2
    fixed: dict[str, str] = {}
    for index, (name, length) in enumerate(layout):
        if (
            OMITTABLE_FIXED.get(code) == name
            and index == len(layout) - 1
            and _FIELD_START.match(text, position) is not None
        ):
            fixed[name] = " " * length
            continue
        value = text[position : position + length]
        if len(value) < length:
            raise ProtocolError(
                f"The message {code} is too short: its fixed field {name} needs {length} characters."
            )
        fixed[name] = value
        position += length
    fields: dict[str, list[str]] = {}
    rest = text[position:]
    for piece in rest.split(FIELD_SEPARATOR):
        if piece == "":
            continue
        if len(piece) < 2 or not piece[:2].isascii() or not piece[:2].isalnum() or not piece[:2].isupper():
            raise ProtocolError(
                f"The message {code} has a field without a two-letter identifier: {piece[:10]!r}."
            )
        if piece[:2] == "AY" and sequence is None and piece[2:].isdigit() and len(piece) == 3:
            sequence = piece[2:]  # AY written as an ordinary field ("...|AY1|AZ...") by some clients
            continue
        fields.setdefault(piece[:2], []).append(piece[2:])
    return Message(code=code, fixed=fixed, fields=fields, sequence=sequence, checksummed=checksummed)


def _clean(value: object) -> str:
    text = "" if value is None else str(value)
    # The separator and the terminator cannot occur inside a value; a title with "|" keeps a look-alike.
    return text.replace("|", "¦").replace("\r", " ").replace("\n", " ")


def build(
    code: str,
    fixed: dict[str, object] | None = None,
    fields: dict[str, object] | list[tuple[str, object]] | None = None,
    *,
    sequence: str | None = None,
    error_detection: bool = False,
    encoding: str = "utf-8",
) -> bytes:
    """The bytes of one message, CR included. Fixed values must have exactly their length.

    `fields` maps an identifier to a value or a list of values (repeated fields); None leaves the
    field out, "" sends it empty (required fields are always sent). With error_detection the
    trailer AY (when a sequence is given) and AZ are appended.
    """
    if code not in ALL_MESSAGES:
        raise ProtocolError(f"{code!r} is not a SIP2 message.")
    _name, layout = ALL_MESSAGES[code]
    fixed = fixed or {}
    parts: list[str] = [code]
    for name, length in layout:
        value = str(fixed.get(name, ""))
        if len(value) != length:
            raise ProtocolError(
                f"The fixed field {name} of message {code} must be {length} characters: {value!r}."
            )
        parts.append(value)
    pairs: list[tuple[str, object]]
    if isinstance(fields, dict):
        rank = {fid: i for i, fid in enumerate(FIELD_ORDER)}
        listed = {fid: i for i, fid in enumerate(RESPONSE_FIELD_ORDER.get(code, []))}
        last = {"AF": 1, "AG": 2}

        def place(field_id: str) -> tuple[int, int, int]:
            return (last.get(field_id, 0), listed.get(field_id, len(listed)), rank.get(field_id, len(rank)))

        pairs = sorted(fields.items(), key=lambda kv: place(kv[0]))
    else:
        pairs = list(fields or [])
    for field_id, field_value in pairs:
        if field_value is None:
            continue
        values = field_value if isinstance(field_value, list | tuple) else [field_value]
        for one in values:
            parts.append(f"{field_id!s}{_clean(one)}{FIELD_SEPARATOR}")
    body = "".join(parts).encode(encoding, errors="replace")
    if error_detection:
        if sequence is not None:
            body += f"AY{sequence}".encode("ascii")
        body += b"AZ"
        body += checksum(body).encode("ascii")
    return body + TERMINATOR


def flag(value: bool) -> str:
    return "Y" if value else "N"


def count(value: int, width: int = 4) -> str:
    """A fixed-width count; a count too large for its width reads as all nines rather than overflow."""
    return str(min(max(value, 0), 10**width - 1)).zfill(width)
