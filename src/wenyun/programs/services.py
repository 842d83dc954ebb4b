"""Writes for cultural services. Each is atomic, checks who acts, and leaves a ProgramEvent.

Lifecycles are tables (ACTIVITY_TRANSITIONS, BOOKING_TRANSITIONS, MENU_TRANSITIONS) checked in one
place; rows whose counters move (an activity's places, a slot's tickets, a venue's calendar) are
locked through `_lock` before anything is read from them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from wenyun.core.bounds import day_check
from wenyun.core.errors import Conflict, DomainError, Forbidden, NotFound, Refused
from wenyun.network.access import user_can_manage_unit
from wenyun.network.models import Unit, UnitKind
from wenyun.network.selectors import OpeningCalendar, unit_closures, unit_township

from .models import (
    Activity,
    Attendance,
    Audience,
    Booking,
    Category,
    DigitalResource,
    DigitalUsage,
    MenuItem,
    MenuOrder,
    News,
    ProgramEvent,
    Registration,
    Session,
    Troupe,
    TroupePerformance,
    TroupeSupport,
    Venue,
    VisitSlot,
    VisitTicket,
)

E = ProgramEvent.Type
MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAX_TICKETS = 5
MAX_SESSIONS = 60
MAX_PLACES = 100_000  # places or a head count: more is a typing slip (and past a database integer, a 500)
# Doors open an hour before a session: check-in is accepted from then on.
CHECK_IN_OPENS_BEFORE = dt.timedelta(hours=1)


# --- shared helpers ---------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _record(*, unit: Unit, actor, type: str, details: dict, at: dt.datetime | None = None) -> None:
    ProgramEvent.objects.create(
        unit=unit,
        actor=actor if getattr(actor, "pk", None) else None,
        type=type,
        at=_now(at),
        details=details,
    )


def _require_staff_for(actor, unit: Unit) -> None:
    """actor None is the system itself (the demo builder, an import run from the shell)."""
    if actor is None:
        return
    if not user_can_manage_unit(actor, unit):
        raise Forbidden(
            _("You may not act for %(unit)s: it is outside your unit.") % {"unit": unit.name},
            code="unit_forbidden",
        )


def _lock(model, pk: int):
    return model.objects.select_for_update().get(pk=pk)


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def clean_phone(phone: str) -> str:
    digits = re.sub(r"[\s-]", "", phone or "")
    if not MOBILE.match(digits):
        raise DomainError(
            _("%(phone)s is not a mobile phone number: give the 11 digits starting with 1.")
            % {"phone": phone},
            code="phone_invalid",
        )
    return digits


def _clean_text(value: str, *, label: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(_("%(field)s is missing.") % {"field": label}, code="field_missing")
    if len(text) > max_length:
        raise DomainError(
            _("%(field)s is too long: at most %(n)s characters.") % {"field": label, "n": max_length},
            code="field_too_long",
        )
    return text


def _transition(table: dict, *, action: str, obj, what: str) -> str:
    """The state `action` moves obj to, or a refusal naming the state it is in."""
    allowed_from, target = table[action]
    if obj.status not in allowed_from:
        raise Refused(
            _("%(what)s is %(status)s: that cannot be done now.")
            % {"what": what, "status": obj.get_status_display()},
            code="wrong_status",
        )
    return target


# --- venues and clashes -----------------------------------------------------------------------


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
    _require_staff_for(actor, unit)
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


# --- activities -------------------------------------------------------------------------------

ACTIVITY_TRANSITIONS = {
    "publish": ({Activity.Status.DRAFT}, Activity.Status.PUBLISHED),
    "cancel": ({Activity.Status.DRAFT, Activity.Status.PUBLISHED}, Activity.Status.CANCELLED),
}


def weekly_sessions(
    *, first_start: dt.datetime, minutes: int, count: int, every_days: int = 7
) -> list[tuple[dt.datetime, dt.datetime]]:
    """A recurring schedule: count sessions of the given length, every_days apart."""
    if count < 1 or count > MAX_SESSIONS:
        raise DomainError(
            _("An activity has between 1 and %(n)s sessions.") % {"n": MAX_SESSIONS}, code="sessions_invalid"
        )
    if minutes < 1:
        raise DomainError(_("A session lasts at least a minute."), code="sessions_invalid")
    # The first day inside the window keeps the last one (60 weeks on) far from date.max.
    day_check(
        timezone.localtime(first_start).date() if timezone.is_aware(first_start) else first_start.date()
    )
    return [
        (
            first_start + dt.timedelta(days=every_days * i),
            first_start + dt.timedelta(days=every_days * i, minutes=minutes),
        )
        for i in range(count)
    ]


def _check_details(
    *,
    unit: Unit,
    title: str,
    category: str,
    venue: Venue | None,
    place: str,
    registration_opens: dt.datetime | None,
    registration_closes: dt.datetime | None,
) -> tuple[str, str]:
    """The checks an activity's description passes on creation and on every change: (title, place)."""
    title = _clean_text(title, label=_("The title"), max_length=120)
    if category not in Category.values:
        raise DomainError(
            _("%(value)s is not an activity category.") % {"value": category}, code="category_invalid"
        )
    if venue is not None and not venue.unit.path.startswith(unit.path):
        raise DomainError(
            _("%(venue)s does not belong to %(unit)s.") % {"venue": venue.name, "unit": unit.name},
            code="venue_elsewhere",
        )
    place = (place or "").strip()
    if venue is None and not place:
        raise DomainError(_("Say where the activity takes place: a venue or a place."), code="place_missing")
    if len(place) > 120:
        raise DomainError(
            _("%(field)s is too long: at most %(n)s characters.") % {"field": _("The place"), "n": 120},
            code="field_too_long",
        )
    if registration_opens and registration_closes and registration_opens >= registration_closes:
        raise DomainError(_("Registration must open before it closes."), code="window_invalid")
    return title, place


@transaction.atomic
def activity_create(
    *,
    actor,
    unit: Unit,
    title: str,
    category: str,
    sessions: Iterable[tuple[dt.datetime, dt.datetime]],
    venue: Venue | None = None,
    place: str = "",
    audience: str = "all",
    description: str = "",
    capacity: int = 0,
    registration_required: bool = True,
    registration_opens: dt.datetime | None = None,
    registration_closes: dt.datetime | None = None,
    publish: bool = False,
    at: dt.datetime | None = None,
) -> Activity:
    _require_staff_for(actor, unit)
    title, place = _check_details(
        unit=unit,
        title=title,
        category=category,
        venue=venue,
        place=place,
        registration_opens=registration_opens,
        registration_closes=registration_closes,
    )
    if capacity < 0:
        raise DomainError(_("The number of places cannot be negative."), code="capacity_invalid")
    if capacity > MAX_PLACES:
        raise DomainError(
            _("An activity has at most %(n)s places.") % {"n": f"{MAX_PLACES:,}"}, code="capacity_invalid"
        )
    periods = sorted(sessions)
    if not periods:
        raise DomainError(_("An activity needs at least one session."), code="sessions_invalid")
    if len(periods) > MAX_SESSIONS:
        raise DomainError(
            _("An activity has between 1 and %(n)s sessions.") % {"n": MAX_SESSIONS}, code="sessions_invalid"
        )
    for starts_at, ends_at in periods:
        if starts_at >= ends_at:
            raise DomainError(
                _("A session must end after it starts (%(start)s).") % {"start": _local(starts_at)},
                code="sessions_invalid",
            )
    for moment in (periods[0][0], periods[-1][1]):
        day_check(timezone.localtime(moment).date())
    if registration_closes and registration_closes > periods[-1][1]:
        raise DomainError(_("Registration cannot close after the activity has ended."), code="window_invalid")
    if venue is not None:
        _lock(Venue, venue.pk)
        for starts_at, ends_at in periods:
            _refuse_clash(venue=venue, clash=venue_clash(venue=venue, starts_at=starts_at, ends_at=ends_at))
    activity = Activity.objects.create(
        unit=unit,
        venue=venue,
        place=place,
        title=title,
        category=category,
        audience=audience,
        description=description,
        capacity=capacity,
        registration_required=registration_required,
        registration_opens=registration_opens,
        registration_closes=registration_closes,
        starts_at=periods[0][0],
        ends_at=max(end for _start, end in periods),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    Session.objects.bulk_create(Session(activity=activity, starts_at=s, ends_at=e) for s, e in periods)
    if publish:
        activity_publish(actor=actor, activity=activity, at=at)
    return activity


@transaction.atomic
def activity_publish(*, actor, activity: Activity, at: dt.datetime | None = None) -> Activity:
    _require_staff_for(actor, activity.unit)
    activity = _lock(Activity, activity.pk)
    activity.status = _transition(ACTIVITY_TRANSITIONS, action="publish", obj=activity, what=activity.title)
    activity.save(update_fields=["status"])
    _record(
        unit=activity.unit,
        actor=actor,
        type=E.ACTIVITY_PUBLISHED,
        at=at,
        details={
            "activity": activity.pk,
            "category": activity.category,
            "sessions": activity.sessions.count(),
        },
    )
    return activity


@transaction.atomic
def activity_cancel(*, actor, activity: Activity, at: dt.datetime | None = None) -> Activity:
    """Cancel the whole activity; every registration ends with it (nobody is promoted)."""
    _require_staff_for(actor, activity.unit)
    activity = _lock(Activity, activity.pk)
    activity.status = _transition(ACTIVITY_TRANSITIONS, action="cancel", obj=activity, what=activity.title)
    activity.confirmed_count = 0
    activity.waiting_count = 0
    activity.save(update_fields=["status", "confirmed_count", "waiting_count"])
    activity.registrations.exclude(status=Registration.Status.CANCELLED).update(
        status=Registration.Status.CANCELLED, cancelled_at=_now(at)
    )
    _record(
        unit=activity.unit, actor=actor, type=E.ACTIVITY_CANCELLED, at=at, details={"activity": activity.pk}
    )
    return activity


@transaction.atomic
def activity_update(
    *,
    actor,
    activity: Activity,
    title: str,
    category: str,
    audience: str,
    description: str,
    venue: Venue | None,
    place: str,
    registration_required: bool,
    registration_opens: dt.datetime | None,
    registration_closes: dt.datetime | None,
    at: dt.datetime | None = None,
) -> Activity:
    """Change what an activity is and where; its places change through activity_set_capacity and its
    sessions through session_move. A cancelled activity stays as it was."""
    _require_staff_for(actor, activity.unit)
    activity = _lock(Activity, activity.pk)
    if activity.status == Activity.Status.CANCELLED:
        raise Refused(
            _("%(title)s was cancelled: it can no longer be changed.") % {"title": activity.title},
            code="wrong_status",
        )
    title, place = _check_details(
        unit=activity.unit,
        title=title,
        category=category,
        venue=venue,
        place=place,
        registration_opens=registration_opens,
        registration_closes=registration_closes,
    )
    if audience not in Audience.values:
        raise DomainError(_("%(value)s is not an audience.") % {"value": audience}, code="audience_invalid")
    if registration_closes and activity.ends_at and registration_closes > activity.ends_at:
        raise DomainError(_("Registration cannot close after the activity has ended."), code="window_invalid")
    holders = activity.confirmed_count + activity.waiting_count
    if activity.registration_required and not registration_required and holders:
        raise Refused(
            _("%(n)s people have registered: registration stays needed until they are cancelled.")
            % {"n": holders},
            code="registrations_exist",
        )
    if venue is not None and venue.pk != activity.venue_id:
        _lock(Venue, venue.pk)
        for session in activity.sessions.filter(ends_at__gt=_now(at)):
            _refuse_clash(
                venue=venue,
                clash=venue_clash(
                    venue=venue,
                    starts_at=session.starts_at,
                    ends_at=session.ends_at,
                    exclude_activity=activity.pk,
                ),
            )
    new = {
        "title": title,
        "category": category,
        "audience": audience,
        "description": description or "",
        "venue_id": venue.pk if venue is not None else None,
        "place": "" if venue is not None else place,
        "registration_required": registration_required,
        "registration_opens": registration_opens,
        "registration_closes": registration_closes,
    }
    changed = [field for field, value in new.items() if getattr(activity, field) != value]
    if not changed:
        return activity
    for field in changed:
        setattr(activity, field, new[field])
    activity.save(update_fields=changed)
    _record(
        unit=activity.unit,
        actor=actor,
        type=E.ACTIVITY_CHANGED,
        at=at,
        details={"activity": activity.pk, "fields": [f.removesuffix("_id") for f in changed]},
    )
    return activity


@transaction.atomic
def session_move(
    *, actor, session: Session, starts_at: dt.datetime, ends_at: dt.datetime, at: dt.datetime | None = None
) -> Session:
    """Move one session that has not begun to another time (the venue must be free then)."""
    now = _now(at)
    activity = _lock(Activity, session.activity_id)
    _require_staff_for(actor, activity.unit)
    session = Session.objects.select_for_update().get(pk=session.pk)
    when = _local(session.starts_at)
    if activity.status == Activity.Status.CANCELLED:
        raise Refused(
            _("%(title)s was cancelled: it can no longer be changed.") % {"title": activity.title},
            code="wrong_status",
        )
    if session.starts_at <= now or session.attendances.exists():
        raise Refused(
            _("The session of %(when)s has already begun: it cannot be moved.") % {"when": when},
            code="session_begun",
        )
    if starts_at >= ends_at:
        raise DomainError(
            _("A session must end after it starts (%(start)s).") % {"start": _local(starts_at)},
            code="sessions_invalid",
        )
    if starts_at <= now:
        raise DomainError(
            _("A session cannot be moved into the past (%(start)s).") % {"start": _local(starts_at)},
            code="sessions_invalid",
        )
    others = sorted(activity.sessions.exclude(pk=session.pk).values_list("starts_at", "ends_at"))
    overlapped = next((s for s, e in others if s < ends_at and e > starts_at), None)
    if overlapped is not None:
        raise Refused(
            _("That time overlaps the session of %(when)s.") % {"when": _local(overlapped)},
            code="sessions_overlap",
        )
    if activity.venue_id:
        venue = _lock(Venue, activity.venue_id)
        _refuse_clash(
            venue=venue,
            clash=venue_clash(
                venue=venue, starts_at=starts_at, ends_at=ends_at, exclude_activity=activity.pk
            ),
        )
    first = min([starts_at, *(s for s, _e in others)])
    last = max([ends_at, *(e for _s, e in others)])
    if activity.registration_closes and activity.registration_closes > last:
        raise DomainError(_("Registration cannot close after the activity has ended."), code="window_invalid")
    session.starts_at, session.ends_at = starts_at, ends_at
    session.save(update_fields=["starts_at", "ends_at"])
    activity.starts_at, activity.ends_at = first, last
    activity.save(update_fields=["starts_at", "ends_at"])
    _record(
        unit=activity.unit,
        actor=actor,
        type=E.SESSION_MOVED,
        at=now,
        details={
            "activity": activity.pk,
            "session": session.pk,
            "was": when,
            "now": _local(starts_at),
        },
    )
    return session


@transaction.atomic
def activity_set_capacity(
    *, actor, activity: Activity, capacity: int, at: dt.datetime | None = None
) -> list[Registration]:
    """Change the number of places; added places go to the waiting list in order (returned)."""
    now = _now(at)
    _require_staff_for(actor, activity.unit)
    activity = _lock(Activity, activity.pk)
    if capacity < 0:
        raise DomainError(_("The number of places cannot be negative."), code="capacity_invalid")
    if capacity > MAX_PLACES:
        raise DomainError(
            _("An activity has at most %(n)s places.") % {"n": f"{MAX_PLACES:,}"}, code="capacity_invalid"
        )
    if capacity and capacity < activity.confirmed_count:
        raise Refused(
            _("%(n)s people already hold places: the activity cannot have fewer.")
            % {"n": activity.confirmed_count},
            code="capacity_below_confirmed",
        )
    activity.capacity = capacity
    activity.save(update_fields=["capacity"])
    free = activity.waiting_count if not capacity else max(0, capacity - activity.confirmed_count)
    promoted = list(
        Registration.objects.select_for_update()
        .filter(activity=activity, status=Registration.Status.WAITING)
        .order_by("registered_at", "pk")[:free]
    )
    for registration in promoted:
        registration.status, registration.promoted_at = Registration.Status.CONFIRMED, now
        registration.save(update_fields=["status", "promoted_at"])
        _record(
            unit=activity.unit,
            actor=actor,
            type=E.PROMOTED,
            at=now,
            details={"activity": activity.pk, "registration": registration.pk},
        )
    if promoted:
        Activity.objects.filter(pk=activity.pk).update(
            confirmed_count=F("confirmed_count") + len(promoted),
            waiting_count=F("waiting_count") - len(promoted),
        )
    return promoted


def _registration_window(activity: Activity, now: dt.datetime) -> None:
    if activity.status != Activity.Status.PUBLISHED:
        raise Refused(
            _("%(title)s is not open for registration.") % {"title": activity.title}, code="not_open"
        )
    if not activity.registration_required:
        raise Refused(
            _("%(title)s needs no registration: just come.") % {"title": activity.title},
            code="registration_not_needed",
        )
    if activity.registration_opens and now < activity.registration_opens:
        raise Refused(
            _("Registration for %(title)s opens at %(when)s.")
            % {"title": activity.title, "when": _local(activity.registration_opens)},
            code="registration_not_yet_open",
        )
    closes = activity.registration_closes or activity.starts_at
    if closes and now >= closes:
        raise Refused(
            _("Registration for %(title)s closed at %(when)s.")
            % {"title": activity.title, "when": _local(closes)},
            code="registration_closed",
        )


@transaction.atomic
def registration_create(
    *,
    activity: Activity,
    reader=None,
    account=None,
    name: str = "",
    phone: str = "",
    actor=None,
    at: dt.datetime | None = None,
) -> Registration:
    """Register a reader (by card), a portal account, or a person by name and mobile phone.

    Confirmed while places are left, else on the waiting list in order of registration.
    """
    now = _now(at)
    activity = _lock(Activity, activity.pk)
    _registration_window(activity, now)
    if reader is None and account is not None:
        reader = getattr(account, "reader", None)
    if reader is not None:
        party, channel = f"card:{reader.card}", "card"
        name, phone = reader.name, reader.phone
    elif account is not None:
        party, channel = f"user:{account.pk}", "account"
        name = str(account)
        phone = account.phone or ""
    else:
        name = _clean_text(name, label=_("Your name"), max_length=60)
        phone = clean_phone(phone)
        party, channel = f"phone:{phone}", "phone"
    if (
        Registration.objects.filter(activity=activity, party=party)
        .exclude(status=Registration.Status.CANCELLED)
        .exists()
    ):
        raise Conflict(
            _("%(name)s is already registered for %(title)s.") % {"name": name, "title": activity.title},
            code="already_registered",
        )
    full = bool(activity.capacity) and activity.confirmed_count >= activity.capacity
    status = Registration.Status.WAITING if full else Registration.Status.CONFIRMED
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                activity=activity,
                reader=reader,
                account=account if getattr(account, "pk", None) else None,
                party=party,
                name=name,
                phone=phone,
                status=status,
                registered_at=now,
            )
    except IntegrityError:
        raise Conflict(
            _("%(name)s is already registered for %(title)s.") % {"name": name, "title": activity.title},
            code="already_registered",
        ) from None
    counter = "waiting_count" if full else "confirmed_count"
    Activity.objects.filter(pk=activity.pk).update(**{counter: F(counter) + 1})
    _record(
        unit=activity.unit,
        actor=actor,
        type=E.REGISTERED,
        at=now,
        details={
            "activity": activity.pk,
            "registration": registration.pk,
            "status": status,
            "channel": channel,
        },
    )
    return registration


@transaction.atomic
def registration_cancel(
    *, registration: Registration, actor=None, at: dt.datetime | None = None
) -> Registration | None:
    """Cancel; a confirmed place goes to the first on the waiting list, who is returned (else None).

    The registrant cancels through his code (actor None); staff cancel another reader's registration
    only for an activity of their subtree."""
    now = _now(at)
    activity = _lock(Activity, registration.activity_id)
    if actor is not None and getattr(actor, "is_staff_member", False):
        _require_staff_for(actor, activity.unit)
    registration = _lock(Registration, registration.pk)
    if registration.status == Registration.Status.CANCELLED:
        raise Refused(_("This registration is already cancelled."), code="already_cancelled")
    if activity.starts_at and now >= activity.starts_at:
        raise Refused(
            _("%(title)s has already begun: the registration can no longer be cancelled.")
            % {"title": activity.title},
            code="activity_begun",
        )
    was = registration.status
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at"])
    counter = "confirmed_count" if was == Registration.Status.CONFIRMED else "waiting_count"
    Activity.objects.filter(pk=activity.pk).update(**{counter: F(counter) - 1})
    _record(
        unit=activity.unit,
        actor=actor,
        type=E.REGISTRATION_CANCELLED,
        at=now,
        details={"activity": activity.pk, "registration": registration.pk, "was": was},
    )
    if was != Registration.Status.CONFIRMED:
        return None
    first = (
        Registration.objects.select_for_update()
        .filter(activity=activity, status=Registration.Status.WAITING)
        .order_by("registered_at", "pk")
        .first()
    )
    if first is None:
        return None
    first.status = Registration.Status.CONFIRMED
    first.promoted_at = now
    first.save(update_fields=["status", "promoted_at"])
    Activity.objects.filter(pk=activity.pk).update(
        confirmed_count=F("confirmed_count") + 1, waiting_count=F("waiting_count") - 1
    )
    _record(
        unit=activity.unit,
        actor=None,
        type=E.PROMOTED,
        at=now,
        details={"activity": activity.pk, "registration": first.pk},
    )
    return first


@transaction.atomic
def attendance_check_in(
    *,
    actor,
    session: Session,
    registration: Registration,
    method: str = Attendance.Method.LIST,
    at: dt.datetime | None = None,
) -> Attendance:
    now = _now(at)
    activity = session.activity
    _require_staff_for(actor, activity.unit)
    if registration.activity_id != activity.pk:
        raise Refused(
            _("%(name)s is registered for another activity, not %(title)s.")
            % {"name": registration.name, "title": activity.title},
            code="wrong_activity",
        )
    if registration.status != Registration.Status.CONFIRMED:
        raise Refused(
            _("%(name)s has no confirmed place (%(status)s).")
            % {"name": registration.name, "status": registration.get_status_display()},
            code="not_confirmed",
        )
    opens = session.starts_at - CHECK_IN_OPENS_BEFORE
    if now < opens:
        raise Refused(
            _("Check-in for this session opens at %(when)s.") % {"when": _local(opens)},
            code="check_in_too_early",
        )
    earlier = Attendance.objects.filter(session=session, registration=registration).first()
    if earlier is not None:
        raise Conflict(
            _("%(name)s already checked in at %(when)s.")
            % {"name": registration.name, "when": _local(earlier.at)},
            code="already_checked_in",
        )
    attendance = Attendance.objects.create(
        session=session,
        registration=registration,
        at=now,
        method=method,
        by=actor if getattr(actor, "pk", None) else None,
    )
    _record(
        unit=activity.unit,
        actor=actor,
        type=E.CHECKED_IN,
        at=now,
        details={
            "activity": activity.pk,
            "session": session.pk,
            "registration": registration.pk,
            "method": method,
        },
    )
    return attendance


@transaction.atomic
def session_walk_ins_record(*, actor, session: Session, count: int, at: dt.datetime | None = None) -> Session:
    """The head count of people who came without registering (the only count where none is needed)."""
    _require_staff_for(actor, session.activity.unit)
    if count < 0:
        raise DomainError(_("A head count cannot be negative."), code="count_invalid")
    if count > MAX_PLACES:
        raise DomainError(
            _("A head count is at most %(n)s.") % {"n": f"{MAX_PLACES:,}"}, code="count_invalid"
        )
    session = _lock(Session, session.pk)
    session.walk_ins = count
    session.save(update_fields=["walk_ins"])
    _record(
        unit=session.activity.unit,
        actor=actor,
        type=E.WALK_INS_RECORDED,
        at=at,
        details={"activity": session.activity_id, "session": session.pk, "count": count},
    )
    return session


# --- bookings -----------------------------------------------------------------------------------

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
    _require_staff_for(actor, venue.unit)
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
    _require_staff_for(actor, venue.unit)
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
        _require_staff_for(actor, booking.venue.unit)
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


# --- museum timed entry -----------------------------------------------------------------------


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
    _require_staff_for(actor, unit)
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
    _require_staff_for(actor, ticket.slot.unit)
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


# --- the service menu (点单) --------------------------------------------------------------------

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
    _require_staff_for(actor, provider)
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
    _require_staff_for(actor, unit)
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
    _require_staff_for(actor, order.item.provider)
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
    _require_staff_for(actor, order.item.provider)
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
    _require_staff_for(actor, order.unit)
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


# --- troupes ------------------------------------------------------------------------------------


@transaction.atomic
def troupe_register(
    *,
    actor,
    unit: Unit,
    name: str,
    art_form: str,
    leader: str,
    phone: str = "",
    members: int = 0,
    rehearsal_venue: Venue | None = None,
    founded_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Troupe:
    _require_staff_for(actor, unit)
    name = _clean_text(name, label=_("The troupe's name"), max_length=80)
    art_form = _clean_text(art_form, label=_("The art form"), max_length=40)
    leader = _clean_text(leader, label=_("The leader"), max_length=60)
    if phone:
        phone = clean_phone(phone)
    if Troupe.objects.filter(unit=unit, name=name).exists():
        raise Conflict(
            _("%(unit)s already has a troupe called %(name)s.") % {"unit": unit.name, "name": name},
            code="troupe_name_taken",
        )
    troupe = Troupe.objects.create(
        unit=unit,
        name=name,
        art_form=art_form,
        leader=leader,
        phone=phone,
        members=members,
        rehearsal_venue=rehearsal_venue,
        founded_on=founded_on,
    )
    _record(unit=unit, actor=actor, type=E.TROUPE_REGISTERED, at=at, details={"troupe": troupe.pk})
    return troupe


@transaction.atomic
def troupe_support_add(
    *, actor, troupe: Troupe, kind: str, on: dt.date, description: str, amount: Decimal | str = "0", at=None
) -> TroupeSupport:
    _require_staff_for(actor, troupe.unit)
    if kind not in TroupeSupport.Kind.values:
        raise DomainError(_("%(value)s is not a kind of support.") % {"value": kind}, code="kind_invalid")
    try:
        money = Decimal(str(amount or "0"))
    except InvalidOperation:
        raise DomainError(
            _("%(value)s is not an amount of money.") % {"value": amount}, code="amount_invalid"
        ) from None
    if money < 0:
        raise DomainError(_("An amount cannot be negative."), code="amount_invalid")
    support = TroupeSupport.objects.create(
        troupe=troupe,
        kind=kind,
        on=on,
        description=_clean_text(description, label=_("What"), max_length=200),
        amount=money,
    )
    _record(
        unit=troupe.unit,
        actor=actor,
        type=E.TROUPE_SUPPORTED,
        at=at,
        details={"troupe": troupe.pk, "kind": kind, "amount": str(money)},
    )
    return support


@transaction.atomic
def troupe_performance_add(
    *, actor, troupe: Troupe, on: dt.date, title: str, place: str, audience: int, at=None
) -> TroupePerformance:
    _require_staff_for(actor, troupe.unit)
    if audience < 0:
        raise DomainError(_("An audience cannot be negative."), code="audience_invalid")
    performance = TroupePerformance.objects.create(
        troupe=troupe,
        on=on,
        title=_clean_text(title, label=_("The title"), max_length=120),
        place=_clean_text(place, label=_("The place"), max_length=120),
        audience=audience,
    )
    _record(
        unit=troupe.unit,
        actor=actor,
        type=E.TROUPE_PERFORMED,
        at=at,
        details={"troupe": troupe.pk, "audience": audience, "on": on.isoformat()},
    )
    return performance


# --- digital resources ------------------------------------------------------------------------


@transaction.atomic
def digital_usage_record(
    *, actor, resource: DigitalResource, unit: Unit, month: dt.date, visits: int, downloads: int = 0, at=None
) -> DigitalUsage:
    """A month's figures for one unit; entering them again replaces the month."""
    _require_staff_for(actor, unit)
    if visits < 0 or downloads < 0:
        raise DomainError(_("Usage figures cannot be negative."), code="usage_invalid")
    if not resource.units.filter(pk=unit.pk).exists():
        raise Refused(
            _("%(resource)s is not offered at %(unit)s.") % {"resource": resource.title, "unit": unit.name},
            code="resource_not_offered",
        )
    month = month.replace(day=1)
    usage, _created = DigitalUsage.objects.update_or_create(
        resource=resource, unit=unit, month=month, defaults={"visits": visits, "downloads": downloads}
    )
    _record(
        unit=unit,
        actor=actor,
        type=E.DIGITAL_USAGE,
        at=at,
        details={
            "resource": resource.pk,
            "month": month.isoformat()[:7],
            "visits": visits,
            "downloads": downloads,
        },
    )
    return usage


# --- news -------------------------------------------------------------------------------------

PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024


@transaction.atomic
def news_save(
    *,
    actor,
    unit: Unit,
    title: str,
    body: str,
    is_notice: bool = False,
    photo=None,
    news: News | None = None,
    publish: bool = False,
    at: dt.datetime | None = None,
) -> News:
    _require_staff_for(actor, unit)
    title = _clean_text(title, label=_("The title"), max_length=120)
    body = _clean_text(body, label=_("The text"), max_length=20000)
    if photo is not None:
        content_type = getattr(photo, "content_type", "")
        if content_type not in PHOTO_TYPES:
            raise DomainError(_("A photo must be a JPEG, PNG, WebP or GIF image."), code="photo_invalid")
        if photo.size > PHOTO_MAX_BYTES:
            raise DomainError(_("A photo may be at most 5 MB."), code="photo_too_big")
    if news is None:
        news = News(unit=unit, author=actor if getattr(actor, "pk", None) else None)
    elif news.unit_id != unit.pk:
        raise Forbidden(_("This item belongs to another unit."), code="unit_forbidden")
    news.title, news.body, news.is_notice = title, body, is_notice
    if photo is not None:
        news.photo.save(f"photo{PHOTO_TYPES[photo.content_type]}", photo, save=False)
    news.save()
    if publish and news.status != News.Status.PUBLISHED:
        news.status, news.published_at = News.Status.PUBLISHED, _now(at)
        news.save(update_fields=["status", "published_at"])
        _record(unit=unit, actor=actor, type=E.NEWS_PUBLISHED, at=at, details={"news": news.pk})
    return news


def registration_party_filter(*, card: str = "", phone: str = "", account=None) -> Q:
    """The registrations of one person, however he registered."""
    q = Q(pk__in=[])
    if card:
        q |= Q(party=f"card:{card}")
    if phone:
        q |= Q(party=f"phone:{phone}")
    if account is not None and getattr(account, "pk", None):
        q |= Q(party=f"user:{account.pk}") | Q(account=account)
        reader = getattr(account, "reader", None)
        if reader is not None:
            q |= Q(party=f"card:{reader.card}")
    return q
