"""Staff pages for cultural services under /staff/programs/: parse, call one service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenyun.circulation.selectors import reader_get
from wenyun.core.errors import DomainError
from wenyun.core.web import done, form_id, home_unit, or_404, staff_required
from wenyun.network.access import units_visible_to
from wenyun.network.models import UnitKind

from . import selectors, services
from .forms import (
    ActivityEditForm,
    ActivityForm,
    DeliveryForm,
    MenuItemForm,
    MenuOrderForm,
    NewsForm,
    PerformanceForm,
    SessionMoveForm,
    SlotsForm,
    SupportForm,
    TroupeForm,
    UsageForm,
    VenueForm,
    aware,
)
from .models import (
    Activity,
    Booking,
    DigitalResource,
    DigitalUsage,
    MenuOrder,
    News,
    Troupe,
    Venue,
    VisitSlot,
    VisitTicket,
)


def _mine(request: HttpRequest):
    return units_visible_to(request.user)


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    units = _mine(request)
    today = timezone.localdate()
    activities = (
        Activity.objects.select_related("unit", "venue")
        .filter(unit__in=units, ends_at__date__gte=today)
        .exclude(status=Activity.Status.CANCELLED)
        .order_by("starts_at")[:50]
    )
    return render(
        request,
        "programs/index.html",
        {
            "title": _("Activities"),
            "activities": activities,
            "pending_bookings": Booking.objects.filter(
                venue__unit__in=units, status=Booking.Status.REQUESTED
            ).count(),
            "orders_to_decide": MenuOrder.objects.filter(
                item__provider__in=units, status=MenuOrder.Status.ORDERED
            ).count(),
            "figures": selectors.year_figures(unit=home_unit(request), year=today.year)
            if home_unit(request)
            else {},
            "year": today.year,
        },
    )


@staff_required
def activity_new(request: HttpRequest) -> HttpResponse:
    unit = home_unit(request)
    venues = Venue.objects.filter(unit__in=_mine(request)).select_related("unit")
    form = ActivityForm(request.POST or None, venues=venues)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            periods = services.weekly_sessions(
                first_start=aware(data["first_day"], data["starts"]),
                minutes=data["minutes"],
                count=data["count"],
            )
            venue = data["venue"]
            activity = services.activity_create(
                actor=request.user,
                unit=venue.unit if venue else unit,
                title=data["title"],
                category=data["category"],
                audience=data["audience"],
                venue=venue,
                place=data["place"],
                description=data["description"],
                capacity=data["capacity"],
                registration_required=data["registration_required"],
                registration_opens=data["registration_opens"],
                registration_closes=data["registration_closes"],
                sessions=periods,
                publish=data["publish"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("programs:activity", pk=activity.pk)
    return render(request, "programs/form.html", {"title": _("New activity"), "form": form})


@staff_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = or_404(selectors.access_activity, request.user, pk)
    venues = Venue.objects.filter(unit__path__startswith=activity.unit.path).select_related("unit")
    initial = {
        "title": activity.title,
        "category": activity.category,
        "audience": activity.audience,
        "venue": activity.venue_id,
        "place": activity.place,
        "description": activity.description,
        "registration_required": activity.registration_required,
        "registration_opens": activity.registration_opens,
        "registration_closes": activity.registration_closes,
    }
    form = ActivityEditForm(request.POST or None, initial=initial, venues=venues)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.activity_update(actor=request.user, activity=activity, **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Activity saved."))
            return redirect("programs:activity", pk=activity.pk)
    return render(
        request,
        "programs/form.html",
        {"title": _("Change %(title)s") % {"title": activity.title}, "form": form},
    )


@staff_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = or_404(selectors.access_activity, request.user, pk)
    sessions = list(activity.sessions.all())
    session_id = request.GET.get("session")
    today = timezone.localdate()
    current = next((s for s in sessions if str(s.pk) == session_id), None) or next(
        (s for s in sessions if timezone.localtime(s.starts_at).date() >= today),
        sessions[-1] if sessions else None,
    )
    roster = selectors.activity_roster(activity=activity)
    checked = set()
    if current is not None:
        checked = set(current.attendances.values_list("registration_id", flat=True))
    return render(
        request,
        "programs/activity.html",
        {
            "title": activity.title,
            "activity": activity,
            "sessions": sessions,
            "current": current,
            "roster": roster,
            "checked": checked,
            "move_form": SessionMoveForm(
                initial={
                    "day": timezone.localtime(current.starts_at).date(),
                    "starts": timezone.localtime(current.starts_at).time(),
                    "ends": timezone.localtime(current.ends_at).time(),
                }
            )
            if current is not None
            else None,
            "can_move": current is not None
            and activity.status != Activity.Status.CANCELLED
            and current.starts_at > timezone.now(),
        },
    )


@staff_required
@require_POST
def activity_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    activity = or_404(selectors.access_activity, request.user, pk)
    if action == "publish":
        done(
            request, lambda: services.activity_publish(actor=request.user, activity=activity), _("Published.")
        )
    elif action == "cancel":
        done(
            request, lambda: services.activity_cancel(actor=request.user, activity=activity), _("Cancelled.")
        )
    elif action == "register":
        card = request.POST.get("card", "").strip()
        name, phone = request.POST.get("name", ""), request.POST.get("phone", "")

        def register():
            reader = reader_get(card=card) if card else None
            services.registration_create(
                activity=activity, reader=reader, name=name, phone=phone, actor=request.user
            )

        done(request, register, _("Registered."))
    elif action == "capacity":
        try:
            capacity = int(request.POST.get("capacity", ""))
        except ValueError:
            messages.error(request, _("Give the number of places as a whole number."))
        else:
            done(
                request,
                lambda: services.activity_set_capacity(
                    actor=request.user, activity=activity, capacity=capacity
                ),
                _("Places changed."),
            )
    elif action == "move":
        session = or_404(
            selectors.access_session, request.user, form_id(request.POST.get("session")), activity=activity
        )
        form = SessionMoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the new day, start and end of the session."))
        else:
            data = form.cleaned_data
            done(
                request,
                lambda: services.session_move(
                    actor=request.user,
                    session=session,
                    starts_at=aware(data["day"], data["starts"]),
                    ends_at=aware(data["day"], data["ends"]),
                ),
                _("Session moved."),
            )
        return redirect(reverse("programs:activity", args=[activity.pk]) + f"?session={session.pk}")
    elif action == "walk_ins":
        session = or_404(
            selectors.access_session, request.user, form_id(request.POST.get("session")), activity=activity
        )
        try:
            count = int(request.POST.get("count", ""))
        except ValueError:
            messages.error(request, _("Give the head count as a whole number."))
        else:
            done(
                request,
                lambda: services.session_walk_ins_record(actor=request.user, session=session, count=count),
                _("Head count saved."),
            )
    else:
        raise Http404
    return redirect("programs:activity", pk=activity.pk)


@staff_required
@require_POST
def check_in_from_list(request: HttpRequest, pk: int, registration_id: int) -> HttpResponse:
    activity = or_404(selectors.access_activity, request.user, pk)
    registration = or_404(selectors.access_registration, request.user, registration_id, activity=activity)
    session = or_404(
        selectors.access_session, request.user, form_id(request.POST.get("session")), activity=activity
    )
    done(
        request,
        lambda: services.attendance_check_in(actor=request.user, session=session, registration=registration),
        _("%(name)s checked in.") % {"name": registration.name},
    )
    return redirect(f"{reverse('programs:activity', args=[activity.pk])}?session={session.pk}")


@staff_required
def checkin(request: HttpRequest, code: str) -> HttpResponse:
    """Where a registration's QR code leads: the staff member's phone opens it at the door."""
    registration = or_404(selectors.access_registration_by_code, request.user, code)
    activity = registration.activity
    session = selectors.session_at_the_door(activity=activity, now=timezone.now())
    if request.method == "POST":
        if session is None:
            messages.error(request, _("%(title)s has no session at this time.") % {"title": activity.title})
        else:
            done(
                request,
                lambda: services.attendance_check_in(
                    actor=request.user, session=session, registration=registration, method="qr"
                ),
                _("%(name)s checked in.") % {"name": registration.name},
            )
        return redirect("programs:checkin", code=registration.code)
    attended = session is not None and session.attendances.filter(registration=registration).exists()
    return render(
        request,
        "programs/checkin.html",
        {
            "title": _("Check-in"),
            "registration": registration,
            "activity": activity,
            "session": session,
            "attended": attended,
        },
    )


# --- venues and bookings ----------------------------------------------------------------------


@staff_required
def venues(request: HttpRequest) -> HttpResponse:
    form = VenueForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and done(
            request,
            lambda: services.venue_create(actor=request.user, unit=home_unit(request), **form.cleaned_data),
            _("Venue added."),
        )
    ):
        return redirect("programs:venues")
    return render(
        request,
        "programs/venues.html",
        {
            "title": _("Venues"),
            "venues": Venue.objects.filter(unit__in=_mine(request)).select_related("unit"),
            "form": form,
        },
    )


@staff_required
def bookings(request: HttpRequest) -> HttpResponse:
    units = _mine(request)
    today = timezone.localdate()
    return render(
        request,
        "programs/bookings.html",
        {
            "title": _("Bookings"),
            "pending": selectors.bookings_for(units=units, status=Booking.Status.REQUESTED),
            "upcoming": selectors.bookings_for(units=units, status=Booking.Status.APPROVED).filter(
                starts_at__date__gte=today
            )[:100],
        },
    )


@staff_required
@require_POST
def booking_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    booking = or_404(selectors.access_booking, request.user, pk)
    # Another unit's staff get the service's refusal (and nothing changes), not a silent 404.
    if action == "approve":
        done(
            request,
            lambda: services.booking_approve(actor=request.user, booking=booking),
            _("Booking approved."),
        )
    elif action == "refuse":
        done(
            request,
            lambda: services.booking_refuse(
                actor=request.user, booking=booking, reason=request.POST.get("reason", "")
            ),
            _("Booking refused."),
        )
    elif action == "cancel":
        done(
            request,
            lambda: services.booking_cancel(
                actor=request.user, booking=booking, reason=request.POST.get("reason", "")
            ),
            _("Booking cancelled."),
        )
    else:
        raise Http404
    return redirect("programs:bookings")


# --- museum timed entry -----------------------------------------------------------------------


@staff_required
def visits(request: HttpRequest) -> HttpResponse:
    unit = home_unit(request)
    form = SlotsForm(request.POST or None)
    if request.method == "POST" and "code" in request.POST:
        form = SlotsForm()
        try:
            ticket = services.visit_enter(actor=request.user, code=request.POST["code"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Welcome, %(name)s.") % {"name": ticket.name})
        return redirect("programs:visits")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create():
            n = services.visit_slots_create(
                actor=request.user,
                unit=unit,
                first_day=data["first_day"],
                last_day=data["last_day"],
                times=data["times"],
                capacity=data["capacity"],
            )
            messages.info(request, _("%(n)s slots opened.") % {"n": n})

        if done(request, create, _("Saved.")):
            return redirect("programs:visits")
    today = timezone.localdate()
    slots = VisitSlot.objects.filter(
        unit__in=_mine(request), day__gte=today, day__lte=today + dt.timedelta(days=6)
    )
    entered = VisitTicket.objects.filter(
        slot__unit__in=_mine(request), slot__day=today, entered_at__isnull=False
    ).count()
    return render(
        request,
        "programs/visits.html",
        {
            "title": _("Timed entry"),
            "form": form,
            "slots": slots.select_related("unit"),
            "entered_today": entered,
        },
    )


# --- the service menu -------------------------------------------------------------------------


def _ordering_units(request: HttpRequest):
    return _mine(request).filter(kind__in=[UnitKind.STATION, UnitKind.VILLAGE]).order_by("path")


@staff_required
def menu(request: HttpRequest) -> HttpResponse:
    units = _mine(request)
    ordering = _ordering_units(request)
    order_form = MenuOrderForm(request.POST if "wanted_on" in request.POST else None)
    order_form.fields["unit"].choices = [(u.code, u.display_name) for u in ordering]  # type: ignore[attr-defined]
    item_form = MenuItemForm(request.POST if "duration_minutes" in request.POST else None)
    if request.method == "POST" and order_form.is_bound and order_form.is_valid():
        data = order_form.cleaned_data
        target = ordering.filter(code=data["unit"]).first()
        if target is not None and done(
            request,
            lambda: services.menu_order_place(
                actor=request.user,
                item=data["item"],
                unit=target,
                wanted_on=data["wanted_on"],
                note=data["note"],
            ),
            _("Ordered: the county will confirm or decline."),
        ):
            return redirect("programs:menu")
    if (
        request.method == "POST"
        and item_form.is_bound
        and item_form.is_valid()
        and done(
            request,
            lambda: services.menu_item_create(
                actor=request.user, provider=home_unit(request), **item_form.cleaned_data
            ),
            _("Added to the menu."),
        )
    ):
        return redirect("programs:menu")
    year = timezone.localdate().year
    provides = request.user.is_county_admin or any(u.is_institution for u in units[:50])
    return render(
        request,
        "programs/menu.html",
        {
            "title": _("Service menu"),
            "items": selectors.menu_items(),
            "order_form": order_form if ordering.exists() else None,
            "item_form": item_form if provides else None,
            "to_decide": selectors.menu_orders_for(units=units, as_provider=True).filter(
                status=MenuOrder.Status.ORDERED
            ),
            "ordered": selectors.menu_orders_for(units=units)[:100],
            "delivery_form": DeliveryForm(),
            "my_unit_ids": set(units.values_list("pk", flat=True)),
            "township_rows": selectors.township_performances(year=year),
            "year": year,
        },
    )


@staff_required
@require_POST
def menu_order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    order = or_404(selectors.access_menu_order, request.user, pk)
    if action == "confirm":
        done(
            request,
            lambda: services.menu_order_confirm(actor=request.user, order=order),
            _("Order confirmed."),
        )
    elif action == "decline":
        done(
            request,
            lambda: services.menu_order_decline(
                actor=request.user, order=order, reason=request.POST.get("reason", "")
            ),
            _("Order declined."),
        )
    elif action == "cancel":
        done(
            request,
            lambda: services.menu_order_cancel(
                actor=request.user, order=order, reason=request.POST.get("reason", "")
            ),
            _("Order cancelled."),
        )
    elif action == "deliver":
        form = DeliveryForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        else:
            done(
                request,
                lambda: services.menu_order_deliver(actor=request.user, order=order, **form.cleaned_data),
                _("Delivery recorded."),
            )
    else:
        raise Http404
    return redirect("programs:menu")


# --- troupes ----------------------------------------------------------------------------------


@staff_required
def troupes(request: HttpRequest) -> HttpResponse:
    form = TroupeForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and done(
            request,
            lambda: services.troupe_register(
                actor=request.user, unit=home_unit(request), **form.cleaned_data
            ),
            _("Troupe registered."),
        )
    ):
        return redirect("programs:troupes")
    rows = Troupe.objects.filter(unit__in=_mine(request)).select_related("unit")
    return render(request, "programs/troupes.html", {"title": _("Troupes"), "troupes": rows, "form": form})


@staff_required
def troupe_detail(request: HttpRequest, pk: int) -> HttpResponse:
    troupe = or_404(selectors.access_troupe, request.user, pk)
    support = SupportForm(request.POST if "amount" in request.POST else None)
    performance = PerformanceForm(request.POST if "audience" in request.POST else None)
    if request.method == "POST":
        if (
            support.is_bound
            and support.is_valid()
            and done(
                request,
                lambda: services.troupe_support_add(
                    actor=request.user, troupe=troupe, **support.cleaned_data
                ),
                _("Support recorded."),
            )
        ):
            return redirect("programs:troupe", pk=troupe.pk)
        if (
            performance.is_bound
            and performance.is_valid()
            and done(
                request,
                lambda: services.troupe_performance_add(
                    actor=request.user, troupe=troupe, **performance.cleaned_data
                ),
                _("Performance recorded."),
            )
        ):
            return redirect("programs:troupe", pk=troupe.pk)
    return render(
        request,
        "programs/troupe.html",
        {"title": troupe.name, "troupe": troupe, "support_form": support, "performance_form": performance},
    )


# --- digital resources ------------------------------------------------------------------------


@staff_required
def digital(request: HttpRequest) -> HttpResponse:
    units = _mine(request)
    form = UsageForm(request.POST or None)
    form.fields["unit"].choices = [(u.code, u.display_name) for u in units.order_by("path")[:200]]  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = units.filter(code=data["unit"]).first()
        if target is not None and done(
            request,
            lambda: services.digital_usage_record(
                actor=request.user,
                resource=data["resource"],
                unit=target,
                month=data["month"],
                visits=data["visits"],
                downloads=data["downloads"],
            ),
            _("Usage saved."),
        ):
            return redirect("programs:digital")
    return render(
        request,
        "programs/digital.html",
        {
            "title": _("Digital resources"),
            "resources": DigitalResource.objects.prefetch_related("units"),
            "usage": DigitalUsage.objects.filter(unit__in=units).select_related("resource", "unit")[:60],
            "form": form,
        },
    )


# --- news -------------------------------------------------------------------------------------


@staff_required
def news(request: HttpRequest) -> HttpResponse:
    items = News.objects.filter(unit__in=_mine(request)).select_related("unit")[:100]
    return render(request, "programs/news.html", {"title": _("News"), "items": items})


@staff_required
def news_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    item = or_404(selectors.access_news, request.user, pk) if pk else None
    initial = {"title": item.title, "body": item.body, "is_notice": item.is_notice} if item else None
    form = NewsForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.news_save(
                actor=request.user,
                unit=item.unit if item else home_unit(request),
                news=item,
                title=data["title"],
                body=data["body"],
                is_notice=data["is_notice"],
                photo=data["photo"],
                publish=data["publish"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Published.") if saved.status == News.Status.PUBLISHED else _("Draft saved.")
            )
            return redirect("programs:news")
    return render(request, "programs/form.html", {"title": _("News item"), "form": form, "multipart": True})
