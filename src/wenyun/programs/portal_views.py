"""The public pages: the activity calendar, an activity and its registration, a person's own
registrations, museum timed entry, venue booking requests and news. Phone first.

Anonymous people reach their registrations, tickets and bookings through the unguessable code in
the link they were given (kept in their session too, for "my registrations").
"""

from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenyun.circulation.services import reader_sign_in
from wenyun.core.errors import DomainError, NotFound
from wenyun.core.models import Role
from wenyun.core.web import or_404
from wenyun.network import selectors as network
from wenyun.network.models import INSTITUTION_KINDS, UnitKind

from . import selectors, services
from .forms import BookingForm, PortalRegistrationForm, VisitForm, aware
from .models import Activity, Booking, Category, Registration, Venue, VisitTicket

SESSION_KEY = "programs_codes"


def qr_svg(text: str) -> str:
    """An inline SVG QR code (scanned by the staff's phone camera at the door)."""
    return mark_safe(segno.make(text, error="m").svg_inline(scale=5, border=2))


def _remember(request: HttpRequest, kind: str, code: str) -> None:
    codes = request.session.get(SESSION_KEY, {})
    codes.setdefault(kind, [])
    if code not in codes[kind]:
        codes[kind].append(code)
    request.session[SESSION_KEY] = codes


def _remembered(request: HttpRequest, kind: str) -> list[str]:
    return request.session.get(SESSION_KEY, {}).get(kind, [])


def _is_reader_account(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.role == Role.READER


def _range(request: HttpRequest, today: dt.date) -> tuple[str, dt.date, dt.date]:
    when = request.GET.get("when", "")
    if when == "today":
        return when, today, today
    if when == "weekend":
        saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7) if today.weekday() < 5 else today
        sunday = saturday + dt.timedelta(days=6 - saturday.weekday())
        return when, saturday, sunday
    if when == "month":
        return when, today, today + dt.timedelta(days=30)
    try:
        first = dt.date.fromisoformat(request.GET.get("from", ""))
        last = dt.date.fromisoformat(request.GET.get("to", "") or request.GET.get("from", ""))
        if first <= last and (last - first).days <= 366:
            return "dates", first, last
    except ValueError:
        pass
    return "week", today, today + dt.timedelta(days=6)


def calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    when, first, last = _range(request, today)
    code = request.GET.get("unit") or request.GET.get("township") or ""
    place = None
    if code:
        try:
            place = network.unit_get(code=code)
        except NotFound:
            place = None
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    sessions = list(
        selectors.calendar_sessions(first_day=first, last_day=last, unit=place, category=category)
    )
    days: dict[dt.date, list] = {}
    for session in sessions:
        days.setdefault(timezone.localtime(session.starts_at).date(), []).append(session)
    return render(
        request,
        "programs/portal/calendar.html",
        {
            "title": _("Activities"),
            "days": sorted(days.items()),
            "when": when,
            "first": first,
            "last": last,
            "place": place,
            "category": category,
            "categories": Category.choices,
            "townships": network.unit_list(kinds=[UnitKind.STATION]),
            "institutions": network.unit_list(kinds=INSTITUTION_KINDS),
            "township_code": request.GET.get("township", ""),
            "unit_code": request.GET.get("unit", ""),
        },
    )


def activity_page(request: HttpRequest, pk: int) -> HttpResponse:
    activity = or_404(selectors.activity_get, pk=pk, public=True)
    form = PortalRegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = _register(request, activity, form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            _remember(request, "registrations", registration.code)
            if registration.status == Registration.Status.CONFIRMED:
                messages.success(request, _("You are registered. Show the QR code at the door."))
            else:
                messages.warning(request, _("The activity is full: you are on the waiting list."))
            return redirect("portal:culture:registration", code=registration.code)
    return render(
        request,
        "programs/portal/activity.html",
        {
            "title": activity.title,
            "activity": activity,
            "sessions": activity.sessions.all(),
            "form": form,
            "as_account": _is_reader_account(request.user),
        },
    )


def _register(request: HttpRequest, activity: Activity, data: dict) -> Registration:
    if _is_reader_account(request.user):
        return services.registration_create(activity=activity, account=request.user)
    if data["card"].strip():
        reader = reader_sign_in(card=data["card"], pin=data["pin"], ip=request.META.get("REMOTE_ADDR"))
        return services.registration_create(activity=activity, reader=reader)
    return services.registration_create(activity=activity, name=data["name"], phone=data["phone"])


def registration_page(request: HttpRequest, code: str) -> HttpResponse:
    registration = or_404(selectors.registration_by_code, code=code)
    check_in_url = request.build_absolute_uri(reverse("programs:checkin", args=[registration.code]))
    return render(
        request,
        "programs/portal/registration.html",
        {
            "title": registration.activity.title,
            "registration": registration,
            "activity": registration.activity,
            "position": selectors.waiting_place(registration=registration),
            "qr": qr_svg(check_in_url) if registration.status == Registration.Status.CONFIRMED else "",
        },
    )


@require_POST
def registration_cancel(request: HttpRequest, code: str) -> HttpResponse:
    registration = or_404(selectors.registration_by_code, code=code)
    try:
        services.registration_cancel(registration=registration)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("portal:culture:registration", code=registration.code)


def mine(request: HttpRequest) -> HttpResponse:
    registrations = list(
        Registration.objects.select_related("activity")
        .filter(code__in=_remembered(request, "registrations"))
        .order_by("-activity__starts_at")
    )
    if _is_reader_account(request.user):
        known = {r.pk for r in registrations}
        registrations += [r for r in selectors.registrations_of(account=request.user) if r.pk not in known]
    tickets = VisitTicket.objects.select_related("slot__unit").filter(
        code__in=_remembered(request, "tickets")
    )
    bookings = Booking.objects.select_related("venue__unit").filter(code__in=_remembered(request, "bookings"))
    return render(
        request,
        "programs/portal/mine.html",
        {
            "title": _("My registrations"),
            "registrations": registrations,
            "tickets": tickets,
            "bookings": bookings,
        },
    )


# --- museum timed entry ---------------------------------------------------------------------------


def visits(request: HttpRequest) -> HttpResponse:
    museums = network.unit_list(kinds=[UnitKind.MUSEUM])
    code = request.GET.get("unit") or (museums[0].code if museums else "")
    place = next((m for m in museums if m.code == code), None)
    today = timezone.localdate()
    slots = (
        list(selectors.visit_slots(unit=place, first_day=today, last_day=today + dt.timedelta(days=6)))
        if place
        else []
    )
    now = timezone.localtime()
    days: dict[dt.date, list] = {}
    for slot in slots:
        if slot.day == today and slot.ends <= now.time():
            continue
        days.setdefault(slot.day, []).append(slot)
    return render(
        request,
        "programs/portal/visits.html",
        {"title": _("Book a museum visit"), "museums": museums, "place": place, "days": sorted(days.items())},
    )


def visit_book(request: HttpRequest, slot_id: int) -> HttpResponse:
    slot = or_404(selectors.visit_slot_get, pk=slot_id)
    form = VisitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tickets = services.visit_book(slot=slot, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            for ticket in tickets:
                _remember(request, "tickets", ticket.code)
            messages.success(request, _("Booked. Show each ticket's QR code at the door."))
            return redirect("portal:culture:ticket", code=tickets[0].code)
    return render(
        request,
        "programs/portal/visit_book.html",
        {"title": _("Book a museum visit"), "slot": slot, "form": form},
    )


def ticket_page(request: HttpRequest, code: str) -> HttpResponse:
    ticket = or_404(selectors.visit_ticket_by_code, code=code)
    group = list(
        VisitTicket.objects.filter(slot=ticket.slot, phone=ticket.phone, booked_at=ticket.booked_at).order_by(
            "pk"
        )
    )
    return render(
        request,
        "programs/portal/tickets.html",
        {
            "title": _("Museum tickets"),
            "slot": ticket.slot,
            "tickets": [(t, qr_svg(t.code)) for t in group],
        },
    )


@require_POST
def ticket_cancel(request: HttpRequest, code: str) -> HttpResponse:
    ticket = or_404(selectors.visit_ticket_by_code, code=code)
    try:
        services.visit_ticket_cancel(ticket=ticket)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The ticket is cancelled."))
    return redirect("portal:culture:ticket", code=ticket.code)


# --- venue booking --------------------------------------------------------------------------------


def venues(request: HttpRequest) -> HttpResponse:
    rooms = (
        Venue.objects.select_related("unit")
        .filter(bookable=True, unit__active=True)
        .order_by("unit__path", "name")
    )
    return render(request, "programs/portal/venues.html", {"title": _("Book a room"), "venues": rooms})


def venue_book(request: HttpRequest, pk: int) -> HttpResponse:
    venue = or_404(selectors.venue_get, pk=pk, bookable=True)
    form = BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.booking_request(
                venue=venue,
                requester_kind=data["requester_kind"],
                requester_name=data["requester_name"],
                phone=data["phone"],
                purpose=data["purpose"],
                attendees=data["attendees"],
                starts_at=aware(data["day"], data["starts"]),
                ends_at=aware(data["day"], data["ends"]),
                account=request.user if request.user.is_authenticated else None,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            _remember(request, "bookings", booking.code)
            messages.success(request, _("Your request is sent: the staff will approve or refuse it."))
            return redirect("portal:culture:booking", code=booking.code)
    today = timezone.localdate()
    taken = venue.bookings.filter(status=Booking.Status.APPROVED, starts_at__date__gte=today).order_by(
        "starts_at"
    )[:20]
    sessions = (
        venue.activities.exclude(status=Activity.Status.CANCELLED)
        .filter(sessions__starts_at__date__gte=today)
        .values_list("title", "sessions__starts_at", "sessions__ends_at")
        .order_by("sessions__starts_at")[:20]
    )
    return render(
        request,
        "programs/portal/venue_book.html",
        {"title": venue.name, "venue": venue, "form": form, "taken": taken, "sessions": sessions},
    )


def booking_page(request: HttpRequest, code: str) -> HttpResponse:
    booking = or_404(selectors.booking_by_code, code=code)
    return render(request, "programs/portal/booking.html", {"title": _("Booking"), "booking": booking})


@require_POST
def booking_cancel(request: HttpRequest, code: str) -> HttpResponse:
    booking = or_404(selectors.booking_by_code, code=code)
    try:
        services.booking_cancel(booking=booking, reason=_("Cancelled by the requester"))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The booking is cancelled."))
    return redirect("portal:culture:booking", code=booking.code)


# --- news -----------------------------------------------------------------------------------------


def news_list(request: HttpRequest, code: str = "") -> HttpResponse:
    place = None
    if code:
        try:
            place = network.unit_get(code=code)
        except NotFound as exc:
            raise Http404(exc.message) from None
    return render(
        request,
        "programs/portal/news_list.html",
        {
            "title": place.display_name if place else _("News"),
            "place": place,
            "items": selectors.news_latest(unit=place, limit=30),
        },
    )


def news_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = or_404(selectors.news_get, pk=pk, public=True)
    return render(request, "programs/portal/news_detail.html", {"title": item.title, "item": item})


def news_photo(request: HttpRequest, pk: int) -> FileResponse:
    item = or_404(selectors.news_get, pk=pk, public=True)
    if not item.photo:
        raise Http404
    return FileResponse(item.photo.open("rb"))
