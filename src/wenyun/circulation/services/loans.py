"""Loans: check-out, check-in (and where the copy goes next), renewals, lost and claimed-returned, due notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog.models import Item, ItemStatus
from wenyun.catalog.services import item_move
from wenyun.core import rows
from wenyun.core.errors import DomainError
from wenyun.network.models import Unit

from .. import access, locks
from ..lifecycle import FEE_LIFECYCLE, HOLD_LIFECYCLE, LOAN_LIFECYCLE, TRANSIT_LIFECYCLE
from ..models import (
    CirculationRule,
    CirculationSettings,
    Fee,
    Hold,
    Loan,
    Notice,
    Reader,
    ReturnPolicy,
    Transit,
)
from ..notices import notice_send
from ..rules import (
    STAMP_COLUMNS,
    STAMP_WIDTH,
    Snapshot,
    circ_settings,
    due_date,
    overdue_fee,
    snapshot,
)
from ..selectors import reader_counts_sql
from ._common import (
    Access,
    Type,
    _day,
    _now,
    _one_writer,
    _record,
    _refuse,
    _require_desk,
    _via,
)
from .readers import _check_blocks


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


def _open_day(unit: Unit, snap: Snapshot | None = None):
    cached = snap or snapshot()
    return lambda day: cached.next_open_day(unit, day)


# Whether anyone holds the title; its parameters are the record's id and then Hold.ACTIVE.
_HOLDS_ACTIVE_SQL = (
    "(SELECT COUNT(*) FROM circulation_hold WHERE record_id = %s "
    f"AND status IN ({', '.join(['%s'] * len(Hold.ACTIVE))}))"
)


# Everything a check-out reads besides the two rows it locks, in one round trip: the snapshot's
# version key, the reader's overdue loans, fees owed and open loans (as `reader_counts` counts them),
# his open loans of the copy's type, and whether anyone holds the title (the holds themselves are
# read only when someone does).
_READER_COUNTS_SQL, _reader_counts_params = reader_counts_sql("overdue", "owed", "loans")
_CHECKOUT_FACTS_SQL = (
    f"SELECT {STAMP_COLUMNS}, {_READER_COUNTS_SQL}, "
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
    params = _reader_counts_params(reader_id, db.ops.adapt_datefield_value(today))
    params += [reader_id, item.item_type_id, item.record_id, *Hold.ACTIVE]
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
    item_move(item, action="lend", at=now, unit=at_unit, connection=db)
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
        fulfilled = HOLD_LIFECYCLE.move(fills, "fulfil", at=now)
        fills.closed_at, fills.target = now, item
        fills.save(update_fields=[*fulfilled, "closed_at", "target"])
        if item.pk != fills.target_id:
            TRANSIT_LIFECYCLE.move_all(Transit.objects.filter(hold=fills), "cancel", at=now)
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
    TRANSIT_LIFECYCLE.move_all(Transit.objects.filter(item=item), "cancel", at=now)
    transit = Transit.objects.create(
        item=item, from_unit=at_unit, to_unit=to, reason=reason, hold=hold, created_at=now
    )
    item_move(item, action="send", at=now, unit=at_unit)
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
    trapped = HOLD_LIFECYCLE.move(hold, "trap_on_shelf", at=now)
    hold.target, hold.ready_at = item, now
    hold.shelf_until = snap.next_open_day(at_unit, last) or last
    hold.save(update_fields=[*trapped, "target", "ready_at", "shelf_until"])
    item_move(item, action="hold_shelf", at=now, unit=at_unit)
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
        trapped = HOLD_LIFECYCLE.move(hold, "trap_in_transit", at=now)
        hold.target = item
        hold.save(update_fields=[*trapped, "target"])
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
        item_move(item, action="shelve", at=now, unit=at_unit, connection=db)
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
    row = rows.execute(sql, [item.record_id, *Hold.ACTIVE, item.pk], connection=db).fetchone()
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
        returned = LOAN_LIFECYCLE.move(loan, "return", at=now)
        rows.relate(loan, "return_unit", at_unit)
        rows.update(loan, (*returned, "return_unit"), connection=db)
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
            FEE_LIFECYCLE.move_all(
                Fee.objects.filter(loan=loan, kind=Fee.Kind.LOST), "waive", at=now, note="returned"
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
            transit.save(update_fields=TRANSIT_LIFECYCLE.move(transit, "receive", at=now))
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
        loan.save(update_fields=LOAN_LIFECYCLE.move(loan, "declare_lost", at=now))
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
    HOLD_LIFECYCLE.move_all(Hold.objects.filter(target=item), "release", at=now, target=None)
    item_move(item, action="lose", at=now)
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
    loan.save(update_fields=LOAN_LIFECYCLE.move(loan, "claim_returned", at=now))
    item_move(item, action="claim_returned", at=now)
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
