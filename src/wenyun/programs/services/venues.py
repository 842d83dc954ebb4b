"""Venues and what holds them: bookings, activity sessions and the unit's closures."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from wenyun.core.errors import Conflict, DomainError, Refused
from wenyun.network.access import require_staff_for
from wenyun.network.models import Unit
from wenyun.network.selectors import unit_closures

from ..models import Activity, Booking, Session, Venue
from ._common import _clean_text, _local


@transaction.atomic
def venue_create(
    *,
    actor,
    unit: Unit,
    name: str,
    kind: str = "room",
    capacity: int = 0,
    equipment: str = "",
    opens: dt.time = dt.time(8, 30),
    closes: dt.time = dt.time(21, 0),
    bookable: bool = True,
) -> Venue:
    require_staff_for(actor, unit)
    name = _clean_text(name, label=_("The venue's name"), max_length=80)
    if opens >= closes:
        raise DomainError(_("A venue must open before it closes."), code="venue_hours_invalid")
    if Venue.objects.filter(unit=unit, name=name).exists():
        raise Conflict(
            _("%(unit)s already has a venue called %(name)s.") % {"unit": unit.name, "name": name},
            code="venue_name_taken",
        )
    return Venue.objects.create(
        unit=unit,
        name=name,
        kind=kind,
        capacity=capacity,
        equipment=equipment,
        opens=opens,
        closes=closes,
        bookable=bookable,
    )


def venue_clash(
    *,
    venue: Venue,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_booking: int | None = None,
    exclude_activity: int | None = None,
) -> str | None:
    """What already holds the venue between starts_at and ends_at, named for a person; None if free."""
    day_first = timezone.localtime(starts_at).date()
    day_last = timezone.localtime(ends_at).date()
    closure = unit_closures(unit=venue.unit, first_day=day_first, last_day=day_last).first()
    if closure is not None:
        return _("%(unit)s is closed from %(first)s to %(last)s (%(reason)s)") % {
            "unit": venue.unit.name,
            "first": closure.first_day.isoformat(),
            "last": closure.last_day.isoformat(),
            "reason": closure.reason,
        }
    bookings = Booking.objects.filter(
        venue=venue, status=Booking.Status.APPROVED, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude_booking:
        bookings = bookings.exclude(pk=exclude_booking)
    booking = bookings.order_by("starts_at").first()
    if booking is not None:
        return _("the booking by %(who)s for %(purpose)s, %(start)s to %(end)s") % {
            "who": booking.requester_name,
            "purpose": booking.purpose,
            "start": _local(booking.starts_at),
            "end": date_format(timezone.localtime(booking.ends_at), "H:i"),
        }
    sessions = Session.objects.filter(
        activity__venue=venue, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exclude(activity__status=Activity.Status.CANCELLED)
    if exclude_activity:
        sessions = sessions.exclude(activity_id=exclude_activity)
    session = sessions.select_related("activity").order_by("starts_at").first()
    if session is not None:
        return _("the activity %(title)s, %(start)s to %(end)s") % {
            "title": session.activity.title,
            "start": _local(session.starts_at),
            "end": date_format(timezone.localtime(session.ends_at), "H:i"),
        }
    return None


def _refuse_clash(*, venue: Venue, clash: str | None) -> None:
    if clash:
        raise Refused(
            _("%(venue)s is not free at that time: %(clash)s.") % {"venue": venue.name, "clash": clash},
            code="venue_clash",
        )
