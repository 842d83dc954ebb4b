"""What people type into spreadsheets, read as the value they meant.

Migration files are written by hand or exported from other systems: phones with brackets and
spaces, full-width digits from a Chinese input method, prices with ¥ or 元 and thousand separators,
dates as 2026/1/5 or 2026年1月5日. NFKC turns the full-width forms into ASCII first; each reader
then accepts the usual ways of writing its value and refuses the rest with a sentence naming it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from .errors import DomainError

_PHONE_PUNCTUATION = re.compile(r"[\s\-().·/]")
_CHINA_PREFIX = re.compile(r"^(?:\+86|0086)")
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONEY_MARKS = re.compile(r"(?:¥|元|人民币|RMB|CNY)", re.IGNORECASE)
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")


def plain(text: str | None) -> str:
    """Full-width letters, digits and punctuation as their ASCII forms, outer spaces gone."""
    return unicodedata.normalize("NFKC", text or "").strip()


def phone_normalise(text: str | None) -> str:
    """A phone number as its digits: (519) 555 1234 → 5195551234, +86 138-0000-0001 → 13800000001.

    A number of another country keeps its leading + and country code; an empty value stays empty.
    """
    written = plain(text)
    if not written:
        return ""
    compact = _CHINA_PREFIX.sub("", _PHONE_PUNCTUATION.sub("", written))
    international = compact.startswith("+")
    digits = compact[1:] if international else compact
    if not digits.isascii() or not digits.isdigit() or not 5 <= len(digits) <= 15:
        raise DomainError(
            _("%(phone)s is not a phone number: give 5 to 15 digits (spaces, dashes and brackets may stay).")
            % {"phone": text},
            code="phone_invalid",
        )
    return f"+{digits}" if international else digits


def price_parse(text: str | None) -> Decimal | None:
    """A price in yuan: ¥1,280.50, 35元, ３５．００ → Decimal('35.00'); an empty value is None."""
    written = plain(text)
    if not written:
        return None
    number = _MONEY_MARKS.sub("", written).replace(" ", "")
    if "," in number:
        if not _THOUSANDS.match(number):
            raise DomainError(_("%(price)s is not a price.") % {"price": text}, code="price_invalid")
        number = number.replace(",", "")
    try:
        price = Decimal(number)
    except InvalidOperation:
        raise DomainError(_("%(price)s is not a price.") % {"price": text}, code="price_invalid") from None
    if not price.is_finite() or price < 0 or price >= Decimal("10000000"):
        raise DomainError(_("%(price)s is not a price.") % {"price": text}, code="price_invalid")
    return price.quantize(Decimal("0.01"))


def date_parse(text: str | None) -> dt.date | None:
    """A day written 2026-01-05, 2026/1/5, 2026.1.5, 2026年1月5日 or 20260105; an empty value is None."""
    written = plain(text)
    if not written:
        return None
    match = _DATE.match(written) or _DATE_COMPACT.match(written)
    try:
        if match is None:
            raise ValueError(written)
        return dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise DomainError(
            _("%(value)s is not a date (e.g. 2026-01-05, 2026/1/5 or 2026年1月5日).") % {"value": text},
            code="date_invalid",
        ) from None
