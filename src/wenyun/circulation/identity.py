"""A reader's citizen identity number (GB 11643): checked, and kept only as a keyed hash and its last four."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


_ID_CHECK = "10X98765432"


def id_number_check(value: str) -> str:
    """The 18-character GB 11643 citizen identity number, normalised, or a DomainError saying what is wrong."""
    number = (value or "").strip().upper()
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise DomainError(
            _("An identity number has 17 digits and a check digit (0-9 or X)."), code="id_number_invalid"
        )
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainError(
            _("The identity number's date of birth %(birth)s is not a date.") % {"birth": number[6:14]},
            code="id_number_invalid",
        ) from None
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True)) % 11]
    if number[17] != check:
        raise DomainError(
            _("The identity number's check digit is wrong: it should be %(check)s.") % {"check": check},
            code="id_number_invalid",
        )
    return number


def id_hash(number: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()
