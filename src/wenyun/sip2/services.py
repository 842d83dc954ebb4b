"""Writes for kiosk accounts: adding them and checking a kiosk's login."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import Conflict, DomainError, Refused
from wenyun.core.services import login_failure_record, login_lock, login_success_record
from wenyun.network.selectors import unit_get

from .models import Encoding, ItemProperties, KioskAccount
from .selectors import kiosk_account_get

if TYPE_CHECKING:
    from wenyun.catalog.models import Item
    from wenyun.circulation.models import Reader

logger = logging.getLogger("wenyun.sip2")

MIN_PASSWORD_LENGTH = 8
# A password hash made once, checked against when the name is unknown, so a wrong name costs the same time.
_DUMMY_HASH = make_password("wenyun-no-such-kiosk")


def _throttle_key(name: str) -> str:
    return f"sip2:{name}"


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH or any(ch in password for ch in "|\r\n"):
        raise DomainError(
            _("A kiosk password must be at least %(n)d characters long, without “|” or line breaks.")
            % {"n": MIN_PASSWORD_LENGTH},
            code="kiosk_password_invalid",
        )


@transaction.atomic
def kiosk_account_add(
    *,
    name: str,
    password: str,
    institution: str,
    unit_code: str,
    encoding: str = Encoding.UTF8,
    patron_pin_required: bool = True,
) -> KioskAccount:
    name = name.strip()
    institution = institution.strip()
    if not name or len(name) > 40 or any(ch in name for ch in "|\r\n") or not name.isprintable():
        raise DomainError(
            _("A kiosk login name must be 1 to 40 printable characters without “|”: %(name)r is not.")
            % {"name": name},
            code="kiosk_name_invalid",
        )
    _check_password(password)
    if not institution or len(institution) > 40 or "|" in institution:
        raise DomainError(
            _("The institution id (AO) must be 1 to 40 characters without “|”."),
            code="kiosk_institution_invalid",
        )
    if encoding not in Encoding.values:
        raise DomainError(
            _("%(encoding)s is not an encoding a kiosk can use; choose utf-8 or gb18030.")
            % {"encoding": encoding},
            code="kiosk_encoding_invalid",
        )
    unit = unit_get(code=unit_code.strip())
    if not unit.active:
        raise Refused(
            _("The unit %(code)s is closed down; a kiosk cannot be placed there.") % {"code": unit.code},
            code="unit_inactive",
        )
    if KioskAccount.objects.filter(name=name).exists():
        raise Conflict(
            _("There is already a kiosk login named %(name)s.") % {"name": name}, code="kiosk_exists"
        )
    return KioskAccount.objects.create(
        name=name,
        password_hash=make_password(password),
        institution=institution,
        unit=unit,
        encoding=encoding,
        patron_pin_required=patron_pin_required,
    )


@transaction.atomic
def kiosk_account_set_active(*, name: str, active: bool) -> KioskAccount:
    account = kiosk_account_get(name=name)
    account.active = active
    account.save(update_fields=["active"])
    return account


@transaction.atomic
def kiosk_account_set_password(*, name: str, password: str) -> KioskAccount:
    """Give a kiosk login a new password (only its hash is kept); the kiosk must log in again with it."""
    _check_password(password)
    account = kiosk_account_get(name=name)
    account.password_hash = make_password(password)
    account.save(update_fields=["password_hash"])
    return account


def kiosk_login(*, name: str, password: str, peer: str | None = None) -> KioskAccount:
    """The kiosk account these credentials name, or Refused (and the failure recorded and logged)."""
    key = _throttle_key(name[:140])
    lock = login_lock(username=key, ip=peer)
    if lock is not None:
        # Too many wrong logins for this name, or from this address across names (one guessing kiosk
        # logins): refused without checking, and not counted again.
        logger.warning("SIP2 login refused for %r from %s: locked (%s)", name[:40], peer or "?", lock)
        raise Refused(_("The kiosk login or password is wrong."), code="kiosk_login_locked")
    account = KioskAccount.objects.select_related("unit").filter(name=name).first()
    ok = check_password(password, account.password_hash if account else _DUMMY_HASH)
    if account is None or not ok or not account.active or not account.unit.active:
        login_failure_record(username=_throttle_key(name[:140]), ip=peer)
        logger.warning("SIP2 login refused for %r from %s", name[:40], peer or "?")
        raise Refused(_("The kiosk login or password is wrong."), code="kiosk_login_refused")
    now = timezone.now()
    KioskAccount.objects.filter(pk=account.pk).update(last_login_at=now)
    login_success_record(username=key, ip=peer)
    account.last_login_at = now
    return account


def _recent_failures(key: str) -> int:
    import datetime as dt

    from django.conf import settings

    from wenyun.core.models import FailedLogin

    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return FailedLogin.objects.filter(username=key.lower(), at__gte=since).count()


def kiosk_recent_failures(*, name: str) -> int:
    """Failed logins for this name within the configured window (all connections together)."""
    return _recent_failures(_throttle_key(name[:140]))


def patron_pin_verify(*, reader: Reader, pin: str, peer: str | None = None) -> bool:
    """Whether the PIN is the reader's, counting wrong PINs against the card.

    A 4-digit PIN is guessed in 10,000 tries whatever the hash; what protects it is this lockout:
    after LOGIN_FAILURE_LIMIT wrong PINs from one kiosk (or portal address) within
    LOGIN_FAILURE_WINDOW_SECONDS the card is refused there, after LOGIN_ACCOUNT_FAILURE_LIMIT from
    anywhere at every kiosk and on the portal (the same count, keyed by card), with Refused saying so.
    """
    from wenyun.circulation.services import reader_pin_check

    key = f"card:{reader.card}"
    if login_lock(username=key, ip=peer, per_address=False) is not None:
        logger.warning("SIP2 PIN refused for a locked card from %s", peer or "?")
        raise Refused(
            _("Too many wrong PINs for this card. Wait a quarter of an hour, or ask at the desk."),
            code="pin_locked",
        )
    if reader_pin_check(reader=reader, pin=pin):
        login_success_record(username=key, ip=peer)
        return True
    login_failure_record(username=key, ip=peer)
    return False


MAX_ITEM_PROPERTIES = 255


@transaction.atomic
def item_properties_set(*, item: Item, properties: str, account: KioskAccount) -> ItemProperties:
    """Store what a kiosk says about a copy (SIP2 Item Status Update), replacing what was stored.

    Only the kiosk's own note (CH) is kept: a copy's status, place and description are the
    catalogue's and circulation's and no kiosk changes them this way. A kiosk notes the copies of its
    own unit or standing in it, no others."""
    if account.unit_id not in (item.home_unit_id, item.current_unit_id):
        raise Refused(
            _("%(barcode)s neither belongs to nor stands in %(unit)s; this kiosk cannot note it.")
            % {"barcode": item.barcode, "unit": account.unit.name},
            code="item_properties_forbidden",
        )
    properties = properties.strip()
    if not properties:
        raise DomainError(
            _("The request has no item properties (CH) to store."), code="item_properties_missing"
        )
    if len(properties) > MAX_ITEM_PROPERTIES or not properties.isprintable():
        raise DomainError(
            _("Item properties are at most %(n)d printable characters.") % {"n": MAX_ITEM_PROPERTIES},
            code="item_properties_invalid",
        )
    row, _created = ItemProperties.objects.update_or_create(
        item=item, defaults={"properties": properties, "account": account, "updated_at": timezone.now()}
    )
    return row


@transaction.atomic
def patron_fees_pay(
    *, reader: Reader, amount: Decimal, account: KioskAccount, fee_id: str = ""
) -> tuple[Decimal, Decimal]:
    """A payment at a kiosk (SIP2 Fee Paid): toward the fee numbered `fee_id`, or else the oldest fees
    first, each paid off before the next; what is left over pays part of the next one. Each payment
    is circulation's `fee_pay` (one fee_paid event each, with the balance left). More than is owed is
    refused and nothing is paid. Returns (the amount paid, what the reader still owes)."""
    from wenyun.circulation.selectors import reader_fees
    from wenyun.circulation.services import fee_pay

    fees = list(reader_fees(reader=reader, oldest_first=True))
    owed = sum((fee.balance for fee in fees), Decimal("0.00"))
    if not amount.is_finite() or amount <= 0:
        raise DomainError(_("The amount paid must be more than 0 yuan."), code="fee_amount_invalid")
    if fee_id:
        named = [fee for fee in fees if str(fee.pk) == fee_id]
        if not named:
            raise Refused(
                _("Card %(card)s owes no fee numbered %(id)s.") % {"card": reader.card, "id": fee_id},
                code="fee_not_found",
            )
        # More than this fee's balance is circulation's refusal to word.
        fee_pay(fee=named[0], actor=None, at_unit=account.unit, via=account.channel, amount=amount)
        return amount, owed - amount
    if amount > owed:
        raise Refused(
            _("%(amount)s yuan is more than the %(owed)s yuan card %(card)s owes.")
            % {"amount": f"{amount:.2f}", "owed": f"{owed:.2f}", "card": reader.card},
            code="fee_amount_over_balance",
        )
    left = amount
    for fee in fees:
        if left <= 0:
            break
        paying = min(left, fee.balance)
        fee_pay(fee=fee, actor=None, at_unit=account.unit, via=account.channel, amount=paying)
        left -= paying
    return amount, owed - amount
