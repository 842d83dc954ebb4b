"""Pure rules of the workforce app: months, proration, identity numbers. No database here."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError

CENT = Decimal("0.01")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> dt.date:
    """'2026-03' → 2026-03-01, or a DomainError naming the text."""
    match = _MONTH.match((text or "").strip())
    if match and 1 <= int(match.group(2)) <= 12 and int(match.group(1)) >= 1900:
        return dt.date(int(match.group(1)), int(match.group(2)), 1)
    raise DomainError(
        _("%(text)s is not a month: write it as YYYY-MM, for example 2026-03.") % {"text": text},
        code="month_invalid",
    )


def month_last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def month_days(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def prorate(*, monthly: Decimal, days: int, days_in_month: int) -> Decimal:
    """The share of a monthly amount for days in post out of the month's calendar days, to the fen."""
    if days >= days_in_month:
        return Decimal(monthly).quantize(CENT)
    return (Decimal(monthly) * days / days_in_month).quantize(CENT, rounding=ROUND_HALF_UP)


def span_in_month(*, start: dt.date, end: dt.date | None, month: dt.date) -> tuple[dt.date, dt.date] | None:
    """The first and last day of [start, end] inside the month, or None when they do not meet."""
    first = max(start, month)
    last = min(end or dt.date.max, month_last_day(month))
    return (first, last) if first <= last else None


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_clean(value: str) -> str:
    """A resident identity number (GB 11643: 18 characters, the last a check digit) in upper case."""
    number = (value or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise DomainError(
            _("An identity number has 18 characters: 17 digits and a last digit or X."),
            code="id_number_invalid",
        )
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainError(
            _("The identity number's date of birth is not a real date."), code="id_number_invalid"
        ) from None
    expected = _ID_CHECK[sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True)) % 11]
    if number[17] != expected:
        raise DomainError(
            _("The identity number's check digit is wrong: it should end in %(digit)s.")
            % {"digit": expected},
            code="id_number_invalid",
        )
    return number


def id_number_with_check(first17: str) -> str:
    """The 18-character number for 17 digits (the demo and tests make valid numbers with it)."""
    return first17 + _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def bank_account_clean(value: str) -> str:
    number = re.sub(r"[\s-]", "", value or "")
    if number and not re.fullmatch(r"\d{12,19}", number):
        raise DomainError(_("A bank account number has 12 to 19 digits."), code="bank_account_invalid")
    return number
