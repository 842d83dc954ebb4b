"""Rotation sets (流转): a set of copies that moves among a group of village bookstores on a schedule.

While a set is at a stop, its copies' home is that stop: a copy returned anywhere goes back there, and
the stop's holdings count it. Moving the set on makes the next stop their home and sends every copy on
the shelf in the van; copies out on loan are reported and follow when they come back (their new home
is where a return sends them). The next stop's manager confirms the arrival on the phone page, which
receives the copies there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.catalog import selectors as catalog_selectors
from wenyun.catalog import services as catalog
from wenyun.catalog.models import ItemStatus
from wenyun.circulation import services as circulation
from wenyun.core.errors import Conflict, DomainError, NotFound, Refused
from wenyun.network.access import require_staff_for
from wenyun.network.models import Unit

from ..models import RotationItem, RotationMove, RotationSet, RotationStop
from ._common import Type, _now, _record, text

VIA = "rotation"


@transaction.atomic
def rotation_create(
    *,
    actor,
    code: str,
    name: str,
    owner: Unit,
    stops: list[Unit],
    barcodes: list[str],
    period_days: int = 90,
    starts_on: dt.date | None = None,
) -> RotationSet:
    """A set at its first stop, whose copies are on the shelf there and move on every `period_days`."""
    require_staff_for(actor, owner)
    code = text(code, label=_("Code"), max_length=20, required=True).upper()
    if len(stops) < 2 or len({u.pk for u in stops}) != len(stops):
        raise DomainError(_("A rotation set needs at least two different stops."), code="rotation_stops")
    if not 7 <= int(period_days) <= 730:
        raise DomainError(_("A set stays 7 to 730 days at each stop."), code="rotation_period")
    for stop in stops:
        require_staff_for(actor, stop)
    first = stops[0]
    items = []
    for barcode in dict.fromkeys(b.strip() for b in barcodes if b.strip()):
        item = catalog_selectors.item_get(barcode=barcode)
        if item.current_unit_id != first.pk or item.home_unit_id != first.pk:
            raise Refused(
                _("%(barcode)s is not in the collection of %(unit)s, the set's first stop.")
                % {"barcode": barcode, "unit": first.name},
                code="rotation_item_elsewhere",
            )
        items.append(item)
    if not items:
        raise DomainError(_("A rotation set needs its copies' barcodes."), code="rotation_empty")
    today = starts_on or timezone.localdate()
    try:
        with transaction.atomic():
            rotation = RotationSet.objects.create(
                code=code,
                name=text(name, label=_("Name"), max_length=120, required=True),
                owner=owner,
                current_unit=first,
                period_days=int(period_days),
                next_move_on=today + dt.timedelta(days=int(period_days)),
            )
            RotationStop.objects.bulk_create(
                [RotationStop(rotation=rotation, unit=unit, position=n) for n, unit in enumerate(stops)]
            )
            RotationItem.objects.bulk_create([RotationItem(rotation=rotation, item=item) for item in items])
    except IntegrityError:
        raise Conflict(
            _("The code %(code)s is taken, or a copy is already in another rotation set.") % {"code": code},
            code="rotation_conflict",
        ) from None
    _record(
        type=Type.ROTATION_CREATED,
        unit=owner,
        actor=actor,
        rotation=code,
        copies=len(items),
        stops=[u.code for u in stops],
    )
    return rotation


def next_stop(rotation: RotationSet) -> Unit:
    stops = [stop.unit for stop in rotation.stops.select_related("unit")]
    here = next((n for n, unit in enumerate(stops) if unit.pk == rotation.current_unit_id), -1)
    return stops[(here + 1) % len(stops)]


@dataclass
class MoveResult:
    move: RotationMove
    sent: list[str] = field(default_factory=list)
    following: list[tuple[str, str]] = field(default_factory=list)  # (barcode, what it is now)


@transaction.atomic
def rotation_move(*, actor, rotation: RotationSet, at: dt.datetime | None = None) -> MoveResult:
    """Send the set on to its next stop: the copies on the shelf leave in the van, the others follow."""
    now = _now(at)
    rotation = RotationSet.objects.select_for_update().select_related("current_unit").get(pk=rotation.pk)
    if rotation.moves.filter(status=RotationMove.Status.SENT).exists():
        raise Refused(
            _("%(set)s is still on its way: its arrival is confirmed first.") % {"set": rotation.name},
            code="rotation_in_transit",
        )
    here, there = rotation.current_unit, next_stop(rotation)
    require_staff_for(actor, here)
    require_staff_for(actor, there)
    result = MoveResult(move=RotationMove(rotation=rotation, from_unit=here, to_unit=there, sent_at=now))
    for member in rotation.members.select_related("item"):
        item = member.item
        if item.status == ItemStatus.WITHDRAWN:
            continue
        catalog.item_update(actor=actor, item=item, home_unit=there)
        if item.status == ItemStatus.AVAILABLE and item.current_unit_id == here.pk:
            circulation.transit_dispatch(
                item=item,
                to_unit=there,
                at_unit=here,
                actor=actor,
                reason=circulation.ROTATE,
                via=VIA,
                at=now,
            )
            result.sent.append(item.barcode)
        else:
            result.following.append((item.barcode, item.get_status_display()))
    result.move.sent_copies = len(result.sent)
    result.move.left_behind = [barcode for barcode, _state in result.following]
    result.move.save()
    rotation.current_unit = there
    rotation.save(update_fields=["current_unit"])
    _record(
        type=Type.ROTATION_SENT,
        unit=here,
        actor=actor,
        at=now,
        rotation=rotation.code,
        to=there.code,
        sent=len(result.sent),
        following=result.move.left_behind,
    )
    return result


@transaction.atomic
def rotation_arrive(*, actor, move: RotationMove, at: dt.datetime | None = None) -> int:
    """The next stop's manager confirms the set came: each of its copies in the van for here is received
    (checked in here). Returns how many copies were received."""
    now = _now(at)
    move = RotationMove.objects.select_for_update().select_related("rotation", "to_unit").get(pk=move.pk)
    if move.status != RotationMove.Status.SENT:
        raise Refused(
            _("This move of %(set)s is already confirmed.") % {"set": move.rotation.name},
            code="rotation_confirmed",
        )
    require_staff_for(actor, move.to_unit)
    received = 0
    for member in move.rotation.members.select_related("item"):
        item = member.item
        if item.status == ItemStatus.IN_TRANSIT and item.home_unit_id == move.to_unit_id:
            result = circulation.loan_checkin(item=item, at_unit=move.to_unit, actor=actor, via=VIA, at=now)
            received += result.action != "transit"
    move.status, move.arrived_at = RotationMove.Status.ARRIVED, now
    move.confirmed_by = actor if getattr(actor, "pk", None) else None
    move.save(update_fields=["status", "arrived_at", "confirmed_by"])
    rotation = move.rotation
    rotation.next_move_on = timezone.localtime(now).date() + dt.timedelta(days=rotation.period_days)
    rotation.save(update_fields=["next_move_on"])
    _record(
        type=Type.ROTATION_ARRIVED,
        unit=move.to_unit,
        actor=actor,
        at=now,
        rotation=rotation.code,
        received=received,
    )
    return received


def rotation_get(*, code: str) -> RotationSet:
    found = (
        RotationSet.objects.select_related("current_unit", "owner")
        .filter(code=(code or "").strip().upper())
        .first()
    )
    if found is None:
        raise NotFound(_("There is no rotation set %(code)s.") % {"code": code}, code="rotation_not_found")
    return found
