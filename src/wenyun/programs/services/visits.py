"""Museum timed entry: slots on open days, free tickets by phone, the door."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import Conflict, DomainError, NotFound, Refused
from wenyun.network.access import require_staff_for
from wenyun.network.models import Unit
from wenyun.network.selectors import OpeningCalendar

from ..models import VisitSlot, VisitTicket
from ._common import E, _clean_text, _local, _lock, _now, _record, clean_phone

MAX_TICKETS = 5


@transaction.atomic
def visit_slots_create(
    *,
    actor,
    unit: Unit,
    first_day: dt.date,
    last_day: dt.date,
    times: list[tuple[dt.time, dt.time]],
    capacity: int,
) -> int:
    """Open timed-entry slots on each open day of the unit; days already set up keep their slots."""
    require_staff_for(actor, unit)
    if first_day > last_day or (last_day - first_day).days > 366:
        raise DomainError(_("Give a range of days of at most a year, first day first."), code="days_invalid")
    if capacity < 1:
        raise DomainError(_("A slot admits at least one visitor."), code="capacity_invalid")
    if not times or any(starts >= ends for starts, ends in times):
        raise DomainError(_("Each slot must end after it starts."), code="slot_times_invalid")
    calendar = OpeningCalendar(unit=unit, first_day=first_day, last_day=last_day)
    existing = set(
        VisitSlot.objects.filter(unit=unit, day__gte=first_day, day__lte=last_day).values_list(
            "day", "starts"
        )
    )
    slots: list[VisitSlot] = []
    day = first_day
    while day <= last_day:
        if calendar.is_open_day(day):
            slots.extend(
                VisitSlot(unit=unit, day=day, starts=s, ends=e, capacity=capacity)
                for s, e in times
                if (day, s) not in existing
            )
        day += dt.timedelta(days=1)
    VisitSlot.objects.bulk_create(slots)
    return len(slots)


@transaction.atomic
def visit_book(
    *, slot: VisitSlot, name: str, phone: str, persons: int = 1, at: dt.datetime | None = None
) -> list[VisitTicket]:
    """Free tickets, one per person, for a timed-entry slot; one booking per phone per day."""
    now = _now(at)
    name = _clean_text(name, label=_("Your name"), max_length=60)
    phone = clean_phone(phone)
    if not 1 <= persons <= MAX_TICKETS:
        raise DomainError(
            _("A booking is for 1 to %(n)s people.") % {"n": MAX_TICKETS}, code="persons_invalid"
        )
    slot = _lock(VisitSlot, slot.pk)
    slot_end = timezone.make_aware(dt.datetime.combine(slot.day, slot.ends))
    if slot_end <= now:
        raise Refused(_("This visiting time has passed."), code="slot_past")
    if VisitTicket.objects.filter(
        slot__unit=slot.unit_id, slot__day=slot.day, phone=phone, cancelled_at__isnull=True
    ).exists():
        raise Conflict(
            _("The phone %(phone)s already has tickets for %(day)s.")
            % {"phone": phone, "day": slot.day.isoformat()},
            code="already_booked",
        )
    if slot.booked + persons > slot.capacity:
        raise Refused(
            _("Only %(n)s tickets are left for this time.") % {"n": slot.capacity - slot.booked},
            code="slot_full",
        )
    VisitSlot.objects.filter(pk=slot.pk).update(booked=F("booked") + persons)
    tickets = [
        VisitTicket.objects.create(slot=slot, name=name, phone=phone, booked_at=now) for _i in range(persons)
    ]
    _record(
        unit=slot.unit,
        actor=None,
        type=E.VISIT_BOOKED,
        at=now,
        details={"slot": slot.pk, "day": slot.day.isoformat(), "tickets": persons},
    )
    return tickets


@transaction.atomic
def visit_ticket_cancel(*, ticket: VisitTicket, at: dt.datetime | None = None) -> VisitTicket:
    now = _now(at)
    ticket = _lock(VisitTicket, ticket.pk)
    if ticket.cancelled_at or ticket.entered_at:
        raise Refused(_("This ticket is already used or cancelled."), code="ticket_closed")
    ticket.cancelled_at = now
    ticket.save(update_fields=["cancelled_at"])
    VisitSlot.objects.filter(pk=ticket.slot_id).update(booked=F("booked") - 1)
    _record(
        unit=ticket.slot.unit,
        actor=None,
        type=E.VISIT_CANCELLED,
        at=now,
        details={"slot": ticket.slot_id, "day": ticket.slot.day.isoformat(), "ticket": ticket.pk},
    )
    return ticket


@transaction.atomic
def visit_enter(*, actor, code: str, at: dt.datetime | None = None) -> VisitTicket:
    now = _now(at)
    ticket = (
        VisitTicket.objects.select_related("slot__unit").filter(code=(code or "").strip().upper()).first()
    )
    if ticket is None:
        raise NotFound(
            _("There is no ticket with the code %(code)s.") % {"code": code}, code="ticket_not_found"
        )
    require_staff_for(actor, ticket.slot.unit)
    ticket = _lock(VisitTicket, ticket.pk)
    if ticket.cancelled_at:
        raise Refused(_("This ticket was cancelled."), code="ticket_cancelled")
    if ticket.entered_at:
        raise Conflict(
            _("This ticket was already used at %(when)s.") % {"when": _local(ticket.entered_at)},
            code="ticket_used",
        )
    if ticket.slot.day != timezone.localtime(now).date():
        raise Refused(
            _("This ticket is for %(day)s, not today.") % {"day": ticket.slot.day.isoformat()},
            code="ticket_wrong_day",
        )
    ticket.entered_at = now
    ticket.save(update_fields=["entered_at"])
    _record(
        unit=ticket.slot.unit,
        actor=actor,
        type=E.VISIT_ENTERED,
        at=now,
        details={"slot": ticket.slot_id, "day": ticket.slot.day.isoformat(), "ticket": ticket.pk},
    )
    return ticket
