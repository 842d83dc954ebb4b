"""Transits and the van: planning runs, sending and receiving them."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog.models import ItemStatus
from wenyun.core.errors import Forbidden, Refused
from wenyun.network.access import user_can_manage_unit
from wenyun.network.models import Unit

from .. import access, locks
from ..lifecycle import TRANSIT_LIFECYCLE
from ..models import (
    DeliveryRoute,
    DeliveryRun,
    Transit,
)
from ._common import Type, _record, _require_desk
from .loans import CheckinResult, _send, loan_checkin


@transaction.atomic
def transit_runs_plan(*, day: dt.date) -> list[DeliveryRun]:
    """Put each open, unsent transit on the run of the day of the route it goes on (see route_for_transit)."""
    from ..selectors import route_for_transit, routes_stops

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

    from ..selectors import route_for_transit, routes_stops

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
    transits = [t for t in locks.transits_lock(pks=pks) if TRANSIT_LIFECYCLE.allows(t, "send")]
    for transit in transits:
        transit.run = run
        transit.save(update_fields=["run", *TRANSIT_LIFECYCLE.move(transit, "send", at=now)])
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
        TRANSIT_LIFECYCLE.ready_for(Transit.objects.filter(run=run), "send").select_related("item")
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
    TRANSIT_LIFECYCLE.move_all(Transit.objects.filter(pk__in=[t.pk for t in transits]), "send", at=now)
    run.sent_at = now
    run.save(update_fields=["sent_at"])
    return len(transits)


@transaction.atomic
def transit_send(*, transit: Transit, actor, via: str = "") -> Transit:
    now = timezone.now()
    transit = Transit.objects.select_for_update().get(pk=transit.pk)
    access.require_transit_scope(actor, from_unit=transit.from_unit)
    if TRANSIT_LIFECYCLE.allows(transit, "send"):
        transit.save(update_fields=TRANSIT_LIFECYCLE.move(transit, "send", at=now))
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


# What a copy may be sent in the van for by a service outside circulation: a new copy for its unit,
# a rotation set's copy for the next stop.
DISTRIBUTE, ROTATE = Transit.Reason.DISTRIBUTION.value, Transit.Reason.ROTATION.value
DISPATCH_REASONS = frozenset({DISTRIBUTE, ROTATE})


@transaction.atomic
def transit_dispatch(
    *, item, to_unit: Unit, at_unit: Unit, actor, reason: str, via: str = "", at: dt.datetime | None = None
) -> Transit:
    """Send a copy that is on the shelf at `at_unit` to `to_unit` in the van: a new copy leaving the hub
    for its unit (统一配送), or a rotation set's copy moving to the next village. It travels as every
    transit does, and is received there by check-in (or with its whole run)."""
    if reason not in DISPATCH_REASONS:
        raise ValueError(f"transit_dispatch() does not send copies for {reason!r}")
    _require_desk(actor, at_unit)
    now = at or timezone.now()
    item = locks.item_lock(pk=item.pk)
    if item.status != ItemStatus.AVAILABLE or item.current_unit_id != at_unit.pk:
        raise Refused(
            _("%(barcode)s cannot be sent from %(unit)s: it is not on the shelf there.")
            % {"barcode": item.barcode, "unit": at_unit.name},
            code="item_not_here",
        )
    if to_unit.pk == at_unit.pk:
        raise Refused(
            _("%(barcode)s is already at %(unit)s.") % {"barcode": item.barcode, "unit": at_unit.name},
            code="item_already_there",
        )
    return _send(item, to=to_unit, at_unit=at_unit, reason=reason, hold=None, now=now, actor=actor, via=via)
