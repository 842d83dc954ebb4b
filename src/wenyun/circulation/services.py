"""Writes of circulation: readers, loans, renewals, fees, holds and transits.

Each public function is one atomic transaction that locks the rows it changes (through `locks`),
re-reads them, checks the rules and leaves one or more CirculationEvent rows behind. A refusal is a
`Refused` (or `NotFound`/`Forbidden`) with a stable code, raised before anything is written:

    card_expired  card_lost  blocked  too_many_overdue  fees_over_limit  loan_limit
    item_not_available  item_on_hold_for_other  not_renewable  renewal_on_hold  holds_not_allowed
    hold_duplicate  hold_already_on_loan  hold_not_active  fee_not_open  fee_amount_invalid
    fee_amount_over_balance  pin_wrong  pin_not_set
    reader_card_taken  reader_field_invalid  id_number_invalid  unit_forbidden
    reader_forbidden  loan_forbidden  item_forbidden  fee_forbidden  hold_forbidden  transit_forbidden

Who may do the consequential ones (declare lost, claim returned, block, waive, cancel a hold, edit a
reader) is `access`'s to say; each such change by a staff member is also a row of the reader access log.

`actor` is the staff User who acts (or the reader's own User from the portal), or None for a kiosk
or the system; `via` names the channel for the log: "desk", "portal", "sip2:<kiosk account>", "demo".
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import ParamSpec, TypeVar, cast

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog.models import Item, ItemStatus, Record
from wenyun.core.errors import DomainError, Forbidden, Refused
from wenyun.network.access import user_can_manage_unit
from wenyun.network.models import Unit

from . import access, locks, rows
from .models import (
    CirculationEvent,
    CirculationRule,
    CirculationSettings,
    DeliveryRoute,
    DeliveryRun,
    Fee,
    Hold,
    Loan,
    Notice,
    Reader,
    ReaderAccess,
    ReaderCategory,
    ReturnPolicy,
    Transit,
)
from .notices import notice_send
from .rules import (
    STAMP_COLUMNS,
    STAMP_WIDTH,
    Snapshot,
    copy_distance,
    due_date,
    overdue_fee,
    rule_match,
    snapshot,
    township_of,
)

Type = CirculationEvent.Type
Access = ReaderAccess.Action
P = ParamSpec("P")
R = TypeVar("R")


# ---------------------------------------------------------------- refusals


class CirculationRefused(Refused):
    """A circulation rule says no; `code` is one of the stable codes in this module's docstring."""


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


@dataclass
class CheckinResult:
    """Where the copy goes next: shelve it here, put it on the hold shelf here, or send it on."""

    item: Item
    action: str  # "shelve" | "transit" | "hold_shelf"
    unit: Unit  # where it goes (this unit for shelve and hold_shelf)
    loan: Loan | None = None
    hold: Hold | None = None
    transit: Transit | None = None
    fee: Fee | None = None
    messages: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- helpers


def circ_settings() -> CirculationSettings:
    # Unsaved defaults until an administrator saves the settings: reading them never writes.
    return snapshot().settings


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _via(actor, via: str) -> str:
    if via:
        return via
    return "desk" if getattr(actor, "pk", None) else "system"


_EVENT_SQL = (
    "INSERT INTO circulation_circulationevent (type, at, unit_id, actor_id, details, item_id, reader_id, via) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)


def _record(
    *,
    type: str,
    unit: Unit | int,
    actor,
    via: str,
    at: dt.datetime,
    item: Item | None = None,
    reader: Reader | None = None,
    details: dict | None = None,
    db=None,
) -> None:
    """Append one row to the log (a prepared INSERT: every check-out and check-in writes one or two)."""
    db = db or rows.db()
    params = [
        type,
        rows.moment(at, db),
        unit if isinstance(unit, int) else unit.pk,
        getattr(actor, "pk", None),
        db.ops.adapt_json_value(details or {}, None),
        item.pk if item is not None else None,
        reader.pk if reader is not None else None,
        _via(actor, via),
    ]
    if db.in_atomic_block:
        rows.execute(_EVENT_SQL, params, connection=db)
    else:
        with db.cursor() as cursor:
            cursor.execute(_EVENT_SQL, params)


_SQLITE_WRITER = threading.Lock()


def _one_writer(service: Callable[P, R]) -> Callable[P, R]:
    """On SQLite, this process's check-outs and check-ins queue on a lock before BEGIN IMMEDIATE.

    SQLite takes one writer at a time anyway; a writer that finds the database locked sleeps in
    growing steps (up to 100 ms) before it tries again, which under 20 desks at once made the slowest
    check-outs wait a second. Queued on a lock here, the next one starts the moment the last commits.
    Inside an outer transaction (which already holds SQLite's write lock) there is nothing to queue for.
    """

    @functools.wraps(service)
    def queued(*args: P.args, **kwargs: P.kwargs) -> R:
        db = rows.db()
        if db.vendor != "sqlite" or db.in_atomic_block:
            return service(*args, **kwargs)
        with _SQLITE_WRITER:
            return service(*args, **kwargs)

    return queued


def _require_desk(actor, unit: Unit) -> None:
    """A staff member acts at units in his own subtree; kiosks and the system (actor None) anywhere."""
    if actor is None or not getattr(actor, "is_staff_member", False):
        return
    if not user_can_manage_unit(actor, unit):
        raise Forbidden(
            _("You may not lend or take back at %(unit)s: it is outside your unit.") % {"unit": unit.name},
            code="unit_forbidden",
        )


def _refuse(code: str, message: str):
    raise CirculationRefused(message, code=code)


def _open_day(unit: Unit, snap: Snapshot | None = None):
    cached = snap or snapshot()
    return lambda day: cached.next_open_day(unit, day)


def _fees_owed(reader_id: int) -> Decimal:
    owed = Fee.objects.filter(reader_id=reader_id, status=Fee.Status.OPEN).aggregate(
        total=Sum(F("amount") - F("paid"))
    )["total"]
    return Decimal(owed or 0).quantize(Decimal("0.01"))


def _overdue_count(reader_id: int, today: dt.date) -> int:
    return Loan.objects.filter(
        reader_id=reader_id, returned_at__isnull=True, due_on__lt=today, lost=False, claimed_returned=False
    ).count()


_COUNTS_SQL = (
    "SELECT "
    "(SELECT COUNT(*) FROM circulation_loan WHERE reader_id = %s AND returned_at IS NULL AND due_on < %s "
    "AND NOT lost AND NOT claimed_returned), "
    "(SELECT SUM(amount - paid) FROM circulation_fee WHERE reader_id = %s AND status = 'open')"
)


def _reader_counts(reader_id: int, today: dt.date) -> tuple[int, Decimal, int]:
    """(overdue loans, fees owed, 0) in one round trip; a check-out reads them in `_checkout_facts`."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_SQL, [reader_id, today, reader_id])
        overdue, owed = cursor.fetchone()
    return (
        int(overdue or 0),
        Decimal(str(owed)).quantize(Decimal("0.01")) if owed is not None else Decimal("0.00"),
        0,
    )


_HOLDS_ACTIVE_SQL = "(SELECT COUNT(*) FROM circulation_hold WHERE record_id = %s AND status IN ('waiting', 'in_transit', 'ready'))"
# Everything a check-out reads besides the two rows it locks, in one round trip: the snapshot's
# version key, the reader's overdue loans, fees owed, open loans (all, and of the copy's type) and
# whether anyone holds the title (the holds themselves are read only when someone does).
_CHECKOUT_FACTS_SQL = (
    f"SELECT {STAMP_COLUMNS}, "
    "(SELECT COUNT(*) FROM circulation_loan WHERE reader_id = %s AND returned_at IS NULL AND due_on < %s "
    "AND NOT lost AND NOT claimed_returned), "
    "(SELECT SUM(amount - paid) FROM circulation_fee WHERE reader_id = %s AND status = 'open'), "
    "(SELECT COUNT(*) FROM circulation_loan WHERE reader_id = %s AND returned_at IS NULL), "
    "(SELECT COUNT(*) FROM circulation_loan JOIN catalog_item ON catalog_item.id = circulation_loan.item_id "
    "WHERE circulation_loan.reader_id = %s AND circulation_loan.returned_at IS NULL "
    f"AND catalog_item.item_type_id = %s), {_HOLDS_ACTIVE_SQL}"
)


@dataclass
class _CheckoutFacts:
    stamp: tuple
    overdue: int
    owed: Decimal
    open_loans: int
    open_of_type: int
    held: bool


def _checkout_facts(db, *, reader_id: int, item: Item, today: dt.date) -> _CheckoutFacts:
    params = [reader_id, db.ops.adapt_datefield_value(today), reader_id, reader_id, reader_id]
    params += [item.item_type_id, item.record_id]
    row = rows.execute(_CHECKOUT_FACTS_SQL, params, connection=db).fetchone()
    stamp, (overdue, owed, open_loans, open_of_type, held) = row[:STAMP_WIDTH], row[STAMP_WIDTH:]
    return _CheckoutFacts(
        stamp=tuple(stamp),
        overdue=int(overdue or 0),
        owed=Decimal(str(owed)).quantize(Decimal("0.01")) if owed is not None else Decimal("0.00"),
        open_loans=int(open_loans or 0),
        open_of_type=int(open_of_type or 0),
        held=bool(held),
    )


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
    overdue, owed, _open = counts or _reader_counts(reader.pk, today)
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


# ---------------------------------------------------------------- readers

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


def _id_hash(number: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()


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
        reader.id_number_hash, reader.id_number_last4 = _id_hash(number), number[-4:]
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
        reader.id_number_hash, reader.id_number_last4 = _id_hash(number), number[-4:]
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


def reader_status(*, reader: Reader, today: dt.date | None = None) -> ReaderStatus:
    today = today or timezone.localdate()
    open_loans = Loan.objects.filter(reader=reader, returned_at__isnull=True)
    holds = Hold.objects.filter(reader=reader, status__in=Hold.ACTIVE)
    return ReaderStatus(
        reader=reader,
        blocks=reader_blocks(reader=reader, today=today),
        loans=open_loans.count(),
        overdue=_overdue_count(reader.pk, today),
        holds=holds.count(),
        holds_ready=holds.filter(status=Hold.Status.READY).count(),
        fees_owed=_fees_owed(reader.pk),
    )


# ---------------------------------------------------------------- loans


def _loan_rule(
    loan: Loan, *, category_id: int | None, item: Item, snap: Snapshot | None = None
) -> CirculationRule:
    """The row the loan was made under (from the cached matrix), or today's match if it was deleted."""
    snap = snap or snapshot()
    rule = snap.rule_by_pk(loan.rule_id)
    if rule is not None:
        return rule
    lending = snap.unit(loan.lending_unit_id)
    return snap.rule_for(unit=lending, category_id=category_id, item_type_id=item.item_type_id)


_ITEM_MOVED = ("status", "current_unit", "status_changed_at")


def _holds_on_title(item: Item, db=None) -> list[Hold]:
    """The title's active holds, oldest first: every hold a copy could fill is among them."""
    return rows.select(
        Hold,
        '"record_id" = %s AND "status" IN (%s, %s, %s)',
        [item.record_id, *Hold.ACTIVE],
        tail='ORDER BY "placed_at", "id"',
        connection=db,
    )


def _hold_for_copy(
    item: Item, *, exclude_reader: int | None = None, holds: list[Hold] | None = None
) -> Hold | None:
    """The hold this copy should fill now: one already trapped on it, else the oldest waiting one it can serve."""
    holds = _holds_on_title(item) if holds is None else holds
    for hold in holds:
        if hold.target_id == item.pk and hold.status in (Hold.Status.IN_TRANSIT, Hold.Status.READY):
            return hold
    for hold in holds:
        if hold.status != Hold.Status.WAITING or hold.reader_id == exclude_reader:
            continue
        if not hold.item_level or hold.item_id == item.pk:
            return hold
    return None


@_one_writer
@transaction.atomic
def loan_checkout(
    *,
    reader: Reader,
    item: Item,
    at_unit: Unit,
    actor,
    via: str = "",
    at: dt.datetime | None = None,
    due_on: dt.date | None = None,
    offline_at: dt.datetime | None = None,
) -> Loan:
    """Lend the copy to the reader at this unit, or refuse with the reason.

    The loan period, limit and return policy come from the matrix row for (this unit, the reader's
    category, the copy's type); the due date is moved to the next day this unit is open.

    `offline_at`: a kiosk lent the copy while it could not reach us and reports it now (SIP2
    no-block check-out). The loan is recorded as of then and marked offline in the log, without
    judging the reader's blocks, loan limits or holds on the title (the book has left); a copy on
    loan or not on the shelf is still refused, so no copy is ever on two loans.
    """
    _require_desk(actor, at_unit)
    now = _now(offline_at or at)
    today = _day(now)
    db = rows.db()
    reader, item = locks.reader_and_item_lock(reader_pk=reader.pk, item_pk=item.pk, db=db)
    facts = _checkout_facts(db, reader_id=reader.pk, item=item, today=today)
    snap = snapshot(facts.stamp)
    conf = snap.settings
    # The matrix row is matched in memory; the reader's counts for the blocks and the row's loan limit
    # came in the one round trip above. The refusals keep their order: blocks, the copy, then the limit.
    rule = snap.rule_for(unit=at_unit, category_id=reader.category_id, item_type_id=item.item_type_id)
    counts = (facts.overdue, facts.owed, facts.open_of_type if rule.item_type_id else facts.open_loans)
    if offline_at is None:
        _check_blocks(reader, today, conf, counts)

    fills: Hold | None = None
    holds = _holds_on_title(item, db) if facts.held else []
    if item.status == ItemStatus.ON_HOLD_SHELF:
        hold = _hold_for_copy(item, holds=holds)
        if hold is None or hold.reader_id != reader.pk:
            _refuse(
                "item_on_hold_for_other",
                _("%(barcode)s is on the hold shelf for another reader.") % {"barcode": item.barcode},
            )
        fills = hold
    elif item.status == ItemStatus.ON_LOAN:
        mine = Loan.objects.filter(item=item, returned_at__isnull=True, reader=reader).exists()
        _refuse(
            "item_not_available",
            _("%(barcode)s is already on loan to this reader; renew it instead.") % {"barcode": item.barcode}
            if mine
            else _("%(barcode)s is on loan to another reader; check it in first.")
            % {"barcode": item.barcode},
        )
    elif item.status != ItemStatus.AVAILABLE:
        _refuse(
            "item_not_available",
            _("%(barcode)s cannot be lent: it is %(status)s.")
            % {"barcode": item.barcode, "status": ItemStatus(item.status).label},
        )
    else:
        hold = _hold_for_copy(item, holds=holds)
        if (
            offline_at is None
            and hold is not None
            and hold.reader_id != reader.pk
            and (hold.item_level or hold.target_id == item.pk)
        ):
            _refuse(
                "item_on_hold_for_other",
                _("%(barcode)s is held for another reader.") % {"barcode": item.barcode},
            )
        # The reader's own waiting hold on this title is filled by borrowing any copy of it.
        fills = next((h for h in holds if h.reader_id == reader.pk), None)

    if rule.loan_limit == 0 and offline_at is None:
        _refuse(
            "loan_limit",
            _("%(type)s is for use in the library only: it is not lent to this card.")
            % {"type": item.item_type.name},
        )
    if counts[2] >= rule.loan_limit and offline_at is None:
        _refuse(
            "loan_limit",
            _(
                "The reader already has %(count)s items on loan, the limit for this card and this kind of item."
            )
            % {"count": rule.loan_limit},
        )

    due = due_on or due_date(start=today, loan_days=rule.loan_days, open_day=_open_day(at_unit, snap))
    loan = rows.new(
        Loan,
        item=item,
        reader=reader,
        lending_unit=at_unit,
        rule=rule if rule.pk else None,
        out_at=now,
        due_on=due,
    )
    try:
        # No savepoint: the copy's row lock makes this unreachable; if the constraint ever fires,
        # the whole check-out is rolled back with the refusal.
        rows.insert(loan, connection=db)
    except IntegrityError:
        _refuse(
            "item_not_available", _("%(barcode)s was just lent at another desk.") % {"barcode": item.barcode}
        )
    # A copy the catalogue has on another unit's shelf is lent all the same (the reader holds it), but
    # the desk is told and the event keeps where it was: that unit's shelf count was wrong.
    shelved_at = item.current_unit_id
    item.status, item.status_changed_at = ItemStatus.ON_LOAN, now
    rows.relate(item, "current_unit", at_unit)
    rows.update(item, _ITEM_MOVED, connection=db)
    elsewhere = Unit.objects.get(pk=shelved_at) if shelved_at != at_unit.pk else None
    loan.warning = (
        _(
            "%(barcode)s was recorded on the shelf of %(unit)s, not here: it is lent here all the same, "
            "and the loan notes where it was."
        )
        % {"barcode": item.barcode, "unit": elsewhere.display_name}
        if elsewhere
        else ""
    )
    if fills is not None:
        fills.status, fills.closed_at, fills.target = Hold.Status.FULFILLED, now, item
        fills.save(update_fields=["status", "closed_at", "target"])
        if item.pk != fills.target_id:
            Transit.objects.filter(hold=fills, received_at__isnull=True, cancelled_at__isnull=True).update(
                cancelled_at=now
            )
    _record(
        type=Type.CHECKOUT,
        unit=at_unit,
        actor=actor,
        via=via,
        at=now,
        item=item,
        reader=reader,
        details={
            "loan": loan.pk,
            "due": due.isoformat(),
            **({"hold": fills.pk} if fills else {}),
            **({"offline": True} if offline_at else {}),
            **({"shelved_at": elsewhere.code} if elsewhere else {}),
        },
        db=db,
    )
    return loan


def _send(
    item: Item, *, to: Unit, at_unit: Unit, reason: str, hold: Hold | None, now: dt.datetime, actor, via: str
) -> Transit:
    Transit.objects.filter(item=item, received_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=now
    )
    transit = Transit.objects.create(
        item=item, from_unit=at_unit, to_unit=to, reason=reason, hold=hold, created_at=now
    )
    item.status, item.current_unit, item.status_changed_at = ItemStatus.IN_TRANSIT, at_unit, now
    item.save(update_fields=["status", "current_unit", "status_changed_at"])
    _record(
        type=Type.TRANSIT_CREATED,
        unit=at_unit,
        actor=actor,
        via=via,
        at=now,
        item=item,
        details={"transit": transit.pk, "to": to.code, "reason": reason},
    )
    return transit


def _hold_shelf(item: Item, hold: Hold, *, at_unit: Unit, now: dt.datetime, actor, via: str) -> None:
    snap = snapshot()
    conf = snap.settings
    last = _day(now) + dt.timedelta(days=conf.hold_shelf_days)
    hold.status, hold.target, hold.ready_at = Hold.Status.READY, item, now
    hold.shelf_until = snap.next_open_day(at_unit, last) or last
    hold.save(update_fields=["status", "target", "ready_at", "shelf_until"])
    item.status, item.current_unit, item.status_changed_at = ItemStatus.ON_HOLD_SHELF, at_unit, now
    item.save(update_fields=["status", "current_unit", "status_changed_at"])
    _record(
        type=Type.HOLD_TRAPPED,
        unit=at_unit,
        actor=actor,
        via=via,
        at=now,
        item=item,
        reader=hold.reader,
        details={"hold": hold.pk, "shelf_until": hold.shelf_until.isoformat()},
    )
    reader = hold.reader
    text = _("%(title)s is ready for you at %(unit)s until %(day)s.") % {
        "title": item.record.title,
        "unit": at_unit.name,
        "day": hold.shelf_until.isoformat(),
    }
    transaction.on_commit(lambda: notice_send(reader=reader, kind=Notice.Kind.HOLD_READY, text=text))


def _route(
    item: Item,
    *,
    at_unit: Unit,
    now: dt.datetime,
    actor,
    via: str,
    loan: Loan | None = None,
    category_id: int | None = None,
    snap: Snapshot | None = None,
    holds: list[Hold] | None = None,
    db=None,
) -> CheckinResult:
    """Decide and carry out where a copy in hand at at_unit goes: a waiting hold wins, then the return policy.

    `holds`: the title's active holds when already known ([] when nobody holds it).
    """
    hold = _hold_for_copy(item, holds=_holds_on_title(item, db) if holds is None else holds)
    if hold is not None:
        if hold.pickup_unit_id == at_unit.pk:
            _hold_shelf(item, hold, at_unit=at_unit, now=now, actor=actor, via=via)
            return CheckinResult(item=item, action="hold_shelf", unit=at_unit, loan=loan, hold=hold)
        hold.status, hold.target = Hold.Status.IN_TRANSIT, item
        hold.save(update_fields=["status", "target"])
        transit = _send(
            item,
            to=hold.pickup_unit,
            at_unit=at_unit,
            reason=Transit.Reason.HOLD,
            hold=hold,
            now=now,
            actor=actor,
            via=via,
        )
        return CheckinResult(
            item=item, action="transit", unit=hold.pickup_unit, loan=loan, hold=hold, transit=transit
        )
    units = snap or snapshot()
    destination = units.unit(item.home_unit_id)
    reason = Transit.Reason.HOME
    if at_unit.pk != item.home_unit_id:
        lending = units.unit(loan.lending_unit_id) if loan is not None else at_unit
        policy = units.rule_for(
            unit=lending, category_id=category_id, item_type_id=item.item_type_id
        ).return_policy
        if policy == ReturnPolicy.FLOAT:
            destination = at_unit
        elif policy == ReturnPolicy.LENDING and loan is not None:
            destination, reason = units.unit(loan.lending_unit_id), Transit.Reason.LENDING
    if destination.pk == at_unit.pk:
        item.status, item.status_changed_at = ItemStatus.AVAILABLE, now
        rows.relate(item, "current_unit", at_unit)
        rows.update(item, _ITEM_MOVED, connection=db)
        return CheckinResult(item=item, action="shelve", unit=at_unit, loan=loan)
    transit = _send(
        item, to=destination, at_unit=at_unit, reason=reason, hold=None, now=now, actor=actor, via=via
    )
    return CheckinResult(item=item, action="transit", unit=destination, loan=loan, transit=transit)


# What a check-in reads besides the copy it locks, in one round trip: the snapshot's version key,
# whether anyone holds the title, and the copy's open loan with its reader (none: a NULL loan).
_CHECKIN_FACTS_SQL = (
    f"SELECT {STAMP_COLUMNS}, {_HOLDS_ACTIVE_SQL}, {{loan}}, {{reader}} FROM (SELECT 1 AS one) AS here "
    "LEFT JOIN circulation_loan ON circulation_loan.item_id = %s AND circulation_loan.returned_at IS NULL "
    "LEFT JOIN circulation_reader ON circulation_reader.id = circulation_loan.reader_id"
)
_checkin_sql: dict[str, str] = {}


def _checkin_facts(db, item: Item) -> tuple[tuple, bool, Loan | None]:
    """(the snapshot's version key, whether the title is held, the copy's open loan with its reader)."""
    loan_shape, reader_shape = rows.shape(Loan, db), rows.shape(Reader, db)
    sql = _checkin_sql.get(db.vendor)
    if sql is None:
        sql = _checkin_sql[db.vendor] = _CHECKIN_FACTS_SQL.format(
            loan=loan_shape.columns, reader=reader_shape.columns
        )
    row = rows.execute(sql, [item.record_id, item.pk], connection=db).fetchone()
    stamp, held = tuple(row[:STAMP_WIDTH]), bool(row[STAMP_WIDTH])
    start = STAMP_WIDTH + 1
    if row[start] is None:
        return stamp, held, None
    loan = cast(Loan, loan_shape.build(row[start : start + loan_shape.width], db))
    rows.relate(loan, "item", item)
    rows.relate(loan, "reader", reader_shape.build(row[start + loan_shape.width :], db))
    return stamp, held, loan


@_one_writer
@transaction.atomic
def loan_checkin(
    *,
    item: Item,
    at_unit: Unit,
    actor,
    via: str = "",
    at: dt.datetime | None = None,
    offline_at: dt.datetime | None = None,
) -> CheckinResult:
    """Take the copy back at any unit (or receive it off the van) and say where it goes next.

    A waiting hold wins (hold shelf here, or a transit to its pickup unit); otherwise the return
    policy of the loan's matrix row: home (transit), float (stays here) or back to the lending unit.
    An overdue return leaves an overdue fee when the row charges one. `offline_at`: a kiosk took it
    back while it could not reach us (SIP2 no-block check-in): returned as of then, marked offline.
    """
    _require_desk(actor, at_unit)
    now = _now(offline_at or at)
    db = rows.db()
    item = locks.item_lock(pk=item.pk, db=db)
    stamp, held, loan = _checkin_facts(db, item)
    snap = snapshot(stamp)
    fee: Fee | None = None
    messages: list[str] = []
    category_id: int | None = None
    if loan is not None:
        loan.returned_at = now
        rows.relate(loan, "return_unit", at_unit)
        rows.update(loan, ("returned_at", "return_unit"), connection=db)
        category_id = loan.reader.category_id
        rule = _loan_rule(loan, category_id=category_id, item=item, snap=snap)
        amount = overdue_fee(
            due_on=loan.due_on, returned_on=_day(now), per_day=rule.fee_per_day, cap=rule.fee_cap
        )
        if amount > 0 and not loan.lost:
            fee = Fee.objects.create(
                reader=loan.reader,
                loan=loan,
                kind=Fee.Kind.OVERDUE,
                amount=amount,
                unit=at_unit,
                created_at=now,
            )
            messages.append(
                _("Returned late: an overdue fee of %(amount)s yuan.") % {"amount": f"{amount:.2f}"}
            )
        if loan.lost:
            # A lost copy that comes back: its replacement charge is dropped.
            Fee.objects.filter(loan=loan, kind=Fee.Kind.LOST, status=Fee.Status.OPEN).update(
                status=Fee.Status.WAIVED, settled_at=now, note="returned"
            )
            messages.append(_("This copy had been declared lost; the replacement charge is dropped."))
    else:
        transit = Transit.objects.filter(
            item=item, received_at__isnull=True, cancelled_at__isnull=True
        ).first()
        if transit is not None:
            if transit.to_unit_id != at_unit.pk:
                # Passing through a stop on the way: it keeps travelling.
                return CheckinResult(item=item, action="transit", unit=transit.to_unit, transit=transit)
            transit.received_at = now
            transit.save(update_fields=["received_at"])
            _record(
                type=Type.TRANSIT_RECEIVED,
                unit=at_unit,
                actor=actor,
                via=via,
                at=now,
                item=item,
                details={"transit": transit.pk},
            )
        elif item.status == ItemStatus.ON_HOLD_SHELF and item.current_unit_id == at_unit.pk:
            hold = _hold_for_copy(item)
            return CheckinResult(item=item, action="hold_shelf", unit=at_unit, hold=hold)
    result = _route(
        item,
        at_unit=at_unit,
        now=now,
        actor=actor,
        via=via,
        loan=loan,
        category_id=category_id,
        snap=snap,
        holds=None if held else [],
        db=db,
    )
    result.fee, result.messages = fee, messages
    _record(
        type=Type.CHECKIN,
        unit=at_unit,
        actor=actor,
        via=via,
        at=now,
        item=item,
        reader=loan.reader if loan else None,
        details={
            **({"loan": loan.pk, "late_days": max(0, (_day(now) - loan.due_on).days)} if loan else {}),
            "action": result.action,
            "to": result.unit.code,
            **({"hold": result.hold.pk} if result.hold else {}),
            **({"fee": str(fee.amount)} if fee else {}),
            **({"offline": True} if offline_at else {}),
        },
        db=db,
    )
    if fee is not None:
        _record(
            type=Type.FEE_CHARGED,
            unit=at_unit,
            actor=actor,
            via=via,
            at=now,
            item=item,
            reader=loan.reader if loan else None,
            details={"fee": fee.pk, "amount": str(fee.amount), "kind": fee.kind},
        )
    return result


def _renew_locked(loan: Loan, *, actor, via: str, now: dt.datetime, conf: CirculationSettings) -> Loan:
    reader = loan.reader
    today = _day(now)
    if loan.lost or loan.claimed_returned:
        _refuse("not_renewable", _("A copy declared lost or claimed returned cannot be renewed."))
    _check_blocks(reader, today, conf)
    item = loan.item
    rule = _loan_rule(loan, category_id=reader.category_id, item=item)
    if loan.renewals >= rule.renewals:
        _refuse(
            "not_renewable",
            _("%(barcode)s has been renewed %(count)s times, the most allowed.")
            % {"barcode": item.barcode, "count": loan.renewals},
        )
    if _hold_for_copy(item, exclude_reader=reader.pk) is not None:
        _refuse(
            "renewal_on_hold",
            _("%(barcode)s cannot be renewed: another reader is waiting for it.") % {"barcode": item.barcode},
        )
    due = due_date(start=today, loan_days=rule.loan_days, open_day=_open_day(loan.lending_unit))
    if due <= loan.due_on:
        _refuse(
            "not_renewable",
            _("Renewing today would not move the due date %(day)s.") % {"day": loan.due_on.isoformat()},
        )
    previous = loan.due_on
    loan.due_on, loan.renewals = due, loan.renewals + 1
    loan.save(update_fields=["due_on", "renewals"])
    _record(
        type=Type.RENEW,
        unit=loan.lending_unit,
        actor=actor,
        via=via,
        at=now,
        item=item,
        reader=reader,
        details={"loan": loan.pk, "from": previous.isoformat(), "due": due.isoformat()},
    )
    return loan


@transaction.atomic
def loan_renew(*, loan: Loan, actor, via: str = "", at: dt.datetime | None = None) -> Loan:
    """Move the due date on by a loan period, if the row allows another renewal and nobody waits for the copy."""
    now = _now(at)
    locks.reader_lock(pk=loan.reader_id)
    locks.item_lock(pk=loan.item_id)
    loan = Loan.objects.select_related(
        "reader", "reader__category", "item", "item__record", "lending_unit"
    ).get(pk=loan.pk)
    if loan.returned_at is not None:
        _refuse("not_renewable", _("This loan has ended: the copy was returned."))
    return _renew_locked(loan, actor=actor, via=via, now=now, conf=circ_settings())


def loan_renew_all(
    *, reader: Reader, actor, via: str = "", at: dt.datetime | None = None
) -> list[tuple[Loan, DomainError | None]]:
    """Renew each of the reader's loans on its own; each result says renewed (None) or why not."""
    results: list[tuple[Loan, DomainError | None]] = []
    for loan in (
        Loan.objects.filter(reader=reader, returned_at__isnull=True)
        .select_related("item")
        .order_by("due_on", "pk")
    ):
        try:
            results.append((loan_renew(loan=loan, actor=actor, via=via, at=at), None))
        except DomainError as exc:
            results.append((loan, exc))
    return results


@transaction.atomic
def item_mark_lost(
    *, item: Item, actor, at_unit: Unit, via: str = "", at: dt.datetime | None = None
) -> Loan | None:
    """Declare a copy lost. If it is on loan, the loan stays open marked lost and the reader owes its price
    (when the county charges for lost copies and the copy has a price)."""
    _require_desk(actor, at_unit)
    now = _now(at)
    item = locks.item_lock(pk=item.pk)
    if item.status in (ItemStatus.LOST, ItemStatus.WITHDRAWN):
        _refuse(
            "item_not_available",
            _("%(barcode)s is already %(status)s.")
            % {"barcode": item.barcode, "status": ItemStatus(item.status).label},
        )
    loan = (
        Loan.objects.select_related("reader", "reader__home_unit", "lending_unit")
        .filter(item=item, returned_at__isnull=True)
        .first()
    )
    if loan is not None:
        access.require_loan_scope(actor, loan, action="lost")
    else:
        access.require_item_scope(actor, home_unit=item.home_unit, current_unit=item.current_unit)
    details: dict = {}
    if loan is not None:
        locks.reader_lock(pk=loan.reader_id)
        loan.lost = True
        loan.save(update_fields=["lost"])
        details["loan"] = loan.pk
        conf = circ_settings()
        if conf.charge_lost_price and item.price:
            fee = Fee.objects.create(
                reader=loan.reader,
                loan=loan,
                kind=Fee.Kind.LOST,
                amount=item.price,
                unit=at_unit,
                created_at=now,
            )
            details["fee"] = str(fee.amount)
    Hold.objects.filter(target=item, status__in=Hold.ACTIVE).update(status=Hold.Status.WAITING, target=None)
    item.status, item.status_changed_at = ItemStatus.LOST, now
    item.save(update_fields=["status", "status_changed_at"])
    _record(
        type=Type.LOST,
        unit=at_unit,
        actor=actor,
        via=via,
        at=now,
        item=item,
        reader=loan.reader if loan else None,
        details=details,
    )
    if loan is not None:
        access.reader_access_record(
            staff=actor,
            readers=[loan.reader],
            action=Access.MARKED_LOST,
            via=_via(actor, via),
            details={"loan": loan.pk},
        )
    return loan


@transaction.atomic
def loan_claim_returned(
    *, loan: Loan, actor, at_unit: Unit, via: str = "", at: dt.datetime | None = None
) -> Loan:
    """The reader says he returned it: the loan stops counting as overdue and the copy is searched for (missing)."""
    _require_desk(actor, at_unit)
    now = _now(at)
    item = locks.item_lock(pk=loan.item_id)
    loan = locks.loan_lock(pk=loan.pk)
    access.require_loan_scope(actor, loan, action="claim_returned")
    if loan.returned_at is not None or loan.claimed_returned:
        _refuse("not_renewable", _("This loan is not open, or is already claimed returned."))
    loan.claimed_returned = True
    loan.save(update_fields=["claimed_returned"])
    item.status, item.status_changed_at = ItemStatus.MISSING, now
    item.save(update_fields=["status", "status_changed_at"])
    _record(
        type=Type.CLAIM_RETURNED,
        unit=at_unit,
        actor=actor,
        via=via,
        at=now,
        item=item,
        reader=loan.reader,
        details={"loan": loan.pk},
    )
    access.reader_access_record(
        staff=actor,
        readers=[loan.reader],
        action=Access.CLAIMED_RETURNED,
        via=_via(actor, via),
        details={"loan": loan.pk},
    )
    return loan


# ---------------------------------------------------------------- fees


def _fee_locked(fee: Fee, *, actor, at_unit: Unit) -> Fee:
    _require_desk(actor, at_unit)
    fee = locks.fee_lock(pk=fee.pk)
    if fee.status != Fee.Status.OPEN:
        _refuse(
            "fee_not_open", _("This fee is already %(status)s.") % {"status": Fee.Status(fee.status).label}
        )
    return fee


def _payment_amount(amount: Decimal | str | None, balance: Decimal) -> Decimal:
    """The amount a payment takes off the balance, or a refusal naming what is wrong with it."""
    if amount is None:
        return balance
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount).strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        _refuse("fee_amount_invalid", _("%(amount)s is not an amount in yuan.") % {"amount": amount})
    if value <= 0:
        _refuse("fee_amount_invalid", _("The amount paid must be more than 0 yuan."))
    if value > balance:
        _refuse(
            "fee_amount_over_balance",
            _("%(amount)s yuan is more than the %(balance)s yuan still owed on this fee.")
            % {"amount": value, "balance": f"{balance:.2f}"},
        )
    if value != value.quantize(Decimal("0.01")):
        _refuse(
            "fee_amount_invalid",
            _("%(amount)s yuan has more than two decimals: the fen is the smallest unit.")
            % {"amount": value},
        )
    return value.quantize(Decimal("0.01"))


@transaction.atomic
def fee_pay(*, fee: Fee, actor, at_unit: Unit, via: str = "", amount: Decimal | None = None) -> Fee:
    """The reader paid at this unit (fees may be paid anywhere): the whole balance, or part of it.

    Each payment is a fee_paid event with the amount paid and the balance left; the fee is settled
    (paid) when its balance reaches zero. A refused amount changes nothing.
    """
    fee = _fee_locked(fee, actor=actor, at_unit=at_unit)
    paying = _payment_amount(amount, fee.balance)
    now = timezone.now()
    fee.paid += paying
    fields = ["paid"]
    if fee.paid >= fee.amount:
        fee.status, fee.settled_at = Fee.Status.PAID, now
        fields += ["status", "settled_at"]
    fee.save(update_fields=fields)
    _record(
        type=Type.FEE_PAID,
        unit=at_unit,
        actor=actor,
        via=via,
        at=now,
        reader=fee.reader,
        details={
            "fee": fee.pk,
            "amount": str(paying),
            "paid": str(fee.paid),
            "balance": str(fee.amount - fee.paid),
            "kind": fee.kind,
        },
    )
    return fee


@transaction.atomic
def fee_waive(*, fee: Fee, actor, at_unit: Unit, reason: str, via: str = "") -> Fee:
    """Forgive what is still owed on the fee (anything already paid stays paid), with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the fee is waived."), code="fee_reason_required")
    fee = _fee_locked(fee, actor=actor, at_unit=at_unit)
    access.require_fee_scope(actor, fee)
    waived = fee.balance
    now = timezone.now()
    fee.status, fee.settled_at, fee.note = Fee.Status.WAIVED, now, reason[:200]
    fee.save(update_fields=["status", "settled_at", "note"])
    _record(
        type=Type.FEE_WAIVED,
        unit=at_unit,
        actor=actor,
        via=via,
        at=now,
        reader=fee.reader,
        details={"fee": fee.pk, "amount": str(waived), "kind": fee.kind, "note": reason},
    )
    access.reader_access_record(
        staff=actor,
        readers=[fee.reader],
        action=Access.FEE_WAIVED,
        via=_via(actor, via),
        details={"fee": fee.pk},
    )
    return fee


# ---------------------------------------------------------------- holds


@transaction.atomic
def hold_place(
    *,
    reader: Reader,
    pickup_unit: Unit,
    actor,
    record: Record | None = None,
    item: Item | None = None,
    via: str = "",
    at: dt.datetime | None = None,
) -> Hold:
    """A hold on a title (any copy) or on one copy, collected at any unit. The copy is found by `holds_fill`."""
    if (record is None) == (item is None):
        raise DomainError(
            _("A hold is on a title or on one copy: give one of them."), code="hold_target_invalid"
        )
    now = _now(at)
    reader = locks.reader_lock(pk=reader.pk)
    conf = circ_settings()
    _check_blocks(reader, _day(now), conf)
    if item is not None:
        item = locks.item_lock(pk=item.pk)
        record = item.record
        if item.status in (ItemStatus.LOST, ItemStatus.WITHDRAWN, ItemStatus.MISSING):
            _refuse(
                "item_not_available",
                _("%(barcode)s cannot be held: it is %(status)s.")
                % {"barcode": item.barcode, "status": ItemStatus(item.status).label},
            )
    assert record is not None
    item_type_id = item.item_type_id if item is not None else None
    if item_type_id is None:
        first = Item.objects.filter(record=record).values_list("item_type_id", flat=True).first()
        if first is None:
            _refuse("item_not_available", _("%(title)s has no copies to hold.") % {"title": record.title})
        item_type_id = first
    rule = rule_match(unit=pickup_unit, category_id=reader.category_id, item_type_id=item_type_id).rule
    if not rule.holds_allowed:
        _refuse("holds_not_allowed", _("This kind of item cannot be held with this card."))
    if Hold.objects.filter(reader=reader, record=record, status__in=Hold.ACTIVE).exists():
        _refuse("hold_duplicate", _("The reader already has a hold on %(title)s.") % {"title": record.title})
    if Loan.objects.filter(reader=reader, item__record=record, returned_at__isnull=True).exists():
        _refuse(
            "hold_already_on_loan", _("The reader already has %(title)s on loan.") % {"title": record.title}
        )
    hold = Hold.objects.create(
        reader=reader,
        record=record,
        item=item,
        item_level=item is not None,
        pickup_unit=pickup_unit,
        placed_at=now,
    )
    _record(
        type=Type.HOLD_PLACED,
        unit=pickup_unit,
        actor=actor,
        via=via,
        at=now,
        item=item,
        reader=reader,
        details={"hold": hold.pk, "record": record.pk},
    )
    return hold


@transaction.atomic
def hold_cancel(*, hold: Hold, actor, via: str = "", at: dt.datetime | None = None) -> Hold:
    """Cancel a waiting, travelling or ready hold; a copy already on the shelf for it is routed on."""
    now = _now(at)
    hold = locks.hold_lock(pk=hold.pk)
    access.require_hold_scope(actor, hold)
    if hold.status not in Hold.ACTIVE:
        _refuse(
            "hold_not_active",
            _("This hold is already %(status)s.") % {"status": Hold.Status(hold.status).label},
        )
    previous = hold.status
    hold.status, hold.closed_at = Hold.Status.CANCELLED, now
    hold.save(update_fields=["status", "closed_at"])
    if previous == Hold.Status.READY and hold.target_id:
        item = locks.item_lock(pk=hold.target_id)
        _route(item, at_unit=item.current_unit, now=now, actor=actor, via=via)
    _record(
        type=Type.HOLD_CANCELLED,
        unit=hold.pickup_unit_id,
        actor=actor,
        via=via,
        at=now,
        reader=hold.reader,
        item=hold.target,
        details={"hold": hold.pk, "was": previous},
    )
    access.reader_access_record(
        staff=actor,
        readers=[hold.reader],
        action=Access.HOLD_CANCELLED,
        via=_via(actor, via),
        details={"hold": hold.pk},
    )
    return hold


def hold_expire(*, today: dt.date | None = None, actor=None, via: str = "") -> int:
    """End the holds not collected by their shelf date; each copy is routed on (the next hold, or home)."""
    today = today or timezone.localdate()
    count = 0
    for pk in Hold.objects.filter(status=Hold.Status.READY, shelf_until__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            hold = locks.hold_lock(pk=pk)
            if hold.status != Hold.Status.READY:
                continue
            now = timezone.now()
            hold.status, hold.closed_at = Hold.Status.EXPIRED, now
            hold.save(update_fields=["status", "closed_at"])
            if hold.target_id:
                item = locks.item_lock(pk=hold.target_id)
                _route(item, at_unit=item.current_unit, now=now, actor=actor, via=via)
            _record(
                type=Type.HOLD_EXPIRED,
                unit=hold.pickup_unit_id,
                actor=actor,
                via=via,
                at=now,
                reader=hold.reader,
                details={"hold": hold.pk},
            )
            count += 1
    return count


def holds_fill(*, actor=None, via: str = "") -> int:
    """The holds pass: give each waiting hold without a copy the nearest available one, oldest hold first.

    Nearest: the pickup unit itself, then the same township, then anywhere in the county. A copy chosen
    goes on the pull list of the unit it sits at; checking it in there traps it for the hold. The pass
    reads the waiting holds and the candidate copies once and writes the choices in bulk.
    """
    township = {
        pk: township_of(kind, pk, parent)
        for pk, kind, parent in Unit.objects.values_list("pk", "kind", "parent_id")
    }
    holds = list(
        Hold.objects.filter(status=Hold.Status.WAITING)
        .order_by("placed_at", "pk")
        .values_list("pk", "record_id", "item_id", "item_level", "target_id", "pickup_unit_id")
    )
    if not holds:
        return 0
    taken = set(
        Hold.objects.filter(status__in=Hold.ACTIVE, target__isnull=False).values_list("target_id", flat=True)
    )
    record_ids = {h[1] for h in holds}
    copies: dict[int, list[tuple[int, int]]] = {}
    for chunk_start in range(0, len(record_ids), 900):
        chunk = list(record_ids)[chunk_start : chunk_start + 900]
        for pk, record_id, unit_id in Item.objects.filter(
            record_id__in=chunk, status=ItemStatus.AVAILABLE
        ).values_list("pk", "record_id", "current_unit_id"):
            copies.setdefault(record_id, []).append((pk, unit_id))
    chosen: list[tuple[int, int]] = []
    for pk, record_id, item_id, item_level, target_id, pickup in holds:
        if target_id is not None:
            continue
        candidates = [
            c for c in copies.get(record_id, ()) if c[0] not in taken and (not item_level or c[0] == item_id)
        ]
        if not candidates:
            continue
        best = min(
            candidates,
            key=lambda c: (copy_distance(copy_unit=c[1], pickup_unit=pickup, township=township), c[0]),
        )
        taken.add(best[0])
        chosen.append((pk, best[0]))
    with transaction.atomic(), connection.cursor() as cursor:
        # Only holds still waiting without a copy: a hold cancelled or filled meanwhile is left alone.
        cursor.executemany(
            f"UPDATE {Hold._meta.db_table} SET target_id = %s WHERE id = %s AND status = 'waiting' "
            "AND target_id IS NULL",
            [(item_id, pk) for pk, item_id in chosen],
        )
    return len(chosen)


# ---------------------------------------------------------------- transits and the van


@transaction.atomic
def transit_runs_plan(*, day: dt.date) -> list[DeliveryRun]:
    """Put each open, unsent transit on the run of the day of the route it goes on (see route_for_transit)."""
    from .selectors import route_for_transit, routes_stops

    routes, stops = routes_stops()
    order = [route.pk for route in routes]
    runs: dict[int, DeliveryRun] = {}
    for route in routes:
        if route.weekday == day.weekday():
            runs[route.pk], _created = DeliveryRun.objects.get_or_create(route=route, day=day)
    waiting = Transit.objects.filter(
        run__isnull=True, sent_at__isnull=True, received_at__isnull=True, cancelled_at__isnull=True
    ).values_list("pk", "from_unit_id", "to_unit_id")
    plan: dict[int, list[int]] = {}
    for pk, from_id, to_id in waiting:
        route_pk = route_for_transit(from_unit_id=from_id, to_unit_id=to_id, stops=stops, order=order)
        if route_pk in runs:
            plan.setdefault(route_pk, []).append(pk)
    for route_pk, pks in plan.items():
        Transit.objects.filter(pk__in=pks, run__isnull=True, sent_at__isnull=True).update(run=runs[route_pk])
    return list(runs.values())


@transaction.atomic
def delivery_run_send(*, route: DeliveryRoute, day: dt.date, actor, via: str = "") -> tuple[DeliveryRun, int]:
    """The van of `route` took the copies waiting at the stops this staff member runs (every stop, for the
    county or the system): each is marked sent on the run of `day` (made if not planned yet)."""
    from wenyun.network.access import user_can_manage_unit

    from .selectors import route_for_transit, routes_stops

    routes, stops = routes_stops()
    order = [r.pk for r in routes]
    # The system (actor None) hands over at every stop; a person only at the stops he runs.
    here = [u for u in route.stops.all() if actor is None or user_can_manage_unit(actor, u)]
    if not here:
        raise Forbidden(
            _("You may not hand copies to the %(route)s van: none of its stops is your unit.")
            % {"route": route.name},
            code="unit_forbidden",
        )
    run, _created = DeliveryRun.objects.get_or_create(route=route, day=day)
    run = locks.run_lock(pk=run.pk)
    candidates = Transit.objects.filter(
        sent_at__isnull=True,
        received_at__isnull=True,
        cancelled_at__isnull=True,
        from_unit__in=here,
    ).filter(Q(run__isnull=True) | Q(run=run))
    pks = [
        pk
        for pk, from_id, to_id in candidates.values_list("pk", "from_unit_id", "to_unit_id")
        if route_for_transit(from_unit_id=from_id, to_unit_id=to_id, stops=stops, order=order) == route.pk
    ]
    now = timezone.now()
    transits = [t for t in locks.transits_lock(pks=pks) if t.sent_at is None and t.received_at is None]
    for transit in transits:
        transit.run, transit.sent_at = run, now
        transit.save(update_fields=["run", "sent_at"])
        _record(
            type=Type.TRANSIT_SENT,
            unit=transit.from_unit_id,
            actor=actor,
            via=via,
            at=now,
            item=transit.item,
            details={"transit": transit.pk, "run": run.pk, "to": transit.to_unit.code},
        )
    if run.sent_at is None and transits:
        run.sent_at = now
        run.save(update_fields=["sent_at"])
    return run, len(transits)


@transaction.atomic
def delivery_run_receive(*, run: DeliveryRun, at_unit: Unit, actor, via: str = "") -> list[CheckinResult]:
    """The van of this run brought its copies for `at_unit`: each is checked in here (and so received,
    then shelved, put on the hold shelf or sent on)."""
    _require_desk(actor, at_unit)
    pks = list(
        Transit.objects.filter(
            run=run, to_unit=at_unit, received_at__isnull=True, cancelled_at__isnull=True
        ).values_list("pk", flat=True)
    )
    results = []
    for transit in Transit.objects.filter(pk__in=pks).order_by("pk"):
        # The copy's lock first, as every check-in takes it; then the transit is read again under it.
        item = locks.item_lock(pk=transit.item_id)
        if Transit.objects.filter(
            pk=transit.pk, received_at__isnull=True, cancelled_at__isnull=True
        ).exists():
            results.append(loan_checkin(item=item, at_unit=at_unit, actor=actor, via=via))
    return results


@transaction.atomic
def transit_run_send(*, run: DeliveryRun, actor, via: str = "") -> int:
    """The van left: every transit on the run is marked sent."""
    now = timezone.now()
    run = DeliveryRun.objects.select_for_update().get(pk=run.pk)
    transits = list(
        Transit.objects.filter(run=run, sent_at__isnull=True, cancelled_at__isnull=True).select_related(
            "item"
        )
    )
    for transit in transits:
        _record(
            type=Type.TRANSIT_SENT,
            unit=transit.from_unit_id,
            actor=actor,
            via=via,
            at=now,
            item=transit.item,
            details={"transit": transit.pk, "run": run.pk},
        )
    Transit.objects.filter(pk__in=[t.pk for t in transits]).update(sent_at=now)
    run.sent_at = now
    run.save(update_fields=["sent_at"])
    return len(transits)


@transaction.atomic
def transit_send(*, transit: Transit, actor, via: str = "") -> Transit:
    now = timezone.now()
    transit = Transit.objects.select_for_update().get(pk=transit.pk)
    access.require_transit_scope(actor, from_unit=transit.from_unit)
    if transit.sent_at is None and transit.received_at is None and transit.cancelled_at is None:
        transit.sent_at = now
        transit.save(update_fields=["sent_at"])
        _record(
            type=Type.TRANSIT_SENT,
            unit=transit.from_unit_id,
            actor=actor,
            via=via,
            at=now,
            item=transit.item,
            details={"transit": transit.pk},
        )
    return transit


@transaction.atomic
def rule_save(*, actor, rule: CirculationRule | None = None, **fields) -> CirculationRule:
    """Add or change a row of the matrix (county administrators only)."""
    from wenyun.network.access import require_county_admin

    require_county_admin(actor)
    rule = rule or CirculationRule()
    for key, value in fields.items():
        setattr(rule, key, value)
    if rule.fee_per_day < 0 or rule.fee_cap < 0:
        raise DomainError(_("Fees cannot be negative."), code="rule_invalid")
    same = {"unit": rule.unit_id, "category": rule.category_id, "item_type": rule.item_type_id}
    clash = CirculationRule.objects.filter(
        **{(f"{k}__isnull" if v is None else f"{k}_id"): (True if v is None else v) for k, v in same.items()}
    ).exclude(pk=rule.pk)
    if clash.exists():
        raise DomainError(
            _("The matrix already has a row for this unit, category and item type."), code="rule_duplicate"
        )
    rule.save()
    return rule


@transaction.atomic
def rule_delete(*, actor, rule: CirculationRule) -> None:
    from wenyun.network.access import require_county_admin

    require_county_admin(actor)
    rule.delete()


def notices_due(*, today: dt.date | None = None) -> dict[str, int]:
    """Remind readers of loans due within the county's reminder days, and tell them of overdue ones.

    One notice per reader and kind and day: running it twice on a day sends nothing new.
    """
    today = today or timezone.localdate()
    conf = circ_settings()
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    already = set(
        Notice.objects.filter(
            created_at__gte=start, kind__in=[Notice.Kind.DUE_SOON, Notice.Kind.OVERDUE]
        ).values_list("reader_id", "kind")
    )
    open_loans = Loan.objects.filter(returned_at__isnull=True, lost=False, claimed_returned=False)
    plan: dict[tuple[int, str], list[Loan]] = {}
    soon = open_loans.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=conf.due_soon_days))
    for loan in soon.select_related("item__record", "reader"):
        plan.setdefault((loan.reader_id, Notice.Kind.DUE_SOON), []).append(loan)
    for loan in open_loans.filter(due_on__lt=today).select_related("item__record", "reader"):
        plan.setdefault((loan.reader_id, Notice.Kind.OVERDUE), []).append(loan)
    sent: dict[str, int] = {Notice.Kind.DUE_SOON: 0, Notice.Kind.OVERDUE: 0}
    for (reader_id, kind), loans in sorted(plan.items()):
        if (reader_id, kind) in already:
            continue
        titles = "、".join(f"《{loan.item.record.title}》" for loan in loans[:5])
        if kind == Notice.Kind.DUE_SOON:
            text = _("%(titles)s due on %(day)s; renew online or return at any unit.") % {
                "titles": titles,
                "day": min(loan.due_on for loan in loans).isoformat(),
            }
        else:
            text = _("%(titles)s overdue since %(day)s; please return at any unit.") % {
                "titles": titles,
                "day": min(loan.due_on for loan in loans).isoformat(),
            }
        notice_send(reader=loans[0].reader, kind=kind, text=text)
        sent[kind] += 1
    return {str(k): v for k, v in sent.items()}
