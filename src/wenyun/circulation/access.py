"""Who may find, see and change which readers, loans, holds and fees (PIPL: the minimum necessary).

Borrow anywhere: any staff member finds a reader by the exact card (the card is presented), and lends,
takes back, renews and takes payment for every reader at every unit. The rest is for the staff of
the unit the thing belongs to, or the county: searching readers by name, phone or identity number
(the readers whose home unit lies in the staff member's subtree), seeing a reader's whole phone, and
the consequential actions (declare lost, claim returned, block, waive, cancel a hold, edit a reader),
allowed where the loan's lending unit, the reader's home unit, the fee's unit or the hold's pickup
unit lies in the subtree.

A kiosk or the system acts with no staff actor (None) and is not limited here; a reader acting on
his own account through the portal may touch only what is his.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import Forbidden
from wenyun.network.access import user_can_manage_unit
from wenyun.network.models import Unit

from .models import Fee, Hold, Loan, Reader, ReaderAccess


def _is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff_member", False))


def _sees_all(user) -> bool:
    return bool(user.is_county_admin or (user.is_superuser and user.unit_id is None))


def _in_subtree(user, *units: Unit | None) -> bool:
    return any(unit is not None and user_can_manage_unit(user, unit) for unit in units)


def readers_in_scope(user) -> Q:
    """The readers whose home unit lies in the staff member's subtree (all, for the county)."""
    if not _is_staff(user):
        return Q(pk__in=[])
    if _sees_all(user):
        return Q()
    if user.unit_id is None:
        return Q(pk__in=[])
    return Q(home_unit__path__startswith=user.unit.path)


def reader_in_scope(user, reader: Reader) -> bool:
    return _is_staff(user) and (_sees_all(user) or _in_subtree(user, reader.home_unit))


def phone_masked(phone: str) -> str:
    """138****1234: enough for the reader to recognise his number, not enough to call it."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    keep = 3 if len(digits) >= 11 else 0
    return digits[:keep] + "*" * (len(digits) - keep - 4) + digits[-4:]


def card_masked(card: str) -> str:
    """YX****00: which card it was is for the reader's own unit to know."""
    if len(card) <= 4:
        return "*" * len(card)
    return card[:2] + "*" * (len(card) - 4) + card[-2:]


def reader_phone_for(user, reader: Reader) -> str:
    """The reader's phone as this staff member may see it: whole within the subtree, masked outside."""
    if not reader.phone or reader_in_scope(user, reader):
        return reader.phone
    return phone_masked(reader.phone)


# ---------------------------------------------------------------- consequential actions


def _refused(message: str, code: str) -> Forbidden:
    return Forbidden(message, code=code)


def _own_account(actor, reader: Reader) -> bool:
    return getattr(actor, "pk", None) is not None and reader.account_id == actor.pk


def _limited(actor) -> bool:
    """False for a kiosk or the system (no actor) and for the county; True for everyone else."""
    if actor is None:
        return False
    return not (_is_staff(actor) and _sees_all(actor))


def may_change_reader(actor, reader: Reader) -> bool:
    return not _limited(actor) or (_is_staff(actor) and _in_subtree(actor, reader.home_unit))


def may_change_loan(actor, loan: Loan) -> bool:
    return not _limited(actor) or (
        _is_staff(actor) and _in_subtree(actor, loan.lending_unit, loan.reader.home_unit)
    )


def may_waive_fee(actor, fee: Fee) -> bool:
    lending = fee.loan.lending_unit if fee.loan is not None else None
    return not _limited(actor) or (
        _is_staff(actor) and _in_subtree(actor, fee.unit, lending, fee.reader.home_unit)
    )


def may_cancel_hold(actor, hold: Hold) -> bool:
    if actor is None or _own_account(actor, hold.reader):
        return True
    return _is_staff(actor) and (
        _sees_all(actor) or _in_subtree(actor, hold.pickup_unit, hold.reader.home_unit)
    )


def require_reader_scope(actor, reader: Reader, *, action: str) -> None:
    """`action`: "block" (block or unblock) or "edit"."""
    if may_change_reader(actor, reader):
        return
    if action == "block":
        message = _(
            "This reader belongs to %(unit)s; only its staff or the county can block or unblock the card."
        )
    else:
        message = _(
            "This reader belongs to %(unit)s; only its staff or the county can change the reader's details."
        )
    raise _refused(message % {"unit": reader.home_unit.name}, "reader_forbidden")


def require_loan_scope(actor, loan: Loan, *, action: str) -> None:
    """`action`: "lost" or "claim_returned". The lending unit's staff, or the reader's home unit's."""
    if may_change_loan(actor, loan):
        return
    if action == "lost":
        message = _("This loan belongs to %(unit)s; only its staff or the county can mark it lost.")
    else:
        message = _(
            "This loan belongs to %(unit)s; only its staff or the county can record it as claimed returned."
        )
    raise _refused(message % {"unit": loan.lending_unit.name}, "loan_forbidden")


def require_item_scope(actor, *, home_unit: Unit, current_unit: Unit | None) -> None:
    """Declaring a copy lost that is not on loan: the staff of its home unit or of where it stands."""
    if not _limited(actor) or (_is_staff(actor) and _in_subtree(actor, home_unit, current_unit)):
        return
    raise _refused(
        _("This copy belongs to %(unit)s; only its staff or the county can mark it lost.")
        % {"unit": home_unit.name},
        "item_forbidden",
    )


def require_fee_scope(actor, fee: Fee, *, action: str = "waive") -> None:
    """Waiving: the staff of the unit that charged it, the loan's lending unit or the reader's home unit."""
    if may_waive_fee(actor, fee):
        return
    raise _refused(
        _("This fee was charged at %(unit)s; only its staff or the county can waive it.")
        % {"unit": fee.unit.name},
        "fee_forbidden",
    )


def require_hold_scope(actor, hold: Hold) -> None:
    """Cancelling: the reader himself, the pickup unit's staff or the reader's home unit's."""
    if may_cancel_hold(actor, hold):
        return
    raise _refused(
        _(
            "This hold is to be collected at %(unit)s; only its staff, the reader's home unit or the county "
            "can cancel it."
        )
        % {"unit": hold.pickup_unit.name},
        "hold_forbidden",
    )


def require_transit_scope(actor, *, from_unit: Unit) -> None:
    """Handing a copy to the van: the staff of the unit it leaves from."""
    if not _limited(actor) or (_is_staff(actor) and _in_subtree(actor, from_unit)):
        return
    raise _refused(
        _("This copy waits at %(unit)s; only its staff or the county can hand it to the van.")
        % {"unit": from_unit.name},
        "transit_forbidden",
    )


def require_desk_record_scope(actor, *, unit: Unit, reader: Reader | None, what: str) -> None:
    """A routing slip or a payment receipt: the staff of the desk that made it, or of the reader's home.
    `what`: "slip" or "receipt"."""
    home = reader.home_unit if reader is not None else None
    if not _limited(actor) or (_is_staff(actor) and _in_subtree(actor, unit, home)):
        return
    if what == "slip":
        message = _("This routing slip was printed at %(unit)s; only its staff or the county can open it.")
    else:
        message = _("This payment was taken at %(unit)s; only its staff or the county can open its receipt.")
    raise _refused(message % {"unit": unit.name}, f"{what}_forbidden")


# ---------------------------------------------------------------- the record of processing


def reader_access_record(
    *, staff, readers: Iterable[Reader], action: str, via: str, details: dict | None = None
) -> None:
    """Append who (a staff member) looked at or changed which readers. Kiosks and the system are not
    recorded here: their work is in the circulation log, under their channel."""
    if not _is_staff(staff):
        return
    now = timezone.now()
    rows = [
        ReaderAccess(
            at=now,
            staff=staff,
            staff_unit_id=staff.unit_id,
            reader=reader,
            action=action,
            via=via[:20],
            details=details or {},
        )
        for reader in readers
    ]
    if rows:
        ReaderAccess.objects.bulk_create(rows)
