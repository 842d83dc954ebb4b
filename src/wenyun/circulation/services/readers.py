"""Readers: registration, edits, blocks, PINs and what stops a card from borrowing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError
from wenyun.network.models import Unit

from .. import access, locks
from ..identity import id_hash, id_number_check
from ..models import (
    CirculationSettings,
    Reader,
    ReaderCategory,
)
from ..rules import circ_settings
from ..selectors import ReaderCounts, reader_counts
from ._common import (
    Access,
    CirculationRefused,
    Type,
    _record,
    _refuse,
    _require_desk,
    _via,
)


@dataclass
class Block:
    code: str
    message: str


@dataclass
class ReaderStatus:
    reader: Reader
    blocks: list[Block]
    loans: int
    overdue: int
    holds: int
    holds_ready: int
    fees_owed: Decimal

    @property
    def ok(self) -> bool:
        return not self.blocks


def reader_blocks(
    *,
    reader: Reader,
    today: dt.date | None = None,
    conf: CirculationSettings | None = None,
    counts: tuple[int, Decimal, int] | None = None,
) -> list[Block]:
    """Why this reader may not borrow now (empty when he may), each with the sentence the desk shows."""
    today = today or timezone.localdate()
    conf = conf or circ_settings()
    blocks: list[Block] = []
    if reader.lost_card:
        blocks.append(Block("card_lost", _("Card %(card)s was reported lost.") % {"card": reader.card}))
    if reader.expires_on is not None and reader.expires_on < today:
        blocks.append(
            Block(
                "card_expired",
                _("Card %(card)s expired on %(day)s.")
                % {"card": reader.card, "day": reader.expires_on.isoformat()},
            )
        )
    if reader.manual_block:
        blocks.append(
            Block("blocked", _("The card is blocked: %(reason)s") % {"reason": reader.manual_block})
        )
    if counts is None:
        found = reader_counts(reader=reader, today=today)
        counts = (found.overdue, found.owed, found.loans)
    overdue, owed, _open = counts
    if overdue >= conf.max_overdue > 0:
        blocks.append(
            Block(
                "too_many_overdue",
                _(
                    "%(count)s items are overdue; at %(limit)s overdue items borrowing stops until some come back."
                )
                % {"count": overdue, "limit": conf.max_overdue},
            )
        )
    if owed > conf.fee_limit:
        blocks.append(
            Block(
                "fees_over_limit",
                _("%(owed)s yuan is owed, more than the limit of %(limit)s yuan.")
                % {"owed": f"{owed:.2f}", "limit": f"{conf.fee_limit:.2f}"},
            )
        )
    return blocks


def _check_blocks(
    reader: Reader, today: dt.date, conf: CirculationSettings, counts: tuple[int, Decimal, int] | None = None
) -> None:
    blocks = reader_blocks(reader=reader, today=today, conf=conf, counts=counts)
    if blocks:
        _refuse(blocks[0].code, blocks[0].message)


_PHONE_CHARS = set("0123456789-+ ")


def _reader_fields(*, name: str, phone: str, card: str | None = None) -> None:
    if card is not None and (not card or len(card) > 32 or any(c.isspace() for c in card)):
        raise DomainError(
            _("A card number is 1 to 32 characters without spaces."), code="reader_field_invalid"
        )
    if not name or len(name) > 60:
        raise DomainError(_("A reader needs a name of at most 60 characters."), code="reader_field_invalid")
    if phone and (len(phone) > 20 or not set(phone) <= _PHONE_CHARS):
        raise DomainError(
            _("The phone number %(phone)s has characters a phone number cannot have.") % {"phone": phone},
            code="reader_field_invalid",
        )


class PinHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds for 4-8 digit PINs: a kiosk checks one per session, an import thousands.

    A PIN's strength is its shortness, not the hash (10^4 to 10^8 guesses); the login throttle and
    the desk guard it. Hashes made with Django's password hasher (older cards) still verify.
    """

    algorithm = "pbkdf2_pin"
    iterations = 20_000


def pin_hash(pin: str) -> str:
    hasher = PinHasher()
    return hasher.encode(pin, hasher.salt())


def _pin_check_format(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise DomainError(_("A PIN is 4 to 8 digits."), code="reader_field_invalid")


# PINs guessed first beyond the repeats and runs caught by rule (lists of leaked PINs put these at
# the top; 520 / 1314 read "I love you (for life)").
COMMON_PINS = frozenset({"1004", "2000", "2580", "6969", "147258", "147369", "159753", "5201314", "1314520"})


_RUNS = "01234567890" + "09876543210"


def pin_weakness(*, pin: str, card: str, id_number: str = "") -> str | None:
    """None for a PIN hard enough to guess, else the sentence saying why it is not: repeated digits or
    a repeated group (1111, 1212, 123123), a run (1234, 654321), a common PIN, the card's last digits,
    or the birth date in the identity number (YYYYMMDD, YYMMDD, MMDD)."""
    n = len(pin)
    repeated = any(n % size == 0 and pin == pin[:size] * (n // size) for size in range(1, n // 2 + 1))
    if repeated or pin in _RUNS or pin in COMMON_PINS:
        return _(
            "This PIN is among the first anyone would guess (repeated digits, a run such as 1234, or a "
            "common PIN); choose another."
        )
    card_digits = "".join(ch for ch in card if ch.isdigit())
    if len(card_digits) >= n and card_digits.endswith(pin):
        return _("This PIN is the last digits of the card number; choose another.")
    number = (id_number or "").strip()
    if len(number) == 18:
        born = number[6:14]
        if pin in {born, born[2:], born[4:]}:
            return _("This PIN is the reader's birth date; choose another.")
    return None


def _pin_check_strength(*, pin: str, card: str, id_number: str = "") -> None:
    problem = pin_weakness(pin=pin, card=card, id_number=id_number)
    if problem is not None:
        raise DomainError(problem, code="reader_pin_weak")


@transaction.atomic
def reader_register(
    *,
    actor,
    card: str,
    name: str,
    category: ReaderCategory,
    home_unit: Unit,
    phone: str = "",
    id_number: str = "",
    pin: str = "",
    expires_on: dt.date | None = None,
    via: str = "",
    legacy_pin: bool = False,
) -> Reader:
    """Register a county-wide card at any unit. The identity number is checked, then kept as hash + last 4.

    A PIN anyone would guess first is refused, except a `legacy_pin` the reader already has in the
    system being migrated from (`import-patrons` keeps it and counts it as weak)."""
    _require_desk(actor, home_unit)
    card, name, phone = (card or "").strip(), (name or "").strip(), (phone or "").strip()
    _reader_fields(name=name, phone=phone, card=card)
    reader = Reader(
        card=card, name=name, category=category, home_unit=home_unit, phone=phone, expires_on=expires_on
    )
    if id_number:
        number = id_number_check(id_number)
        reader.id_number_hash, reader.id_number_last4 = id_hash(number), number[-4:]
    if pin:
        _pin_check_format(pin)
        if not legacy_pin:
            _pin_check_strength(pin=pin, card=card, id_number=id_number)
        reader.pin_hash = pin_hash(pin)
    if Reader.objects.filter(card=card).exists():
        raise CirculationRefused(
            _("The card number %(card)s is already someone's card.") % {"card": card},
            code="reader_card_taken",
        )
    try:
        with transaction.atomic():
            reader.save()
    except IntegrityError:
        raise CirculationRefused(
            _("The card number %(card)s is already someone's card.") % {"card": card},
            code="reader_card_taken",
        ) from None
    _record(
        type=Type.READER_REGISTERED,
        unit=home_unit,
        actor=actor,
        via=via,
        at=timezone.now(),
        reader=reader,
        details={"category": category.code},
    )
    access.reader_access_record(staff=actor, readers=[reader], action=Access.REGISTERED, via=_via(actor, via))
    return reader


@transaction.atomic
def reader_update(*, actor, reader: Reader, via: str = "", **changes) -> Reader:
    """Change name, phone, category, home unit, expiry, loan-history consent, lost-card flag, identity number or PIN."""
    allowed = {
        "name",
        "phone",
        "category",
        "home_unit",
        "expires_on",
        "keep_history",
        "lost_card",
        "id_number",
        "pin",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(
            _("%(fields)s cannot be changed on a reader.") % {"fields": ", ".join(sorted(unknown))},
            code="reader_field_invalid",
        )
    reader = locks.reader_lock(pk=reader.pk)
    access.require_reader_scope(actor, reader, action="edit")
    name = (changes.get("name", reader.name) or "").strip()
    phone = (changes.get("phone", reader.phone) or "").strip()
    _reader_fields(name=name, phone=phone)
    fields: list[str] = []
    for key in ("category", "home_unit", "expires_on", "keep_history", "lost_card"):
        if key in changes:
            setattr(reader, key, changes[key])
            fields.append(key)
    reader.name, reader.phone = name, phone
    fields += ["name", "phone"]
    if changes.get("id_number"):
        number = id_number_check(changes["id_number"])
        reader.id_number_hash, reader.id_number_last4 = id_hash(number), number[-4:]
        fields += ["id_number_hash", "id_number_last4"]
    if changes.get("pin"):
        _pin_check_format(changes["pin"])
        _pin_check_strength(pin=changes["pin"], card=reader.card, id_number=changes.get("id_number") or "")
        reader.pin_hash = pin_hash(changes["pin"])
        fields.append("pin_hash")
    reader.save(update_fields=fields)
    # The log says what changed, never the identity number or the PIN themselves.
    _record(
        type=Type.READER_UPDATED,
        unit=reader.home_unit,
        actor=actor,
        via=via,
        at=timezone.now(),
        reader=reader,
        details={"fields": sorted(set(changes))},
    )
    access.reader_access_record(
        staff=actor,
        readers=[reader],
        action=Access.UPDATED,
        via=_via(actor, via),
        details={"fields": sorted(set(changes))},
    )
    return reader


@transaction.atomic
def reader_block(*, actor, reader: Reader, reason: str, via: str = "") -> Reader:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the card is blocked."), code="reader_field_invalid")
    reader = locks.reader_lock(pk=reader.pk)
    access.require_reader_scope(actor, reader, action="block")
    reader.manual_block = reason[:200]
    reader.save(update_fields=["manual_block"])
    _record(
        type=Type.READER_BLOCKED,
        unit=reader.home_unit,
        actor=actor,
        via=via,
        at=timezone.now(),
        reader=reader,
        details={"reason": reader.manual_block},
    )
    access.reader_access_record(staff=actor, readers=[reader], action=Access.BLOCKED, via=_via(actor, via))
    return reader


@transaction.atomic
def reader_unblock(*, actor, reader: Reader, via: str = "") -> Reader:
    reader = locks.reader_lock(pk=reader.pk)
    access.require_reader_scope(actor, reader, action="block")
    if reader.manual_block:
        previous = reader.manual_block
        reader.manual_block = ""
        reader.save(update_fields=["manual_block"])
        _record(
            type=Type.READER_UNBLOCKED,
            unit=reader.home_unit,
            actor=actor,
            via=via,
            at=timezone.now(),
            reader=reader,
            details={"reason": previous},
        )
        access.reader_access_record(
            staff=actor, readers=[reader], action=Access.UNBLOCKED, via=_via(actor, via)
        )
    return reader


def reader_pin_check(*, reader: Reader, pin: str) -> bool:
    """True when the PIN is the reader's (kiosks and the portal log in with card + PIN)."""
    if not reader.pin_hash or not pin:
        return False
    if reader.pin_hash.startswith(PinHasher.algorithm + "$"):
        return PinHasher().verify(pin, reader.pin_hash)
    if not check_password(pin, reader.pin_hash):
        return False
    # A card from before the PIN hasher (or an import): stored again with it, so the next check is fast.
    reader.pin_hash = pin_hash(pin)
    Reader.objects.filter(pk=reader.pk).update(pin_hash=reader.pin_hash)
    return True


def reader_sign_in(*, card: str, pin: str, ip: str | None) -> Reader:
    """The reader whose card and PIN these are, checked under the sign-in throttle (per card and
    address, per card, per address), for every web form that takes a card and a PIN; or a refusal."""
    from wenyun.core.services import (
        LOCK_ADDRESS,
        login_address_refusal,
        login_failure_record,
        login_lock,
        login_success_record,
    )

    key = f"card:{card.strip()}"
    lock = login_lock(username=key, ip=ip)
    if lock == LOCK_ADDRESS:
        raise DomainError(login_address_refusal(), code="address_locked")
    if lock is not None:
        raise DomainError(
            _("Too many wrong PINs for this card. Wait a quarter of an hour, or ask at the desk."),
            code="card_locked",
        )
    reader = Reader.objects.filter(card=card.strip()).first()
    if reader is None or not reader_pin_check(reader=reader, pin=pin):
        login_failure_record(username=key, ip=ip)
        raise DomainError(_("The card number or the PIN is wrong."), code="card_pin_wrong")
    login_success_record(username=key, ip=ip)
    return reader


def reader_status(
    *, reader: Reader, today: dt.date | None = None, counts: ReaderCounts | None = None
) -> ReaderStatus:
    """The reader's counts (`reader_counts`, or those already read) and the blocks judged on them."""
    today = today or timezone.localdate()
    counts = counts or reader_counts(reader=reader, today=today)
    return ReaderStatus(
        reader=reader,
        blocks=reader_blocks(reader=reader, today=today, counts=(counts.overdue, counts.owed, counts.loans)),
        loans=counts.loans,
        overdue=counts.overdue,
        holds=counts.holds,
        holds_ready=counts.holds_ready,
        fees_owed=counts.owed,
    )
