"""Reads of readers, loans, holds and transits.

The reads every kiosk message makes (the reader by card, a reader's counts, the open loan of a
copy) are prepared SQL built from the models' metadata through `core.rows`, as circulation's own
check-out path is: building each statement through the ORM's compiler cost 0.5-1 ms a query, more
than the rest of a kiosk message together. A card not found goes to `reader_get`, so the refusal
is worded once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, cast

from django.db import connection
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog.models import Item, ItemStatus
from wenyun.core import rows
from wenyun.core.errors import DomainError, Forbidden, NotFound
from wenyun.network.models import Unit

from .models import (
    CirculationEvent,
    CirculationRule,
    DeliveryRoute,
    DeliveryRun,
    Fee,
    Hold,
    Loan,
    Reader,
    ReaderAccess,
    ReaderCategory,
    Transit,
)

# A hold's states, published for the rooms that read holds (a kiosk tells ready holds from waiting ones).
HoldStatus = Hold.Status


def reader_get(*, card: str) -> Reader:
    try:
        return Reader.objects.select_related("category", "home_unit").get(card=card.strip())
    except Reader.DoesNotExist:
        raise NotFound(
            _("There is no reader with the card %(card)s.") % {"card": card}, code="reader_not_found"
        ) from None


_READER_SQL = "SELECT {reader} FROM circulation_reader WHERE card = %s"


def reader_by_card(*, card: str) -> Reader:
    """The reader with this card (only his own row: category and home unit load on use), or
    `reader_get`'s NotFound; one prepared statement, for the kiosk path."""
    shape = rows.shape(Reader)
    with connection.cursor() as cursor:
        cursor.execute(_READER_SQL.format(reader=shape.columns), [card.strip()])
        row = cursor.fetchone()
    if row is None:
        return reader_get(card=card)  # raises NotFound, worded once
    return cast(Reader, shape.build(row))


def reader_name(*, pk: int) -> str | None:
    """The reader's name (the portal's header shows whose account is open), or None."""
    return Reader.objects.filter(pk=pk).values_list("name", flat=True).first()


def reader_search(*, user, q: str, limit: int = 50) -> list[Reader]:
    """Readers as a desk types them: the exact card finds any reader (the card is presented: borrow
    anywhere); a phone, an identity number or the start of a name only the readers whose home unit
    lies in the staff member's subtree (every reader, for the county)."""
    from .access import readers_in_scope
    from .identity import id_hash, id_number_check

    q = q.strip()
    if not q or not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        return []
    readers = Reader.objects.select_related("category", "home_unit")
    by_card = list(readers.filter(card=q))
    matches = Q(phone=q) | Q(name__startswith=q)
    if len(q) == 18:
        # Only the number's hash is kept, so an identity number is found whole or not at all.
        with contextlib.suppress(DomainError):
            matches |= Q(id_number_hash=id_hash(id_number_check(q)))
    found = readers.filter(readers_in_scope(user)).filter(matches).exclude(card=q)
    return [*by_card, *found.order_by("name", "card")[: max(limit - len(by_card), 0)]]


# ---------------------------------------------------------------- loans, holds, fees of a reader


def access_reader(user, card: str, *, log_via: str = "") -> Reader:
    """A reader by the exact card, for staff: the card is presented, so any staff member finds any
    reader (borrow anywhere). With `log_via` the look is recorded in the reader access log: pass it
    where the reader's details are shown. Changes are checked and recorded by the services."""
    from .access import reader_access_record

    _require_staff(user)
    reader = reader_get(card=card)
    if log_via:
        reader_access_record(staff=user, readers=[reader], action=ReaderAccess.Action.VIEWED, via=log_via)
    return reader


def _require_staff(user) -> None:
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        raise Forbidden(_("Only staff may look readers up."), code="staff_only")


def reader_for_account(*, user) -> Reader | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Reader.objects.select_related("category", "home_unit").filter(account=user).first()


def reader_loans(*, reader: Reader) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(reader=reader, returned_at__isnull=True)
        .select_related("item", "item__record", "lending_unit", "reader__home_unit")
        .order_by("due_on", "pk")
    )


def reader_history(*, reader: Reader, limit: int = 100) -> QuerySet[Loan]:
    """Past loans, only for a reader who opted in to keeping his history."""
    if not reader.keep_history:
        return Loan.objects.none()
    return (
        Loan.objects.filter(reader=reader, returned_at__isnull=False)
        .select_related("item__record", "lending_unit", "return_unit")
        .order_by("-returned_at")[:limit]
    )


def reader_holds(*, reader: Reader) -> QuerySet[Hold]:
    return (
        Hold.objects.filter(reader=reader, status__in=Hold.ACTIVE)
        .select_related("record", "pickup_unit", "target", "reader__home_unit")
        .order_by("placed_at", "pk")
    )


def reader_fees(*, reader: Reader, open_only: bool = True, oldest_first: bool = False) -> QuerySet[Fee]:
    """The reader's fees, newest first; `oldest_first` in the order a payment toward all of them settles them."""
    fees = Fee.objects.filter(reader=reader).select_related(
        "loan__item__record", "loan__lending_unit", "unit", "reader__home_unit"
    )
    if open_only:
        fees = fees.filter(status=Fee.Status.OPEN)
    return fees.order_by("created_at", "pk") if oldest_first else fees.order_by("-created_at")


# ---------------------------------------------------------------- a reader's counts


@dataclass(frozen=True)
class ReaderCounts:
    """What a reader has out and owes, as every door shows it and the blocks judge it."""

    loans: int  # open loans
    overdue: int  # open loans past due, neither lost nor claimed returned
    holds: int  # active holds (waiting, on their way, ready)
    holds_ready: int  # of those, on the hold shelf
    fees: int  # open fees
    owed: Decimal  # what the open fees still ask, to the fen


_READER = object()  # stands for the reader's id among a count's parameters
_TODAY = object()  # for today, as the database takes a date


def _in(values: Iterable) -> str:
    return "(" + ", ".join("%s" for _value in values) + ")"


# Each count as a subquery and its parameters: the one definition of each, which `reader_counts`
# and the check-out's one round trip (services.loans) both build on. Statuses are parameters.
_COUNTS: dict[str, tuple[str, tuple]] = {
    "loans": (
        "(SELECT COUNT(*) FROM circulation_loan WHERE reader_id = %s AND returned_at IS NULL)",
        (_READER,),
    ),
    "overdue": (
        "(SELECT COUNT(*) FROM circulation_loan WHERE reader_id = %s AND returned_at IS NULL AND due_on < %s "
        "AND NOT lost AND NOT claimed_returned)",
        (_READER, _TODAY),
    ),
    "holds": (
        f"(SELECT COUNT(*) FROM circulation_hold WHERE reader_id = %s AND status IN {_in(Hold.ACTIVE)})",
        (_READER, *Hold.ACTIVE),
    ),
    "holds_ready": (
        "(SELECT COUNT(*) FROM circulation_hold WHERE reader_id = %s AND status = %s)",
        (_READER, Hold.Status.READY),
    ),
    "fees": (
        "(SELECT COUNT(*) FROM circulation_fee WHERE reader_id = %s AND status = %s)",
        (_READER, Fee.Status.OPEN),
    ),
    "owed": (
        "(SELECT SUM(amount - paid) FROM circulation_fee WHERE reader_id = %s AND status = %s)",
        (_READER, Fee.Status.OPEN),
    ),
}


def reader_counts_sql(*names: str) -> tuple[str, Callable[[int, Any], list]]:
    """The named counts as a SELECT list, and the function giving its parameters for (the reader's id,
    today as the database takes it): for a statement that reads them beside others in one round trip."""
    sql = ", ".join(_COUNTS[name][0] for name in names)
    template = [param for name in names for param in _COUNTS[name][1]]

    def params(reader_id: int, today: Any) -> list:
        return [reader_id if p is _READER else today if p is _TODAY else p for p in template]

    return sql, params


_counts, _counts_params = reader_counts_sql(*(f.name for f in fields(ReaderCounts)))
_COUNTS_SQL = "SELECT " + _counts


def reader_counts(*, reader: Reader, today: dt.date | None = None) -> ReaderCounts:
    """The reader's loans, overdue loans, holds, holds ready, open fees and what they ask, in one round
    trip: the counts check-out judges, the web and the API show and a kiosk reports."""
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_SQL, _counts_params(reader.pk, connection.ops.adapt_datefield_value(today)))
        loans, overdue, holds, holds_ready, fees, owed = cursor.fetchone()
    return ReaderCounts(
        loans=int(loans),
        overdue=int(overdue),
        holds=int(holds),
        holds_ready=int(holds_ready),
        fees=int(fees),
        owed=Decimal(str(owed or 0)).quantize(Decimal("0.01")),
    )


def hold_position(*, hold: Hold) -> int:
    """The hold's place in its title's queue, for every door (desk, portal, API, kiosk): 1 + the holds
    on the title still waiting for a copy that were placed before it (first come, first served, in the
    order `holds_fill` serves them); 0 for a hold no longer waiting.

    A hold that has been given its copy (on the way to its pickup unit, or on the hold shelf) has left
    the queue: nobody waits behind it, since the next copy goes to the next waiting hold. Koha works
    this way (a trapped hold's priority becomes 0 and the priorities of the rest close up), and so
    does Evergreen (its queue position counts only holds not yet captured).
    """
    if hold.status != Hold.Status.WAITING:
        return 0
    ahead = Hold.objects.filter(record_id=hold.record_id, status=Hold.Status.WAITING).filter(
        Q(placed_at__lt=hold.placed_at) | Q(placed_at=hold.placed_at, pk__lt=hold.pk)
    )
    return ahead.count() + 1


def hold_queue_length(*, item: Item) -> int:
    """Readers holding this copy or its title (waiting, on their way or on the shelf): SIP2's hold queue length."""
    return (
        Hold.objects.filter(status__in=Hold.ACTIVE)
        .filter(Q(item=item) | Q(record_id=item.record_id, item_level=False))
        .count()
    )


_OPEN_LOAN_SQL = "SELECT {loan} FROM circulation_loan WHERE item_id = %s AND returned_at IS NULL"


def item_open_loan(*, item: Item) -> Loan | None:
    """The copy's open loan (its reader loads on use), or None; one prepared statement, for the kiosk path."""
    shape = rows.shape(Loan)
    with connection.cursor() as cursor:
        cursor.execute(_OPEN_LOAN_SQL.format(loan=shape.columns), [item.pk])
        row = cursor.fetchone()
    return cast(Loan, shape.build(row)) if row is not None else None


def loan_get(*, pk: int, reader: Reader | None = None) -> Loan:
    loans = Loan.objects.select_related("item", "item__record", "reader", "reader__home_unit", "lending_unit")
    if reader is not None:
        loans = loans.filter(reader=reader)
    loan = loans.filter(pk=pk).first()
    if loan is None:
        raise NotFound(_("There is no such loan."), code="loan_not_found")
    return loan


def hold_get(*, pk: int, reader: Reader | None = None) -> Hold:
    holds = Hold.objects.select_related("record", "reader", "reader__home_unit", "pickup_unit", "target")
    if reader is not None:
        holds = holds.filter(reader=reader)
    hold = holds.filter(pk=pk).first()
    if hold is None:
        raise NotFound(_("There is no such hold."), code="hold_not_found")
    return hold


def access_loan(user, pk: int, *, action: str | None = None) -> Loan:
    """A loan by id, for staff. Renewing works for any loan anywhere; with `action` ("lost",
    "claim_returned") the staff member must be the lending unit's or the reader's home unit's."""
    from .access import require_loan_scope

    _require_staff(user)
    loan = loan_get(pk=pk)
    if action:
        require_loan_scope(user, loan, action=action)
    return loan


def access_hold(user, pk: int, *, for_cancel: bool = False) -> Hold:
    """A hold by id, for staff; with `for_cancel`, only the pickup unit's or the reader's home unit's."""
    from .access import require_hold_scope

    _require_staff(user)
    hold = hold_get(pk=pk)
    if for_cancel:
        require_hold_scope(user, hold)
    return hold


def access_fee(user, pk: int, *, for_waive: bool = False) -> Fee:
    """A fee by id, for staff: paid anywhere; with `for_waive`, only where it belongs."""
    from .access import require_fee_scope

    _require_staff(user)
    fee = fee_get(pk=pk)
    if for_waive:
        require_fee_scope(user, fee)
    return fee


def reader_access_list(*, user, card: str = "", staff: str = "", limit: int = 500) -> QuerySet[ReaderAccess]:
    """The record of processing, newest first, for county administrators only; by card or staff username."""
    from wenyun.network.access import require_county_admin

    require_county_admin(user)
    rows = ReaderAccess.objects.select_related("staff", "staff_unit", "reader")
    if card.strip():
        rows = rows.filter(reader__card=card.strip())
    if staff.strip():
        rows = rows.filter(staff__username__iexact=staff.strip())
    return rows.order_by("-at", "-pk")[:limit]


def fee_get(*, pk: int) -> Fee:
    fee = (
        Fee.objects.select_related("reader", "reader__home_unit", "unit", "loan__lending_unit")
        .filter(pk=pk)
        .first()
    )
    if fee is None:
        raise NotFound(_("There is no such fee."), code="fee_not_found")
    return fee


def fee_payment_last(*, fee: Fee) -> CirculationEvent:
    """The latest payment on a fee (each payment is one fee_paid event with its amount)."""
    return (
        CirculationEvent.objects.filter(type=CirculationEvent.Type.FEE_PAID, reader_id=fee.reader_id)
        .filter(details__fee=fee.pk)
        .latest("pk")
    )


def access_payment(user, pk: int) -> CirculationEvent:
    """A payment (for its receipt): the desk that took it, the reader's home unit, or the county."""
    from .access import require_desk_record_scope

    _require_staff(user)
    payment = fee_payment_get(pk=pk)
    require_desk_record_scope(user, unit=payment.unit, reader=payment.reader, what="receipt")
    return payment


def access_checkin(user, pk: int) -> CirculationEvent:
    """A check-in (for its routing slip): the desk that checked it in, the reader's home unit, or the county."""
    from .access import require_desk_record_scope

    _require_staff(user)
    event = (
        CirculationEvent.objects.filter(pk=pk, type=CirculationEvent.Type.CHECKIN)
        .select_related("item__record", "unit", "reader", "reader__home_unit")
        .first()
    )
    if event is None:
        raise NotFound(_("There is no such check-in."), code="checkin_not_found")
    require_desk_record_scope(user, unit=event.unit, reader=event.reader, what="slip")
    return event


def fee_payment_get(*, pk: int) -> CirculationEvent:
    payment = (
        CirculationEvent.objects.filter(pk=pk, type=CirculationEvent.Type.FEE_PAID)
        .select_related("unit", "reader", "reader__home_unit", "actor")
        .first()
    )
    if payment is None:
        raise NotFound(_("There is no such payment."), code="payment_not_found")
    return payment


# ---------------------------------------------------------------- lists a unit works from


def pull_list(*, unit: Unit) -> list[Hold]:
    """Copies sitting on this unit's shelves that the holds pass chose for a hold: fetch and check them in."""
    return list(
        Hold.objects.filter(
            status=Hold.Status.WAITING, target__current_unit=unit, target__status=ItemStatus.AVAILABLE
        )
        .select_related("record", "target", "pickup_unit", "reader")
        .order_by("target__call_number", "placed_at")
    )


def hold_shelf(*, unit: Unit) -> list[Hold]:
    return list(
        Hold.objects.filter(status=Hold.Status.READY, pickup_unit=unit)
        .select_related("record", "target", "reader")
        .order_by("shelf_until", "reader__name")
    )


def transits_outgoing(*, unit: Unit) -> list[Transit]:
    return list(
        Transit.objects.filter(
            from_unit=unit, sent_at__isnull=True, received_at__isnull=True, cancelled_at__isnull=True
        )
        .select_related("item__record", "to_unit", "run__route")
        .order_by("to_unit__code", "created_at")
    )


def transits_incoming(*, unit: Unit) -> list[Transit]:
    return list(
        Transit.objects.filter(to_unit=unit, received_at__isnull=True, cancelled_at__isnull=True)
        .select_related("item__record", "from_unit")
        .order_by("created_at")
    )


def transits_overdue(*, within: Unit | None = None, today: dt.date | None = None) -> list[Transit]:
    """Transits still not received after the county's allowed days: a copy may be lost on the way."""
    from .rules import circ_settings

    today = today or timezone.localdate()
    limit = timezone.make_aware(dt.datetime.combine(today, dt.time.min)) - dt.timedelta(
        days=circ_settings().transit_overdue_days
    )
    transits = Transit.objects.filter(
        received_at__isnull=True, cancelled_at__isnull=True, created_at__lt=limit
    )
    if within is not None:
        transits = transits.filter(
            Q(from_unit__path__startswith=within.path) | Q(to_unit__path__startswith=within.path)
        )
    return list(transits.select_related("item__record", "from_unit", "to_unit").order_by("created_at"))


# ---------------------------------------------------------------- the van's runs


def route_for_transit(
    *, from_unit_id: int, to_unit_id: int, stops: dict[int, set[int]], order: list[int]
) -> int | None:
    """The route (pk) a copy waiting at from_unit goes on: one stopping at both ends, else one stopping
    where it waits (it changes vans at the hub); the earliest in the week first. None: no van stops there."""
    passing = [pk for pk in order if from_unit_id in stops[pk]]
    for pk in passing:
        if to_unit_id in stops[pk]:
            return pk
    return passing[0] if passing else None


def next_run_day(*, weekday: int, today: dt.date) -> dt.date:
    """The route's next run: today when it runs today (the van may still be on its way), else later this week."""
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7)


def routes_stops() -> tuple[list[DeliveryRoute], dict[int, set[int]]]:
    routes = list(DeliveryRoute.objects.prefetch_related("stops").order_by("weekday", "name", "pk"))
    return routes, {route.pk: {u.pk for u in route.stops.all()} for route in routes}


@dataclass
class RouteRuns:
    """One route on the van page: its next run, what waits for it, and what is still on the road."""

    route: DeliveryRoute
    stops: list[Unit]
    day: dt.date
    run: DeliveryRun | None
    waiting: list[Transit] = field(default_factory=list)
    # Runs already sent whose copies are not all received yet, newest first, each with those copies.
    on_the_road: list[tuple[DeliveryRun, list[Transit]]] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        travelling = [*self.waiting, *(t for _run, transits in self.on_the_road for t in transits)]
        return len([t for t in travelling if getattr(t, "overdue", False)])


def van_runs(*, units: Iterable[Unit] | None, today: dt.date | None = None) -> list[RouteRuns]:
    """Per route, the next run's day, the copies waiting at its stops for it, and its runs still on the road.

    `units`: the units whose staff is looking (routes stopping at one of them, copies leaving or
    reaching one of them); None for the whole county. Each copy is flagged `overdue` once it has
    travelled longer than the county allows.
    """
    from .rules import circ_settings

    today = today or timezone.localdate()
    limit = timezone.make_aware(dt.datetime.combine(today, dt.time.min)) - dt.timedelta(
        days=circ_settings().transit_overdue_days
    )
    routes, stops = routes_stops()
    order = [route.pk for route in routes]
    mine = None if units is None else {u.pk for u in units}
    if mine is not None:
        routes = [route for route in routes if stops[route.pk] & mine]
    days = {route.pk: next_run_day(weekday=route.weekday, today=today) for route in routes}
    runs = {
        (run.route_id, run.day): run
        for run in DeliveryRun.objects.filter(route__in=routes, day__in=set(days.values()))
    }
    board = {
        route.pk: RouteRuns(
            route=route,
            stops=sorted(route.stops.all(), key=lambda u: u.path),
            day=days[route.pk],
            run=runs.get((route.pk, days[route.pk])),
        )
        for route in routes
    }
    open_transits = Transit.objects.filter(
        received_at__isnull=True, cancelled_at__isnull=True
    ).select_related("item__record", "from_unit", "to_unit", "run")
    if mine is not None:
        open_transits = open_transits.filter(Q(from_unit__in=mine) | Q(to_unit__in=mine))
    road: dict[int, dict[int, tuple[DeliveryRun, list[Transit]]]] = {}
    for transit in open_transits.order_by("created_at", "pk"):
        transit.overdue = transit.created_at < limit  # type: ignore[attr-defined]
        if transit.sent_at is None:
            pk = route_for_transit(
                from_unit_id=transit.from_unit_id, to_unit_id=transit.to_unit_id, stops=stops, order=order
            )
            if pk in board:
                board[pk].waiting.append(transit)
        elif transit.run is not None and transit.run.route_id in board:
            road.setdefault(transit.run.route_id, {}).setdefault(transit.run.pk, (transit.run, []))[1].append(
                transit
            )
    for pk, by_run in road.items():
        board[pk].on_the_road = sorted(by_run.values(), key=lambda pair: pair[0].day, reverse=True)
    return list(board.values())


def van_run_manifest(*, route: DeliveryRoute, day: dt.date) -> tuple[DeliveryRun | None, list[Transit]]:
    """What the run of `day` carries (sent on it) or will carry (still waiting at its stops), by destination."""
    run = DeliveryRun.objects.filter(route=route, day=day).first()
    _routes, stops = routes_stops()
    order = [r.pk for r in _routes]
    carried = Transit.objects.filter(cancelled_at__isnull=True).select_related(
        "item__record", "from_unit", "to_unit"
    )
    transits = list(carried.filter(run=run)) if run is not None else []
    if run is None or run.day >= timezone.localdate():
        waiting = carried.filter(
            sent_at__isnull=True, received_at__isnull=True, from_unit__in=stops[route.pk]
        )
        transits += [
            t
            for t in waiting
            if t.run_id in (None, getattr(run, "pk", None))
            and t not in transits
            and route_for_transit(
                from_unit_id=t.from_unit_id, to_unit_id=t.to_unit_id, stops=stops, order=order
            )
            == route.pk
        ]
    transits.sort(key=lambda t: (t.to_unit.path, t.from_unit.path, t.item.barcode))
    return run, transits


def route_get(*, pk: int) -> DeliveryRoute:
    route = DeliveryRoute.objects.prefetch_related("stops").filter(pk=pk).first()
    if route is None:
        raise NotFound(_("There is no such van route."), code="route_not_found")
    return route


def run_get(*, pk: int) -> DeliveryRun:
    run = DeliveryRun.objects.select_related("route").filter(pk=pk).first()
    if run is None:
        raise NotFound(_("There is no such van run."), code="run_not_found")
    return run


def item_history(*, item: Item, limit: int = 50) -> QuerySet[CirculationEvent]:
    return (
        CirculationEvent.objects.filter(item=item)
        .select_related("unit", "reader__home_unit", "actor")
        .order_by("-at", "-pk")[:limit]
    )


def rule_list() -> QuerySet[CirculationRule]:
    return CirculationRule.objects.select_related("unit", "category", "item_type").order_by(
        "unit__depth", "unit__code", "category__code", "item_type__code"
    )


def category_list() -> QuerySet[ReaderCategory]:
    return ReaderCategory.objects.order_by("code")


def category_get(*, code: str) -> ReaderCategory:
    category = ReaderCategory.objects.filter(code=code).first()
    if category is None:
        raise NotFound(_("There is no reader category %(code)s.") % {"code": code}, code="category_not_found")
    return category


def due_dates(*, item_ids: Iterable[int]) -> dict[int, dt.date]:
    """The due date of each of these copies that is out on loan."""
    ids = list(item_ids)
    if not ids:
        return {}
    return dict(
        Loan.objects.filter(item_id__in=ids, returned_at__isnull=True).values_list("item_id", "due_on")
    )


def first_due_by_unit(*, record_ids: Iterable[int]) -> dict[tuple[int, int], dt.date]:
    """For copies of these records out on loan: the first day one comes back, per (record, the unit that
    lent it). What a catalogue page shows beside "on loan"."""
    ids = list(record_ids)
    if not ids:
        return {}
    rows = (
        Loan.objects.filter(
            returned_at__isnull=True, item__record_id__in=ids, item__status=ItemStatus.ON_LOAN
        )
        .values_list("item__record_id", "item__current_unit_id")
        .annotate(first=Min("due_on"))
        .order_by()
    )
    return {(record_id, unit_id): first for record_id, unit_id, first in rows}


def last_loan_dates(*, item_ids: Iterable[int]) -> dict[int, dt.date]:
    """The day each of these copies was last lent (checked out), for those ever lent: what weeding
    reads to find the copies no one has borrowed for years."""
    ids = sorted(set(item_ids))
    found: dict[int, dt.date] = {}
    for start in range(0, len(ids), 500):
        rows = (
            Loan.objects.filter(item_id__in=ids[start : start + 500])
            .values_list("item_id")
            .annotate(last=Max("out_at"))
            .order_by()
        )
        found.update((item_id, timezone.localtime(last).date()) for item_id, last in rows)
    return found
