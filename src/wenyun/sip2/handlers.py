"""One sync function per SIP2 request: parse the fields, call one circulation service, render the answer.

Each handler takes the Session (the kiosk's account and unit, bound at login) and the parsed
Message and returns (response code, fixed fields, variable fields). Refusals come from the
services as DomainError and are shown to the reader as the service worded them (AF).
Every write goes through circulation with via="sip2:<kiosk account>", so it lands in the
circulation log with the kiosk's name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog.models import ItemStatus
from wenyun.catalog.selectors import item_by_barcode
from wenyun.circulation import selectors as circulation
from wenyun.core.errors import DomainError, NotFound

from . import codec
from .codec import Message
from .selectors import item_properties_of

if TYPE_CHECKING:
    from wenyun.circulation.models import Reader
    from wenyun.circulation.selectors import ReaderCounts

Answer = tuple[str, dict, dict]

CURRENCY = "CNY"
# What Block Patron (01) writes into the reader's block, so Patron Enable (25) lifts only kiosk blocks.
KIOSK_BLOCK_MARK = "[SIP2] "

# The response each request gets, for refusals of a request that could not be read.
RESPONSE_OF = {
    "23": "24", "63": "64", "11": "12", "09": "10", "29": "30", "65": "66", "17": "18",
    "35": "36", "37": "38", "15": "16", "01": "24", "25": "26", "19": "20",
}  # fmt: skip

# SIP2 media types (CK) by the catalogue's item type codes; anything else is "other".
MEDIA_TYPES = {"book": "001", "periodical": "002", "magazine": "002", "av": "006", "cd": "006", "dvd": "006"}

# SIP2 circulation status (Item Information) by the catalogue's item status.
CIRCULATION_STATUS = {
    ItemStatus.AVAILABLE: "03",
    ItemStatus.ON_LOAN: "04",
    ItemStatus.IN_TRANSIT: "10",
    ItemStatus.ON_HOLD_SHELF: "08",
    ItemStatus.LOST: "12",
    ItemStatus.MISSING: "13",
    ItemStatus.DAMAGED: "01",
    ItemStatus.WITHDRAWN: "01",
    ItemStatus.PROCESSING: "06",
}


# ------------------------------------------------------------------------------------------ helpers


def _now() -> dt.datetime:
    return timezone.now()


def _stamp() -> str:
    return codec.sip_datetime(_now())


def _due(day: dt.date | None) -> str | None:
    if day is None:
        return None
    return day.strftime("%Y%m%d") + "    235959"


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _unit(session):
    return session.account.unit


def _via(session) -> str:
    return session.account.channel


def _institution(session, message: Message) -> str:
    return message.get("AO") or session.account.institution


def _media_type(item) -> str:
    return MEDIA_TYPES.get(item.item_type.code.lower(), "000")


def _reader(card: str) -> Reader:
    """The reader, or NotFound worded by circulation."""
    return circulation.reader_by_card(card=card)


def _item(barcode: str):
    """The copy, or NotFound worded by the catalogue (the answer is then a refusal naming the barcode)."""
    return item_by_barcode(barcode=barcode)


def _pin_given(message: Message) -> bool:
    return message.has("AD") and message.get("AD") != ""


def _pin_proof(session, card: str, pin: str) -> bytes:
    key = session.state.setdefault("key", secrets.token_bytes(16))
    return hmac.new(key, f"{card}\x00{pin}".encode(), hashlib.sha256).digest()


def pin_accepted(session, card: str, pin: str) -> bool:
    """Whether this session already accepted this card's PIN (no hash to check, no database)."""
    accepted = session.state.get("patron")
    return bool(pin) and accepted is not None and accepted[0] == _pin_proof(session, card, pin)


def _pin_problem(session, reader, message: Message) -> str | None:
    """None when the PIN is the reader's, else the sentence saying why not.

    The check (and the lockout after repeated wrong PINs) is `patron_pin_verify`; a PIN it accepted
    stays accepted for the rest of this reader's session at this kiosk (until End Patron Session,
    another card, or a changed PIN), so a patron session pays for one password-hash check, not one
    per message."""
    from .services import patron_pin_verify

    pin = message.get("AD")
    proof = _pin_proof(session, reader.card, pin)
    accepted = session.state.get("patron")
    if pin and accepted == (proof, reader.pk, reader.pin_hash):
        return None
    session.state["patron"] = None
    if session.state.get("pin_refused") == (proof, reader.pk, reader.pin_hash):
        # Refused a moment ago in this message (the refusal says CQ N): not counted twice.
        return _("The PIN is wrong.")
    try:
        ok = patron_pin_verify(reader=reader, pin=pin, peer=session.peer)
    except DomainError as exc:
        session.state["pin_refused"] = (proof, reader.pk, reader.pin_hash)
        return exc.message
    if not ok:
        session.state["pin_refused"] = (proof, reader.pk, reader.pin_hash)
        return _("The PIN is wrong.")
    session.state["patron"] = (proof, reader.pk, reader.pin_hash)
    session.state.pop("pin_refused", None)
    return None


def _patron_validity(session, message: Message) -> dict[str, str]:
    """BL (a card we know) and, where the kiosk sent a PIN, CQ (the PIN is the card's): what a kiosk reads
    from every Checkout Response, refusals included, to tell the reader which of the two is wrong."""
    card = message.get("AA").strip()
    reader: Reader | None = None
    if card:
        try:
            reader = _reader(card)
        except NotFound:
            reader = None
    fields = {"BL": codec.flag(reader is not None)}
    # An offline (no block) checkout is what the kiosk already did: its PIN is not checked now.
    if _pin_given(message) and message.fixed.get("no_block") != "Y":
        fields["CQ"] = codec.flag(reader is not None and _pin_problem(session, reader, message) is None)
    return fields


def _identify(session, message: Message, *, offline: bool = False) -> tuple[Reader | None, str | None]:
    """The reader the message names, or None and the sentence saying why he cannot be served.

    `offline`: the kiosk reports what it did while it could not reach us; it decided then, so no PIN
    is asked for or checked now (nor counted against the card)."""
    card = message.get("AA").strip()
    if not card:
        return None, _("No reader card was read.")
    try:
        reader = _reader(card)
    except NotFound as exc:
        return None, exc.message
    if offline:
        return reader, None
    if _pin_given(message):
        problem = _pin_problem(session, reader, message)
        if problem is not None:
            return None, problem
    elif session.account.patron_pin_required:
        return None, _("Enter the PIN of card %(card)s.") % {"card": card}
    return reader, None


PATRON_STATUS_POSITIONS = {
    "card_lost": [4],
    "too_many_overdue": [6],
    "fees_over_limit": [10, 11],
}


def _patron_status(status) -> str:
    """The 14 Y/space flags of SIP2 patron status; any block denies charging, renewing, recalls and holds."""
    flags = [" "] * 14
    if status is None:
        return "Y" * 14
    if status.blocks:
        # charge, renewal, recall and hold privileges denied (positions 0-3)
        flags[0] = flags[1] = flags[2] = flags[3] = "Y"
    for block in status.blocks:
        for position in PATRON_STATUS_POSITIONS.get(block.code, []):
            flags[position] = "Y"
    return "".join(flags)


def _status_of(reader, counts: ReaderCounts | None = None):
    """Circulation's ReaderStatus: the reader's counts (or those already read) and the blocks on them."""
    from wenyun.circulation.services import reader_status

    return reader_status(reader=reader, today=timezone.localdate(), counts=counts)


def _patron_fields(session, message: Message, reader, status, *, pin_checked: bool) -> dict:
    fields: dict[str, object] = {
        "AO": _institution(session, message),
        "AA": message.get("AA"),
        "AE": reader.name if reader is not None else "",
        "BL": codec.flag(reader is not None),
    }
    if pin_checked:
        fields["CQ"] = codec.flag(reader is not None and _pin_problem(session, reader, message) is None)
    if status is not None:
        fields["BH"] = CURRENCY
        fields["BV"] = _money(status.fees_owed)
        if status.blocks:
            fields["AF"] = [block.message for block in status.blocks]
    return fields


def refusal(session, message: Message, text: str) -> Answer:
    """The answer to a request that cannot be carried out, in the shape its response code needs."""
    code = RESPONSE_OF.get(message.code, "96")
    stamp = _stamp()
    fixed: dict[str, str]
    if code in ("24", "26"):
        fixed = {
            "patron_status": "Y" * 14,
            "language": message.fixed.get("language", "000"),
            "transaction_date": stamp,
        }
        if code == "24" and "language" not in message.fixed:
            fixed["language"] = "000"
        return (
            code,
            fixed,
            {"AO": _institution(session, message), "AA": message.get("AA"), "AE": "", "BL": "N", "AF": text},
        )
    if code == "64":
        fixed = {
            "patron_status": "Y" * 14,
            "language": message.fixed.get("language", "000"),
            "transaction_date": stamp,
            **{k: "0000" for k in (
                "hold_items_count", "overdue_items_count", "charged_items_count",
                "fine_items_count", "recall_items_count", "unavailable_holds_count",
            )},
        }  # fmt: skip
        return (
            code,
            fixed,
            {"AO": _institution(session, message), "AA": message.get("AA"), "AE": "", "BL": "N", "AF": text},
        )
    if code in ("12", "30"):
        fixed = {
            "ok": "0",
            "renewal_ok": "N",
            "magnetic_media": "U",
            "desensitize": "N",
            "transaction_date": stamp,
        }
        fields = {
            "AO": _institution(session, message),
            "AA": message.get("AA"),
            "AB": message.get("AB"),
            "AJ": "",
            "AH": "",
            "AF": text,
        }
        if code == "12":
            fields.update(_patron_validity(session, message))
        return code, fixed, fields
    if code == "10":
        fixed = {
            "ok": "0",
            "resensitize": "N",
            "magnetic_media": "U",
            "alert": "Y",
            "transaction_date": stamp,
        }
        return (
            code,
            fixed,
            {"AO": _institution(session, message), "AB": message.get("AB"), "AQ": "", "AJ": "", "AF": text},
        )
    if code == "66":
        fixed = {"ok": "0", "renewed_count": "0000", "unrenewed_count": "0000", "transaction_date": stamp}
        return code, fixed, {"AO": _institution(session, message), "AF": text}
    if code == "18":
        fixed = {
            "circulation_status": "01",
            "security_marker": "00",
            "fee_type": "01",
            "transaction_date": stamp,
        }
        return code, fixed, {"AB": message.get("AB"), "AJ": "", "AF": text}
    if code == "36":
        return (
            code,
            {"end_session": "N", "transaction_date": stamp},
            {
                "AO": _institution(session, message),
                "AA": message.get("AA"),
                "AF": text,
            },
        )
    if code == "38":
        return (
            code,
            {"payment_accepted": "N", "transaction_date": stamp},
            {
                "AO": _institution(session, message),
                "AA": message.get("AA"),
                "AF": text,
            },
        )
    if code == "16":
        return (
            code,
            {"ok": "0", "available": "N", "transaction_date": stamp},
            {
                "AO": _institution(session, message),
                "AA": message.get("AA"),
                "AF": text,
            },
        )
    if code == "20":
        return (
            code,
            {"item_properties_ok": "0", "transaction_date": stamp},
            {"AB": message.get("AB"), "AF": text},
        )
    return "96", {}, {}


# ------------------------------------------------------------------------------------ patron reads


def patron_status(session, message: Message) -> Answer:
    """23 → 24: is this a reader, is the PIN right, may he borrow (and why not)."""
    reader: Reader | None
    try:
        reader = _reader(message.get("AA").strip())
    except NotFound as exc:
        reader, missing = None, exc.message
    status = _status_of(reader) if reader is not None else None
    fields = _patron_fields(session, message, reader, status, pin_checked=_pin_given(message))
    if reader is None:
        fields["AF"] = missing
    fixed = {
        "patron_status": _patron_status(status),
        "language": message.fixed["language"],
        "transaction_date": _stamp(),
    }
    return "24", fixed, fields


def _window(message: Message, items: list[str]) -> list[str]:
    """BP..BQ (1-based, inclusive) of the list the kiosk asked for; the whole list when absent."""
    try:
        start = int(message.get("BP") or 1)
        end = int(message.get("BQ") or len(items))
    except ValueError:
        start, end = 1, len(items)
    start = max(start, 1)
    return items[start - 1 : max(end, start - 1)]


def patron_information(session, message: Message) -> Answer:
    """63 → 64: the reader's counts, and the one list the summary field asks for."""
    reader, problem = _identify(session, message)
    if reader is None:
        return refusal(session, message, problem or "")
    today = timezone.localdate()
    counts = circulation.reader_counts(reader=reader, today=today)
    status = _status_of(reader, counts)
    fixed = {
        "patron_status": _patron_status(status),
        "language": message.fixed["language"],
        "transaction_date": _stamp(),
        "hold_items_count": codec.count(counts.holds_ready),
        "overdue_items_count": codec.count(counts.overdue),
        "charged_items_count": codec.count(counts.loans),
        "fine_items_count": codec.count(counts.fees),
        "recall_items_count": codec.count(0),
        "unavailable_holds_count": codec.count(counts.holds - counts.holds_ready),
    }
    fields = _patron_fields(session, message, reader, status, pin_checked=_pin_given(message))
    # The one list the summary asks for (a kiosk asks for at most one at a time).
    wanted = message.fixed["summary"].find("Y")
    if wanted in (0, 5):
        holds = list(circulation.reader_holds(reader=reader))
        if wanted == 0:
            ready = [
                h.target.barcode if h.target else h.record.title
                for h in holds
                if h.status == circulation.HoldStatus.READY
            ]
            fields["AS"] = _window(message, ready)
        else:
            fields["CD"] = _window(
                message, [h.record.title for h in holds if h.status != circulation.HoldStatus.READY]
            )
    elif wanted in (1, 2):
        loans = list(circulation.reader_loans(reader=reader))
        if wanted == 1:
            loans = [
                loan for loan in loans if loan.due_on < today and not loan.lost and not loan.claimed_returned
            ]
            fields["AT"] = _window(message, [loan.item.barcode for loan in loans])
        else:
            fields["AU"] = _window(message, [loan.item.barcode for loan in loans])
    elif wanted == 3:
        fields["AV"] = _window(
            message,
            [
                f"{_money(fee.balance)} {fee.get_kind_display()}"
                + (f" {fee.loan.item.barcode}" if fee.loan is not None else "")
                for fee in circulation.reader_fees(reader=reader, oldest_first=True)
            ],
        )
    return "64", fixed, fields


def end_patron_session(session, message: Message) -> Answer:
    """35 → 36: the reader walked away; nothing is kept about him in this connection."""
    session.state.pop("patron", None)
    return (
        "36",
        {"end_session": "Y", "transaction_date": _stamp()},
        {
            "AO": _institution(session, message),
            "AA": message.get("AA"),
        },
    )


# ---------------------------------------------------------------------------------------- lending


def _checkout_fields(session, message: Message, item, loan) -> dict:
    return {
        "AO": _institution(session, message),
        "AA": message.get("AA"),
        "AB": item.barcode,
        "AJ": item.record.title,
        "AH": _due(loan.due_on),
        "CK": _media_type(item),
    }


def checkout(session, message: Message) -> Answer:
    """11 → 12: lend the copy at the kiosk's unit (or renew it, if the reader already has it and the
    kiosk allows renewal through checkout)."""
    from wenyun.circulation.services import loan_checkout, loan_renew

    if message.get("BI") == "Y":
        return refusal(
            session, message, _("Cancelling a check-in from a kiosk is not supported; ask at the desk.")
        )
    offline = message.fixed["no_block"] == "Y"
    reader, problem = _identify(session, message, offline=offline)
    if reader is None:
        return refusal(session, message, problem or "")
    item = _item(message.get("AB").strip())
    current = (
        circulation.item_open_loan(item=item)
        if message.fixed["sc_renewal_policy"] == "Y" and not offline
        else None
    )
    renewing = current is not None and current.reader_id == reader.pk
    try:
        if renewing:
            assert current is not None
            loan = loan_renew(loan=current, actor=None, via=_via(session))
        elif offline:
            loan = loan_checkout(
                reader=reader,
                item=item,
                at_unit=_unit(session),
                actor=None,
                via=_via(session),
                offline_at=_kiosk_moment(message.fixed["transaction_date"], OFFLINE_DAYS) or _now(),
                due_on=_kiosk_day(message.fixed["nb_due_date"]),
            )
        else:
            loan = loan_checkout(
                reader=reader, item=item, at_unit=_unit(session), actor=None, via=_via(session)
            )
    except DomainError as exc:
        answer = refusal(session, message, exc.message)
        answer[2]["AJ"] = item.record.title
        return answer
    fixed = {
        "ok": "1",
        "renewal_ok": codec.flag(renewing),
        "magnetic_media": "N",
        "desensitize": "Y",
        "transaction_date": _stamp(),
    }
    fields = _checkout_fields(session, message, item, loan)
    fields["BL"] = "Y"
    if _pin_given(message) and not offline:
        fields["CQ"] = "Y"  # _identify accepted it
    fields["AF"] = _("Due back on %(day)s.") % {"day": loan.due_on.isoformat()}
    return "12", fixed, fields


ALERT_TYPES = {"hold_shelf": "01", "hold_transit": "02", "transit": "04"}


# How far back a kiosk's own date is believed: a return date on any check-in, and the transaction
# date of a no-block (offline) check-out or check-in, which a kiosk sends when it is back online.
RETURN_DAYS = 7
OFFLINE_DAYS = 30


def _kiosk_moment(raw: str, days: int) -> dt.datetime | None:
    """A SIP2 date (YYYYMMDDZZZZHHMMSS, local time) when it is believable: not in the future, not
    older than `days`; None otherwise, and the moment the message arrives is used instead."""
    raw = raw.strip()
    if not raw:
        return None
    try:
        moment = dt.datetime.strptime(raw[:8] + raw[-6:], "%Y%m%d%H%M%S")
    except ValueError:
        return None
    moment = timezone.make_aware(moment) if timezone.is_naive(moment) else moment
    now = _now()
    if moment > now or now - moment > dt.timedelta(days=days):
        return None
    return moment


def _kiosk_day(raw: str) -> dt.date | None:
    """The due date an offline kiosk gave the reader (YYYYMMDD...), or None for the rule's own."""
    try:
        return dt.datetime.strptime(raw.strip()[:8], "%Y%m%d").date()
    except ValueError:
        return None


def checkin(session, message: Message) -> Answer:
    """09 → 10: take the copy back at the kiosk's unit and say where it goes: CV 01 local hold, 02 hold
    elsewhere, 04 another unit, the destination unit's code in CT."""
    from wenyun.circulation.services import loan_checkin

    item = _item(message.get("AB").strip())
    offline = message.fixed["no_block"] == "Y"
    returned = _kiosk_moment(message.fixed["return_date"], OFFLINE_DAYS if offline else RETURN_DAYS)
    try:
        if offline:
            result = loan_checkin(
                item=item,
                at_unit=_unit(session),
                actor=None,
                via=_via(session),
                offline_at=returned or _now(),
            )
        else:
            result = loan_checkin(
                item=item, at_unit=_unit(session), actor=None, via=_via(session), at=returned
            )
    except DomainError as exc:
        answer = refusal(session, message, exc.message)
        answer[2]["AJ"] = item.record.title
        return answer
    here = _unit(session)
    alert_key = "hold_transit" if result.action == "transit" and result.hold is not None else result.action
    alert_type = ALERT_TYPES.get(alert_key)
    fixed = {
        "ok": "1",
        "resensitize": codec.flag(alert_type is None),
        "magnetic_media": "N",
        "alert": codec.flag(alert_type is not None or bool(result.messages)),
        "transaction_date": _stamp(),
    }
    fields: dict[str, object] = {
        "AO": _institution(session, message),
        "AB": item.barcode,
        "AQ": item.home_unit.code,
        "AJ": item.record.title,
        "CK": _media_type(item),
    }
    if result.loan is not None:
        fields["AA"] = result.loan.reader.card
    if alert_type is not None:
        fields["CV"] = alert_type
        fields["CT"] = result.unit.code
    screen: list[str] = list(result.messages)
    if result.action == "hold_shelf":
        screen.append(_("Put it on the hold shelf here: a reader is waiting for it."))
    elif result.action == "transit" and result.hold is not None:
        screen.append(
            _("A reader is waiting for it at %(unit)s (%(code)s): send it there.")
            % {"unit": result.unit.name, "code": result.unit.code}
        )
    elif result.action == "transit":
        screen.append(
            _("Send it to %(unit)s (%(code)s).") % {"unit": result.unit.name, "code": result.unit.code}
        )
    else:
        screen.append(_("Thank you: it goes back on the shelf at %(unit)s.") % {"unit": here.name})
    if result.fee is not None:
        fields["BT"] = "01"
        fields["BH"] = CURRENCY
        fields["BV"] = _money(result.fee.amount)
    fields["AF"] = screen
    if alert_type is not None:
        # The routing slip a book drop or sorter prints.
        fields["AG"] = f"{item.barcode} → {result.unit.code} {result.unit.name}"
    return "10", fixed, fields


def renew(session, message: Message) -> Answer:
    """29 → 30: renew one copy the reader has on loan."""
    from wenyun.circulation.services import loan_renew

    reader, problem = _identify(session, message)
    if reader is None:
        return refusal(session, message, problem or "")
    item = _item(message.get("AB").strip())
    loan = circulation.item_open_loan(item=item)
    if loan is None or loan.reader_id != reader.pk:
        return refusal(
            session,
            message,
            _("%(barcode)s is not on loan to card %(card)s.")
            % {"barcode": item.barcode, "card": reader.card},
        )
    try:
        loan = loan_renew(loan=loan, actor=None, via=_via(session))
    except DomainError as exc:
        answer = refusal(session, message, exc.message)
        answer[2]["AJ"] = item.record.title
        answer[2]["AH"] = _due(loan.due_on)
        return answer
    fixed = {
        "ok": "1",
        "renewal_ok": "Y",
        "magnetic_media": "N",
        "desensitize": "Y",
        "transaction_date": _stamp(),
    }
    fields = _checkout_fields(session, message, item, loan)
    fields["AF"] = _("Renewed: due back on %(day)s.") % {"day": loan.due_on.isoformat()}
    return "30", fixed, fields


def renew_all(session, message: Message) -> Answer:
    """65 → 66: renew every loan the reader has; the answer lists the renewed and the refused copies."""
    from wenyun.circulation.services import loan_renew_all

    reader, problem = _identify(session, message)
    if reader is None:
        return refusal(session, message, problem or "")
    results = loan_renew_all(reader=reader, actor=None, via=_via(session))
    renewed = [loan.item.barcode for loan, error in results if error is None]
    refused = [(loan.item.barcode, error) for loan, error in results if error is not None]
    fixed = {
        "ok": "1",
        "renewed_count": codec.count(len(renewed)),
        "unrenewed_count": codec.count(len(refused)),
        "transaction_date": _stamp(),
    }
    fields: dict[str, object] = {
        "AO": _institution(session, message),
        "BM": renewed,
        "BN": [barcode for barcode, _error in refused],
        "AF": [f"{barcode}: {error.message}" for barcode, error in refused if error is not None]
        or [_("%(count)d items renewed.") % {"count": len(renewed)}],
    }
    return "66", fixed, fields


def item_information(session, message: Message) -> Answer:
    """17 → 18: what the copy is, where it belongs, where it is, when it is due."""
    item = _item(message.get("AB").strip())
    fixed = {
        "circulation_status": CIRCULATION_STATUS.get(item.status, "01"),
        "security_marker": "00",
        "fee_type": "01",
        "transaction_date": _stamp(),
    }
    fields: dict[str, object] = {
        "AB": item.barcode,
        "AJ": item.record.title,
        "CF": str(circulation.hold_queue_length(item=item)),
        "AQ": item.home_unit.code,
        "AP": item.current_unit.code,
        "CK": _media_type(item),
    }
    if item.call_number or item.record.call_number:
        fields["CS"] = item.call_number or item.record.call_number
    loan = circulation.item_open_loan(item=item)
    if loan is not None:
        fields["AH"] = _due(loan.due_on)
    properties = item_properties_of(item_id=item.pk)
    if properties:
        fields["CH"] = properties
    fields["AF"] = item.get_status_display()
    return "18", fixed, fields


# ------------------------------------------------------------------------------------------- fees


def fee_paid(session, message: Message) -> Answer:
    """37 → 38: a payment at the kiosk: toward the fee named in CG, or the oldest fees first; less than
    is owed pays part. The answer says what is still owed (BV)."""
    from .services import patron_fees_pay

    reader, problem = _identify(session, message)
    if reader is None:
        return refusal(session, message, problem or "")

    def refused(text: str) -> Answer:
        answer = refusal(session, message, text)
        answer[2]["BH"] = CURRENCY
        answer[2]["BV"] = _money(_status_of(reader).fees_owed)
        return answer

    currency = message.fixed["currency_type"].strip()
    if currency and currency != CURRENCY:
        return refused(_("Fees are paid in %(currency)s.") % {"currency": CURRENCY})
    try:
        amount = Decimal(message.get("BV").strip())
    except InvalidOperation:
        return refused(_("The amount paid %(amount)r is not a number.") % {"amount": message.get("BV")})
    try:
        paid, owed = patron_fees_pay(
            reader=reader, amount=amount, account=session.account, fee_id=message.get("CG").strip()
        )
    except DomainError as exc:
        return refused(exc.message)
    fields = {
        "AO": _institution(session, message),
        "AA": reader.card,
        "BK": message.get("BK") or None,
        "BH": CURRENCY,
        "BV": _money(owed),
        "AF": (
            _("Paid %(amount)s yuan; %(owed)s yuan is still owed.")
            if owed > 0
            else _("Paid %(amount)s yuan. Thank you.")
        )
        % {"amount": _money(paid), "owed": _money(owed)},
    }
    return "38", {"payment_accepted": "Y", "transaction_date": _stamp()}, fields


# ------------------------------------------------------------------------------------------ holds


def hold(session, message: Message) -> Answer:
    """15 → 16: place (+) or cancel (-) a hold on a copy (AB) or its title, collected at BS (a unit code)
    or at the kiosk's unit."""
    from wenyun.circulation.services import hold_cancel, hold_place
    from wenyun.network.selectors import unit_get

    mode = message.fixed["hold_mode"]
    if mode not in "+-*":
        return refusal(session, message, _("The hold mode must be +, - or *."))
    reader, problem = _identify(session, message)
    if reader is None:
        return refusal(session, message, problem or "")
    item = _item(message.get("AB").strip())
    pickup = _unit(session)
    if message.get("BS").strip():
        try:
            pickup = unit_get(code=message.get("BS").strip())
        except NotFound as exc:
            return refusal(session, message, exc.message)
    fields: dict[str, object] = {
        "AO": _institution(session, message),
        "AA": reader.card,
        "AB": item.barcode,
        "AJ": item.record.title,
    }
    mine = [h for h in circulation.reader_holds(reader=reader) if h.record_id == item.record_id]
    try:
        if mode == "-":
            if not mine:
                return refusal(
                    session,
                    message,
                    _("Card %(card)s has no hold on %(title)s.")
                    % {"card": reader.card, "title": item.record.title},
                )
            hold_cancel(hold=mine[0], actor=None, via=_via(session))
            fields["AF"] = _("The hold is cancelled.")
            return "16", {"ok": "1", "available": "N", "transaction_date": _stamp()}, fields
        if mode == "*" and mine:
            hold_cancel(hold=mine[0], actor=None, via=_via(session))
        placed = hold_place(
            reader=reader, pickup_unit=pickup, actor=None, record=item.record, via=_via(session)
        )
    except DomainError as exc:
        answer = refusal(session, message, exc.message)
        answer[2].update(fields)
        answer[2]["AF"] = exc.message
        return answer
    fields["BR"] = str(circulation.hold_position(hold=placed))
    fields["BS"] = pickup.code
    fields["AF"] = _("The hold is placed; collect it at %(unit)s.") % {"unit": pickup.name}
    available = item.status == ItemStatus.AVAILABLE
    return "16", {"ok": "1", "available": codec.flag(available), "transaction_date": _stamp()}, fields


# ---------------------------------------------------------------------------------------- blocks


def block_patron(session, message: Message) -> Answer:
    """01 → 24: the kiosk saw tampering or kept a forgotten card; the card is blocked until staff or
    a Patron Enable lifts it."""
    from wenyun.circulation.services import reader_block

    reader = _reader(message.get("AA").strip())
    reason = message.get("AL").strip() or _("blocked by a kiosk")
    if message.fixed["card_retained"] == "Y":
        reason = _("%(reason)s (the kiosk kept the card)") % {"reason": reason}
    reader = reader_block(
        actor=None,
        reader=reader,
        reason=f"{KIOSK_BLOCK_MARK}{session.account.name}: {reason}",
        via=_via(session),
    )
    status = _status_of(reader)
    fields = _patron_fields(session, message, reader, status, pin_checked=False)
    fixed = {"patron_status": _patron_status(status), "language": "000", "transaction_date": _stamp()}
    return "24", fixed, fields


def patron_enable(session, message: Message) -> Answer:
    """25 → 26: lift a block a kiosk placed. A block staff placed stays: only the desk lifts it."""
    from wenyun.circulation.services import reader_unblock

    reader, problem = _identify(session, message)
    if reader is None:
        return refusal(session, message, problem or "")
    if reader.manual_block and not reader.manual_block.startswith(KIOSK_BLOCK_MARK):
        return refusal(
            session, message, _("This card was blocked at the desk; only staff can lift the block.")
        )
    reader = reader_unblock(actor=None, reader=reader, via=_via(session))
    status = _status_of(reader)
    fields = _patron_fields(session, message, reader, status, pin_checked=_pin_given(message))
    fixed = {"patron_status": _patron_status(status), "language": "000", "transaction_date": _stamp()}
    return "26", fixed, fields


def item_status_update(session, message: Message) -> Answer:
    """19 → 20: store the kiosk's item properties (CH) for the copy, given back by Item Information.
    Only that note: the copy's status, place and description stay the catalogue's and circulation's."""
    from .services import item_properties_set

    item = _item(message.get("AB").strip())
    try:
        stored = item_properties_set(item=item, properties=message.get("CH"), account=session.account)
    except DomainError as exc:
        answer = refusal(session, message, exc.message)
        answer[2]["AJ"] = item.record.title
        return answer
    return (
        "20",
        {"item_properties_ok": "1", "transaction_date": _stamp()},
        {
            "AB": item.barcode,
            "AJ": item.record.title,
            "CH": stored.properties,
            "AF": _("The item properties are stored."),
        },
    )


HANDLERS: dict[str, Callable[..., Answer]] = {
    "23": patron_status,
    "63": patron_information,
    "11": checkout,
    "09": checkin,
    "29": renew,
    "65": renew_all,
    "17": item_information,
    "35": end_patron_session,
    "37": fee_paid,
    "15": hold,
    "01": block_patron,
    "25": patron_enable,
    "19": item_status_update,
}

# Fields without which a request cannot be understood at all.
REQUIRED = {
    "23": ["AA"], "63": ["AA"], "11": ["AA", "AB"], "09": ["AB"], "29": ["AA", "AB"], "65": ["AA"],
    "17": ["AB"], "35": ["AA"], "37": ["AA", "BV"], "15": ["AA", "AB"], "01": ["AA"], "25": ["AA"], "19": ["AB"],
}  # fmt: skip


def dispatch(session, message: Message) -> Answer:
    handler = HANDLERS.get(message.code)
    if handler is None:
        return "96", {}, {}
    missing = [fid for fid in REQUIRED.get(message.code, []) if not message.get(fid).strip()]
    if missing:
        return refusal(
            session, message, _("The request has no %(fields)s field.") % {"fields": ", ".join(missing)}
        )
    return handler(session, message)
