"""What every acquisitions service shares: the event log, money, ISBNs and quantities as people write them."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog.isbn import isbn_parse
from wenyun.core.errors import DomainError, Refused
from wenyun.core.normalise import plain, price_parse
from wenyun.network.models import Unit

from ..models import ZERO, AcquisitionEvent

Type = AcquisitionEvent.Type
FEN = Decimal("0.01")
MAX_QUANTITY = 100_000


def _now(at: dt.datetime | None = None) -> dt.datetime:
    return at or timezone.now()


def _record(*, type: str, unit: Unit | int, actor, at: dt.datetime | None = None, **details: Any) -> None:
    AcquisitionEvent.objects.create(
        type=type,
        at=_now(at),
        unit_id=unit if isinstance(unit, int) else unit.pk,
        actor=actor if getattr(actor, "pk", None) else None,
        details=details,
    )


def yuan(value, *, label: str) -> Decimal:
    """Money as Decimal yuan with fen, from a number or from text as people write it (¥35, 35元, ３５)."""
    if isinstance(value, float):
        value = repr(value)
    amount = (
        value.quantize(FEN)
        if isinstance(value, Decimal)
        else price_parse(str(value) if value is not None else "")
    )
    if amount is None:
        raise DomainError(_("%(field)s is missing.") % {"field": label}, code="amount_missing")
    if not amount.is_finite() or amount < ZERO:
        raise DomainError(_("%(value)s is not an amount of yuan.") % {"value": value}, code="amount_invalid")
    return amount


def at_rate(list_price: Decimal, rate: Decimal) -> Decimal:
    """What is paid for a copy at the vendor's rate (八折: 80 % of the list price), to the fen."""
    return (list_price * rate / Decimal(100)).quantize(FEN, rounding=ROUND_HALF_UP)


def quantity(value, *, label: str) -> int:
    text = plain(str(value)) if value is not None else ""
    try:
        n = int(text)
    except ValueError:
        raise DomainError(
            _("%(field)s must be a whole number of copies, not %(value)s.")
            % {"field": label, "value": value},
            code="quantity_invalid",
        ) from None
    if not 1 <= n <= MAX_QUANTITY:
        raise DomainError(
            _("%(field)s must be between 1 and %(max)s copies, not %(value)s.")
            % {"field": label, "max": MAX_QUANTITY, "value": value},
            code="quantity_invalid",
        )
    return n


def isbn13(value: str, *, required: bool = False) -> str:
    """An ISBN-13 from an ISBN-10 or -13 as written (hyphens, spaces, full-width digits); blank stays blank."""
    text = plain(value)
    if not text:
        if required:
            raise DomainError(_("An ISBN is needed."), code="isbn_required")
        return ""
    parsed = isbn_parse(text)
    if parsed is None or not parsed.valid:
        # Ten or thirteen digits whose check digit does not add up are well formed, but name no book:
        # refused (409), as the API's schema states the form and cannot state the check digit.
        error = DomainError if parsed is None else Refused
        raise error(
            _("%(isbn)s is not a valid ISBN: check the digits and the check digit.") % {"isbn": value},
            code="isbn_invalid",
        )
    return parsed.isbn13


def text(value, *, label: str, max_length: int, required: bool = False) -> str:
    written = plain(str(value)) if value is not None else ""
    if required and not written:
        raise DomainError(_("%(field)s is missing.") % {"field": label}, code="field_missing")
    if len(written) > max_length:
        raise DomainError(
            _("%(field)s is too long: at most %(n)s characters.") % {"field": label, "n": max_length},
            code="field_too_long",
        )
    return written
