"""The service menu (点单): the county's services ordered by stations and villages."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError, Forbidden, Refused
from wenyun.network.access import require_staff_for, user_can_manage_unit
from wenyun.network.models import Unit, UnitKind
from wenyun.network.selectors import unit_township

from ..models import MenuItem, MenuOrder, Troupe
from ._common import E, _clean_text, _local, _now, _record, _transition

# action: (from states, to state); who may act is checked beside each.
MENU_TRANSITIONS = {
    "confirm": ({MenuOrder.Status.ORDERED}, MenuOrder.Status.CONFIRMED),
    "decline": ({MenuOrder.Status.ORDERED}, MenuOrder.Status.DECLINED),
    "cancel": ({MenuOrder.Status.ORDERED, MenuOrder.Status.CONFIRMED}, MenuOrder.Status.CANCELLED),
    "deliver": ({MenuOrder.Status.CONFIRMED}, MenuOrder.Status.DELIVERED),
}
ORDERING_KINDS = frozenset({UnitKind.STATION, UnitKind.VILLAGE})


def _menu_details(order: MenuOrder) -> dict:
    return {
        "order": order.pk,
        "item": order.item_id,
        "kind": order.item.kind,
        "provider": order.item.provider_id,
    }


@transaction.atomic
def menu_item_create(
    *,
    actor,
    provider: Unit,
    title: str,
    kind: str,
    description: str = "",
    duration_minutes: int = 90,
    lead_days: int = 7,
    troupe: Troupe | None = None,
) -> MenuItem:
    require_staff_for(actor, provider)
    title = _clean_text(title, label=_("The title"), max_length=120)
    if kind not in MenuItem.Kind.values:
        raise DomainError(_("%(value)s is not a kind of service.") % {"value": kind}, code="kind_invalid")
    return MenuItem.objects.create(
        provider=provider,
        title=title,
        kind=kind,
        description=description,
        duration_minutes=duration_minutes,
        lead_days=lead_days,
        troupe=troupe,
    )


@transaction.atomic
def menu_order_place(
    *, actor, item: MenuItem, unit: Unit, wanted_on: dt.date, note: str = "", at: dt.datetime | None = None
) -> MenuOrder:
    now = _now(at)
    require_staff_for(actor, unit)
    if unit.kind not in ORDERING_KINDS:
        raise Refused(
            _("Only a township station or a village centre orders from the menu, not %(unit)s.")
            % {"unit": unit.name},
            code="orderer_invalid",
        )
    if not item.active:
        raise Refused(_("%(title)s is no longer on the menu.") % {"title": item.title}, code="item_inactive")
    earliest = timezone.localtime(now).date() + dt.timedelta(days=item.lead_days)
    if wanted_on < earliest:
        raise Refused(
            _("%(title)s needs %(n)s days' notice: the earliest date is %(day)s.")
            % {"title": item.title, "n": item.lead_days, "day": earliest.isoformat()},
            code="too_soon",
        )
    order = MenuOrder.objects.create(
        item=item,
        unit=unit,
        wanted_on=wanted_on,
        note=(note or "").strip()[:200],
        ordered_by=actor if getattr(actor, "pk", None) else None,
        ordered_at=now,
    )
    _record(unit=unit, actor=actor, type=E.MENU_ORDERED, at=now, details=_menu_details(order))
    return order


def _menu_move(*, order: MenuOrder, action: str) -> MenuOrder:
    order = MenuOrder.objects.select_for_update().select_related("item", "unit").get(pk=order.pk)
    order.status = _transition(MENU_TRANSITIONS, action=action, obj=order, what=order.item.title)
    return order


@transaction.atomic
def menu_order_confirm(
    *, actor, order: MenuOrder, scheduled_at: dt.datetime | None = None, at: dt.datetime | None = None
) -> MenuOrder:
    now = _now(at)
    require_staff_for(actor, order.item.provider)
    order = _menu_move(order=order, action="confirm")
    if scheduled_at is None:
        scheduled_at = timezone.make_aware(dt.datetime.combine(order.wanted_on, dt.time(19, 0)))
    if scheduled_at <= now:
        raise Refused(_("The scheduled time must be in the future."), code="schedule_past")
    order.scheduled_at, order.decided_by, order.decided_at = scheduled_at, actor, now
    order.save(update_fields=["status", "scheduled_at", "decided_by", "decided_at"])
    _record(unit=order.unit, actor=actor, type=E.MENU_CONFIRMED, at=now, details=_menu_details(order))
    return order


@transaction.atomic
def menu_order_decline(*, actor, order: MenuOrder, reason: str, at: dt.datetime | None = None) -> MenuOrder:
    now = _now(at)
    require_staff_for(actor, order.item.provider)
    reason = _clean_text(reason, label=_("The reason"), max_length=200)
    order = _menu_move(order=order, action="decline")
    order.reason, order.decided_by, order.decided_at = reason, actor, now
    order.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    _record(unit=order.unit, actor=actor, type=E.MENU_DECLINED, at=now, details=_menu_details(order))
    return order


@transaction.atomic
def menu_order_cancel(*, actor, order: MenuOrder, reason: str, at: dt.datetime | None = None) -> MenuOrder:
    now = _now(at)
    if actor is not None and not (
        user_can_manage_unit(actor, order.unit) or user_can_manage_unit(actor, order.item.provider)
    ):
        raise Forbidden(
            _("Only the ordering unit or the provider may cancel this order."), code="unit_forbidden"
        )
    reason = _clean_text(reason, label=_("The reason"), max_length=200)
    order = _menu_move(order=order, action="cancel")
    order.reason = reason
    order.save(update_fields=["status", "reason"])
    _record(unit=order.unit, actor=actor, type=E.MENU_CANCELLED, at=now, details=_menu_details(order))
    return order


@transaction.atomic
def menu_order_deliver(
    *,
    actor,
    order: MenuOrder,
    attendance: int,
    rating: int,
    feedback: str = "",
    at: dt.datetime | None = None,
) -> MenuOrder:
    """The village records that the service came: how many attended and how it was (1 to 5)."""
    now = _now(at)
    require_staff_for(actor, order.unit)
    if attendance < 0:
        raise DomainError(_("Attendance cannot be negative."), code="attendance_invalid")
    if not 1 <= rating <= 5:
        raise DomainError(_("Rate the service from 1 to 5."), code="rating_invalid")
    order = _menu_move(order=order, action="deliver")
    if order.scheduled_at and order.scheduled_at > now:
        raise Refused(
            _("%(title)s is scheduled for %(when)s: record it after it has happened.")
            % {"title": order.item.title, "when": _local(order.scheduled_at)},
            code="not_yet_delivered",
        )
    order.attendance, order.rating, order.feedback, order.delivered_at = (
        attendance,
        rating,
        feedback[:300],
        now,
    )
    order.save(update_fields=["status", "attendance", "rating", "feedback", "delivered_at"])
    township = unit_township(unit=order.unit)
    _record(
        unit=order.unit,
        actor=actor,
        type=E.MENU_DELIVERED,
        at=now,
        details={
            **_menu_details(order),
            "attendance": attendance,
            "rating": rating,
            "township": township.pk if township else None,
        },
    )
    return order
