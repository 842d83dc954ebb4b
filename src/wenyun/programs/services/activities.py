"""Activities, their sessions, registrations with the waiting list, attendance and head counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.bounds import day_check
from wenyun.core.errors import Conflict, DomainError, Refused
from wenyun.network.access import require_staff_for
from wenyun.network.models import Unit

from ..models import Activity, Attendance, Audience, Category, Registration, Session, Venue
from ._common import (
    E,
    _clean_text,
    _local,
    _lock,
    _now,
    _record,
    _transition,
    clean_phone,
)
from .venues import _refuse_clash, venue_clash

MAX_SESSIONS = 60
MAX_PLACES = 100_000  # places or a head count: more is a typing slip (and past a database integer, a 500)
# Doors open an hour before a session: check-in is accepted from then on.
CHECK_IN_OPENS_BEFORE = dt.timedelta(hours=1)

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
    require_staff_for(actor, unit)
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
    require_staff_for(actor, activity.unit)
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
    require_staff_for(actor, activity.unit)
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
    require_staff_for(actor, activity.unit)
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
    require_staff_for(actor, activity.unit)
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
    require_staff_for(actor, activity.unit)
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
        require_staff_for(actor, activity.unit)
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
    require_staff_for(actor, activity.unit)
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
    require_staff_for(actor, session.activity.unit)
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
