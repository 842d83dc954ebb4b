"""The activity calendar (public) and registrations (staff token) of the integration contract, plus
the year's figures the statistics read."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from wenyun.circulation.selectors import reader_get
from wenyun.core.api_types import Day, Year, errors
from wenyun.core.errors import DomainError
from wenyun.network.access import access_unit
from wenyun.network.selectors import unit_get, unit_root

from . import selectors, services
from .models import Activity, Registration, Session

router = Router(tags=["programs"])

MAX_DAYS = 366
FROM = Query(None, alias="from")  # "from" is a Python keyword
TO = Query(None)  # optional, and no null in the schema


class SessionOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime


class ActivityOut(Schema):
    id: int
    title: str
    category: str
    audience: str
    unit: str
    venue: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    capacity: int
    confirmed: int
    waiting: int
    places_left: int | None
    registration_required: bool
    registration_closes: dt.datetime | None
    status: str
    sessions: list[SessionOut]


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment) if moment else None


def _activity_out(activity: Activity, sessions=None) -> ActivityOut:
    return ActivityOut(
        id=activity.pk,
        title=activity.title,
        category=activity.category,
        audience=activity.audience,
        unit=activity.unit.code,
        venue=activity.where,
        starts_at=_local(activity.starts_at),
        ends_at=_local(activity.ends_at),
        capacity=activity.capacity,
        confirmed=activity.confirmed_count,
        waiting=activity.waiting_count,
        places_left=activity.places_left,
        registration_required=activity.registration_required,
        registration_closes=_local(activity.registration_closes or activity.starts_at),
        status=activity.status,
        sessions=[
            SessionOut(starts_at=timezone.localtime(s.starts_at), ends_at=timezone.localtime(s.ends_at))
            for s in (activity.sessions.all() if sessions is None else sessions)
        ],
    )


@router.get(
    "/activities",
    response={200: list[ActivityOut], **errors(400, 404)},
    auth=None,
    summary="The public calendar of published activities",
)
def calendar(
    request,
    from_: Day = FROM,
    to: Day = TO,
    unit: str = "",
    category: str = "",
):
    """Activities with a session from `from` to `to` (inclusive; default: today and the next 30 days),
    in the subtree of `unit` (a unit code) if given, of one `category` if given. `to` before `from`,
    or more than 366 days asked at once, is refused (400 `invalid`); an unknown unit is 404."""
    first = from_ or timezone.localdate()
    last = to or first + dt.timedelta(days=30)
    if last < first:
        raise DomainError(_("'to' must not be before 'from'."), code="invalid")
    if (last - first).days > MAX_DAYS:
        raise DomainError(_("Ask for at most a year at a time."), code="invalid")
    place = unit_get(code=unit) if unit else None
    activities = selectors.calendar_activities(first_day=first, last_day=last, unit=place, category=category)
    sessions: dict[int, list] = {}
    for session in Session.objects.filter(activity__in=[a.pk for a in activities]).order_by(
        "starts_at", "pk"
    ):
        sessions.setdefault(session.activity_id, []).append(session)
    return [_activity_out(a, sessions.get(a.pk, [])) for a in activities]


@router.get(
    "/activities/{activity_id}",
    response={200: ActivityOut, **errors(400, 404)},
    auth=None,
    summary="One published activity",
)
def activity_detail(request, activity_id: int):
    return _activity_out(selectors.activity_get(pk=activity_id, public=True))


class RegistrationIn(Schema):
    card: str


class RegistrationOut(Schema):
    id: int
    activity: int
    card: str
    name: str
    status: str
    waiting_position: int | None
    code: str


def _registration_out(registration: Registration) -> RegistrationOut:
    return RegistrationOut(
        id=registration.pk,
        activity=registration.activity_id,
        card=registration.party.removeprefix("card:") if registration.party.startswith("card:") else "",
        name=registration.name,
        status=registration.status,
        waiting_position=selectors.waiting_place(registration=registration),
        code=registration.code,
    )


@router.post(
    "/activities/{activity_id}/registrations",
    response={201: RegistrationOut, **errors(400, 401, 404, 409)},
    summary="Register a reader by card (or put him on the waiting list)",
)
def register(request, activity_id: int, payload: RegistrationIn):
    """Status `confirmed` while places are left, else `waiting` with its place in the queue.
    Refusals: `already_registered`, `registration_closed`, `registration_not_yet_open`, `not_open`,
    `registration_not_needed`, `reader_not_found`."""
    activity = selectors.activity_get(pk=activity_id, public=True)
    reader = reader_get(card=payload.card)
    registration = services.registration_create(activity=activity, reader=reader, actor=request.user)
    return Status(201, _registration_out(registration))


class CancelOut(Schema):
    cancelled: RegistrationOut
    promoted: RegistrationOut | None


@router.delete(
    "/activities/{activity_id}/registrations/{card}",
    response={200: CancelOut, **errors(400, 401, 404, 409)},
    summary="Cancel a reader's registration; the first on the waiting list moves up",
)
def cancel(request, activity_id: int, card: str):
    activity = selectors.activity_get(pk=activity_id, public=True)
    registration = selectors.registration_for(activity=activity, card=card)
    promoted = services.registration_cancel(registration=registration, actor=request.user)
    registration.refresh_from_db()
    return CancelOut(
        cancelled=_registration_out(registration),
        promoted=_registration_out(promoted) if promoted else None,
    )


@router.get(
    "/activities/{activity_id}/registrations",
    response={200: list[RegistrationOut], **errors(400, 401, 404)},
    summary="The roster of an activity of the staff member's unit",
)
def roster(request, activity_id: int):
    activity = selectors.activity_get(pk=activity_id)
    access_unit(request.user, activity.unit.code)
    return [_registration_out(r) for r in selectors.activity_roster(activity=activity)]


@router.get(
    "/programs/figures",
    response={200: dict, **errors(400, 401, 404)},
    summary="The year's cultural-service counts for a unit's subtree",
)
def figures(request, year: Year, unit: str = ""):
    """activities (and by category), sessions, registrations, attendance (check-ins plus head counts),
    visitors (museum tickets used), bookings_approved, menu_delivered, menu_audience, digital_visits."""
    place = access_unit(request.user, unit) if unit else unit_root()
    if place is None:
        raise DomainError(_("The county network is empty."), code="invalid")
    return {"unit": place.code, "year": year, **selectors.year_figures(unit=place, year=year)}
