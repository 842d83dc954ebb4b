"""Reads for cultural services: the rows a page fetches by id or code (through access helpers that
check who asks), the public calendar, a person's registrations, a unit's bookings, menu orders and
the township performance count, and the yearly figures the statistics use."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import NotFound
from wenyun.network.access import units_visible_to, user_can_manage_unit
from wenyun.network.models import Unit, UnitKind

from .models import (
    Activity,
    Attendance,
    Booking,
    DigitalUsage,
    MenuItem,
    MenuOrder,
    News,
    Registration,
    Session,
    Troupe,
    Venue,
    VisitSlot,
    VisitTicket,
)
from .services import registration_party_filter

# Performances sent to each township per year (Guangxi's standard, standards-reference.md). The
# ledger holds the county's own threshold as data; this is the figure the menu page shows by default.
PERFORMANCES_PER_TOWNSHIP = 4


def activity_get(*, pk: int, public: bool = False) -> Activity:
    activities = Activity.objects.select_related("unit", "venue")
    if public:
        activities = activities.exclude(status=Activity.Status.DRAFT)
    activity = activities.filter(pk=pk).first()
    if activity is None:
        raise NotFound(_("There is no activity number %(id)s.") % {"id": pk}, code="activity_not_found")
    return activity


# --- access: one row by id or code, for whoever asks ------------------------------------------
# Staff reach the rows of their own subtree; another unit's row is not found, exactly as a missing one
# (the pages answer both with the same 404). What a staff member may then do with it, the services check.


def access_activity(user, pk: int) -> Activity:
    """An activity of the staff member's subtree, whatever its status."""
    activity = (
        Activity.objects.select_related("unit", "venue")
        .filter(pk=pk, unit__in=units_visible_to(user))
        .first()
    )
    if activity is None:
        raise NotFound(_("There is no activity number %(id)s.") % {"id": pk}, code="activity_not_found")
    return activity


def access_session(user, pk: int, *, activity: Activity) -> Session:
    """A session of that activity, in the staff member's subtree."""
    session = Session.objects.filter(
        pk=pk, activity=activity, activity__unit__in=units_visible_to(user)
    ).first()
    if session is None:
        raise NotFound(_("There is no such session."), code="session_not_found")
    return session


def access_registration(user, pk: int, *, activity: Activity) -> Registration:
    """A registration for that activity, in the staff member's subtree (checked in from the list)."""
    registration = Registration.objects.filter(
        pk=pk, activity=activity, activity__unit__in=units_visible_to(user)
    ).first()
    if registration is None:
        raise NotFound(_("There is no such registration."), code="registration_not_found")
    return registration


def access_registration_by_code(user, code: str) -> Registration:
    """The registration a QR code names, for the staff of the activity's unit (at the door)."""
    registration = Registration.objects.select_related("activity__unit").filter(code=code.upper()).first()
    if registration is None or not user_can_manage_unit(user, registration.activity.unit):
        raise NotFound(
            _("There is no registration with the code %(code)s.") % {"code": code}, code="code_unknown"
        )
    return registration


def access_booking(user, pk: int) -> Booking:
    """A booking, for any staff member: only the venue's unit may decide it, and the services tell the
    others why (nothing changes), rather than a bare 404."""
    booking = None
    if getattr(user, "is_staff_member", False):
        booking = Booking.objects.select_related("venue__unit").filter(pk=pk).first()
    if booking is None:
        raise NotFound(_("There is no such booking."), code="booking_not_found")
    return booking


def access_menu_order(user, pk: int) -> MenuOrder:
    """A menu order, for any staff member: the services check who may confirm, decline, cancel or
    record it (the provider or the ordering unit) and tell the others why."""
    order = None
    if getattr(user, "is_staff_member", False):
        order = MenuOrder.objects.select_related("item__provider", "unit").filter(pk=pk).first()
    if order is None:
        raise NotFound(_("There is no such order."), code="order_not_found")
    return order


def access_troupe(user, pk: int) -> Troupe:
    """A troupe of the staff member's subtree."""
    troupe = Troupe.objects.select_related("unit").filter(pk=pk, unit__in=units_visible_to(user)).first()
    if troupe is None:
        raise NotFound(_("There is no such troupe."), code="troupe_not_found")
    return troupe


def access_news(user, pk: int) -> News:
    """A news item of the staff member's subtree, draft or published."""
    item = News.objects.select_related("unit").filter(pk=pk, unit__in=units_visible_to(user)).first()
    if item is None:
        raise NotFound(_("There is no such news item."), code="news_not_found")
    return item


# The public pages: what anyone may reach by its id, or by the code in the link he was given.


def news_get(*, pk: int, public: bool = False) -> News:
    news = News.objects.select_related("unit")
    if public:
        news = news.filter(status=News.Status.PUBLISHED)
    item = news.filter(pk=pk).first()
    if item is None:
        raise NotFound(_("There is no such news item."), code="news_not_found")
    return item


def venue_get(*, pk: int, bookable: bool = False) -> Venue:
    venues = Venue.objects.select_related("unit")
    if bookable:
        venues = venues.filter(bookable=True)
    venue = venues.filter(pk=pk).first()
    if venue is None:
        raise NotFound(_("There is no such venue."), code="venue_not_found")
    return venue


def booking_by_code(*, code: str) -> Booking:
    booking = Booking.objects.select_related("venue__unit").filter(code=code.upper()).first()
    if booking is None:
        raise NotFound(
            _("There is no booking with the code %(code)s.") % {"code": code}, code="booking_not_found"
        )
    return booking


def visit_slot_get(*, pk: int) -> VisitSlot:
    slot = VisitSlot.objects.select_related("unit").filter(pk=pk).first()
    if slot is None:
        raise NotFound(_("There is no such visiting time."), code="slot_not_found")
    return slot


def visit_ticket_by_code(*, code: str) -> VisitTicket:
    ticket = VisitTicket.objects.select_related("slot__unit").filter(code=code.upper()).first()
    if ticket is None:
        raise NotFound(
            _("There is no ticket with the code %(code)s.") % {"code": code}, code="ticket_not_found"
        )
    return ticket


def calendar_sessions(
    *,
    first_day: dt.date,
    last_day: dt.date,
    unit: Unit | None = None,
    category: str = "",
) -> QuerySet[Session]:
    """Published activities' sessions between two days (inclusive), in a unit's subtree if given."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    sessions = Session.objects.select_related("activity__unit", "activity__venue").filter(
        activity__status=Activity.Status.PUBLISHED, starts_at__gte=start, starts_at__lt=end
    )
    if unit is not None:
        sessions = sessions.filter(activity__unit__path__startswith=unit.path)
    if category:
        sessions = sessions.filter(activity__category=category)
    return sessions.order_by("starts_at", "pk")


def calendar_activities(
    *, first_day: dt.date, last_day: dt.date, unit: Unit | None = None, category: str = ""
) -> list[Activity]:
    """Published activities with a session between the two days, each once, by their next session."""
    seen: dict[int, Activity] = {}
    for session in calendar_sessions(first_day=first_day, last_day=last_day, unit=unit, category=category):
        activity = session.activity
        if activity.pk not in seen:
            activity.next_session = session  # type: ignore[attr-defined]
            seen[activity.pk] = activity
    return list(seen.values())


def registrations_of(*, card: str = "", phone: str = "", account=None) -> QuerySet[Registration]:
    return (
        Registration.objects.select_related("activity__unit", "activity__venue")
        .filter(registration_party_filter(card=card, phone=phone, account=account))
        .order_by("-activity__starts_at", "-pk")
    )


def registration_for(*, activity: Activity, card: str) -> Registration:
    registration = (
        Registration.objects.filter(activity=activity, party=f"card:{card.strip()}")
        .exclude(status=Registration.Status.CANCELLED)
        .first()
    )
    if registration is None:
        raise NotFound(
            _("The card %(card)s is not registered for %(title)s.") % {"card": card, "title": activity.title},
            code="registration_not_found",
        )
    return registration


def registration_by_code(*, code: str) -> Registration:
    registration = (
        Registration.objects.select_related("activity__unit")
        .filter(code=(code or "").strip().upper())
        .first()
    )
    if registration is None:
        raise NotFound(
            _("There is no registration with the code %(code)s.") % {"code": code}, code="code_unknown"
        )
    return registration


def waiting_place(*, registration: Registration) -> int | None:
    """A waiting registration's place in the queue (1 is next), in order of registration; else None."""
    if registration.status != Registration.Status.WAITING:
        return None
    return Registration.objects.filter(
        activity_id=registration.activity_id,
        status=Registration.Status.WAITING,
        registered_at__lte=registration.registered_at,
        pk__lte=registration.pk,
    ).count()


def activity_roster(*, activity: Activity) -> list[Registration]:
    return list(
        activity.registrations.exclude(status=Registration.Status.CANCELLED)
        .prefetch_related("attendances")
        .order_by("status", "registered_at", "pk")
    )


def session_at_the_door(*, activity: Activity, now: dt.datetime) -> Session | None:
    """The session people are arriving for: its doors open an hour before, until an hour after its end."""
    for session in activity.sessions.all():
        if session.starts_at - dt.timedelta(hours=1) <= now <= session.ends_at + dt.timedelta(hours=1):
            return session
    return None


def bookings_for(*, units: QuerySet[Unit], status: str = "") -> QuerySet[Booking]:
    bookings = Booking.objects.select_related("venue__unit").filter(venue__unit__in=units)
    if status:
        bookings = bookings.filter(status=status)
    return bookings.order_by("starts_at", "pk")


def visit_slots(*, unit: Unit, first_day: dt.date, last_day: dt.date) -> QuerySet[VisitSlot]:
    return VisitSlot.objects.filter(unit=unit, day__gte=first_day, day__lte=last_day).order_by(
        "day", "starts"
    )


def visit_tickets_by_phone(*, phone: str) -> QuerySet[VisitTicket]:
    return VisitTicket.objects.select_related("slot__unit").filter(phone=phone).order_by("-slot__day", "pk")


def menu_items(*, active_only: bool = True) -> QuerySet[MenuItem]:
    items = MenuItem.objects.select_related("provider", "troupe")
    return items.filter(active=True) if active_only else items


def menu_orders_for(*, units: QuerySet[Unit], as_provider: bool = False) -> QuerySet[MenuOrder]:
    orders = MenuOrder.objects.select_related("item__provider", "unit")
    where = Q(item__provider__in=units) if as_provider else Q(unit__in=units)
    return orders.filter(where).order_by("-wanted_on", "-pk")


def township_performances(*, year: int, target: int = PERFORMANCES_PER_TOWNSHIP) -> list[dict]:
    """Per township: performances delivered (to the station or any of its villages) this year, and
    those confirmed but not yet delivered, against the target."""
    rows = []
    delivered = MenuOrder.objects.filter(
        item__kind=MenuItem.Kind.PERFORMANCE,
        status__in=[MenuOrder.Status.DELIVERED, MenuOrder.Status.CONFIRMED],
        scheduled_at__year=year,
    ).values_list("unit__path", "status")
    stations = list(Unit.objects.filter(kind=UnitKind.STATION).order_by("code"))
    for station in stations:
        done = sum(1 for path, status in delivered if path.startswith(station.path) and status == "delivered")
        planned = sum(
            1 for path, status in delivered if path.startswith(station.path) and status == "confirmed"
        )
        rows.append(
            {
                "township": station,
                "delivered": done,
                "planned": planned,
                "target": target,
                "met": done >= target,
            }
        )
    return rows


def year_figures(*, unit: Unit, year: int) -> dict:
    """The year's counts for a unit's subtree, as the statistics report them."""
    within = Q(activity__unit__path__startswith=unit.path)
    sessions = Session.objects.filter(within, starts_at__year=year).exclude(activity__status="cancelled")
    by_category = dict(
        Activity.objects.filter(unit__path__startswith=unit.path, starts_at__year=year, status="published")
        .values_list("category")
        .annotate(n=Count("pk"))
    )
    attendance = Attendance.objects.filter(session__in=sessions).count()
    walk_ins = sessions.aggregate(n=Sum("walk_ins"))["n"] or 0
    orders = MenuOrder.objects.filter(
        unit__path__startswith=unit.path, status="delivered", scheduled_at__year=year
    )
    return {
        "activities": sum(by_category.values()),
        "activities_by_category": by_category,
        "sessions": sessions.count(),
        "registrations": Registration.objects.filter(within, registered_at__year=year)
        .exclude(status="cancelled")
        .count(),
        "attendance": attendance + walk_ins,
        "visitors": VisitTicket.objects.filter(
            slot__unit__path__startswith=unit.path, slot__day__year=year, entered_at__isnull=False
        ).count(),
        "bookings_approved": Booking.objects.filter(
            venue__unit__path__startswith=unit.path, starts_at__year=year, status="approved"
        ).count(),
        "menu_delivered": orders.count(),
        "menu_audience": orders.aggregate(n=Sum("attendance"))["n"] or 0,
        "digital_visits": DigitalUsage.objects.filter(
            unit__path__startswith=unit.path, month__year=year
        ).aggregate(n=Sum("visits"))["n"]
        or 0,
    }


def news_latest(*, unit: Unit | None = None, limit: int = 10) -> QuerySet[News]:
    news = News.objects.select_related("unit").filter(status=News.Status.PUBLISHED)
    if unit is not None:
        news = news.filter(unit__path__startswith=unit.path)
    return news.order_by("-published_at", "-pk")[:limit]
