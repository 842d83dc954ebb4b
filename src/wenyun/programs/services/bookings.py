"""Venue bookings: requested by anyone, approved or refused by the venue's staff."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError, Refused
from wenyun.network.access import require_staff_for

from ..models import Booking, Troupe, Venue
from ._common import E, _clean_text, _lock, _now, _record, _transition, clean_phone
from .venues import _refuse_clash, venue_clash

BOOKING_TRANSITIONS = {
    "approve": ({Booking.Status.REQUESTED}, Booking.Status.APPROVED),
    "refuse": ({Booking.Status.REQUESTED}, Booking.Status.REFUSED),
    "cancel": ({Booking.Status.REQUESTED, Booking.Status.APPROVED}, Booking.Status.CANCELLED),
}


@transaction.atomic
def booking_request(
    *,
    venue: Venue,
    requester_kind: str,
    requester_name: str,
    phone: str,
    purpose: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    attendees: int = 1,
    account=None,
    troupe: Troupe | None = None,
    at: dt.datetime | None = None,
) -> Booking:
    now = _now(at)
    if requester_kind not in Booking.Requester.values:
        raise DomainError(
            _("%(value)s is not a kind of requester.") % {"value": requester_kind}, code="requester_invalid"
        )
    requester_name = _clean_text(requester_name, label=_("The requester's name"), max_length=80)
    purpose = _clean_text(purpose, label=_("The purpose"), max_length=200)
    phone = clean_phone(phone)
    venue = _lock(Venue, venue.pk)
    if not venue.bookable:
        raise Refused(_("%(venue)s cannot be booked.") % {"venue": venue.name}, code="venue_not_bookable")
    if starts_at >= ends_at:
        raise DomainError(_("A booking must end after it starts."), code="booking_times_invalid")
    if starts_at <= now:
        raise Refused(_("A booking must start in the future."), code="booking_in_past")
    local_start, local_end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    if (
        local_start.date() != local_end.date()
        or local_start.time() < venue.opens
        or local_end.time() > venue.closes
    ):
        raise Refused(
            _("%(venue)s can be booked from %(opens)s to %(closes)s on one day.")
            % {
                "venue": venue.name,
                "opens": venue.opens.strftime("%H:%M"),
                "closes": venue.closes.strftime("%H:%M"),
            },
            code="booking_outside_hours",
        )
    if attendees < 1:
        raise DomainError(_("At least one person must be expected."), code="attendees_invalid")
    if venue.capacity and attendees > venue.capacity:
        raise Refused(
            _("%(venue)s holds %(n)s people, not %(m)s.")
            % {"venue": venue.name, "n": venue.capacity, "m": attendees},
            code="venue_too_small",
        )
    _refuse_clash(venue=venue, clash=venue_clash(venue=venue, starts_at=starts_at, ends_at=ends_at))
    booking = Booking.objects.create(
        venue=venue,
        requester_kind=requester_kind,
        requester_name=requester_name,
        phone=phone,
        purpose=purpose,
        attendees=attendees,
        starts_at=starts_at,
        ends_at=ends_at,
        account=account if getattr(account, "pk", None) else None,
        troupe=troupe,
        created_at=now,
    )
    _record(
        unit=venue.unit,
        actor=None,
        type=E.BOOKING_REQUESTED,
        at=now,
        details={"booking": booking.pk, "venue": venue.pk},
    )
    return booking


@transaction.atomic
def booking_approve(*, actor, booking: Booking, at: dt.datetime | None = None) -> Booking:
    now = _now(at)
    venue = _lock(Venue, booking.venue_id)
    require_staff_for(actor, venue.unit)
    booking = _lock(Booking, booking.pk)
    target = _transition(BOOKING_TRANSITIONS, action="approve", obj=booking, what=_("The booking"))
    _refuse_clash(
        venue=venue,
        clash=venue_clash(
            venue=venue, starts_at=booking.starts_at, ends_at=booking.ends_at, exclude_booking=booking.pk
        ),
    )
    booking.status, booking.decided_by, booking.decided_at = target, actor, now
    booking.save(update_fields=["status", "decided_by", "decided_at"])
    _record(
        unit=venue.unit,
        actor=actor,
        type=E.BOOKING_APPROVED,
        at=now,
        details={"booking": booking.pk, "venue": venue.pk},
    )
    return booking


@transaction.atomic
def booking_refuse(*, actor, booking: Booking, reason: str, at: dt.datetime | None = None) -> Booking:
    now = _now(at)
    venue = booking.venue
    require_staff_for(actor, venue.unit)
    reason = _clean_text(reason, label=_("The reason"), max_length=200)
    booking = _lock(Booking, booking.pk)
    booking.status = _transition(BOOKING_TRANSITIONS, action="refuse", obj=booking, what=_("The booking"))
    booking.reason, booking.decided_by, booking.decided_at = reason, actor, now
    booking.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    _record(
        unit=venue.unit,
        actor=actor,
        type=E.BOOKING_REFUSED,
        at=now,
        details={"booking": booking.pk, "venue": venue.pk},
    )
    return booking


@transaction.atomic
def booking_cancel(
    *, booking: Booking, actor=None, reason: str = "", at: dt.datetime | None = None
) -> Booking:
    """The requester (or the unit's staff) cancels, up to the start of the booked time."""
    now = _now(at)
    if actor is not None and actor.is_staff_member:
        require_staff_for(actor, booking.venue.unit)
    booking = _lock(Booking, booking.pk)
    target = _transition(BOOKING_TRANSITIONS, action="cancel", obj=booking, what=_("The booking"))
    if booking.starts_at <= now:
        raise Refused(
            _("The booked time has begun: the booking can no longer be cancelled."), code="booking_begun"
        )
    booking.status, booking.reason = target, (reason or "").strip()[:200]
    booking.save(update_fields=["status", "reason"])
    _record(
        unit=booking.venue.unit,
        actor=actor,
        type=E.BOOKING_CANCELLED,
        at=now,
        details={"booking": booking.pk, "venue": booking.venue_id},
    )
    return booking
