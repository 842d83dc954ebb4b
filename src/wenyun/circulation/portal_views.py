"""The reader's account: loans with due dates, renewals, holds (place, cancel, pickup unit), history.

A reader signs in with card number and PIN (the session remembers the reader), or through a
linked user account. Each page acts only on the signed-in reader's own loans and holds.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenyun.catalog.selectors import record_get
from wenyun.core.errors import DomainError, NotFound
from wenyun.network.models import Unit, UnitKind

from . import selectors, services
from .models import Reader

SESSION_KEY = "portal_reader"
PICKUP_KINDS = (UnitKind.LIBRARY, UnitKind.STATION, UnitKind.VILLAGE)


def signed_in_reader(request: HttpRequest) -> Reader | None:
    """The reader signed in on the portal (card and PIN, or a linked user account), or None."""
    pk = request.session.get(SESSION_KEY)
    if pk:
        reader = Reader.objects.select_related("category", "home_unit").filter(pk=pk).first()
        if reader is not None:
            return reader
    return selectors.reader_for_account(user=request.user)


def reader_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        reader = signed_in_reader(request)
        if reader is None:
            return redirect(
                f"{reverse('portal:account:login')}?{urlencode({'next': request.get_full_path()})}"
            )
        return view(request, reader, *args, **kwargs)

    return wrapper


def login(request: HttpRequest) -> HttpResponse:
    error = ""
    card = ""
    if request.method == "POST":
        card = request.POST.get("card", "").strip()
        pin = request.POST.get("pin", "")
        try:
            reader = services.reader_sign_in(card=card, pin=pin, ip=request.META.get("REMOTE_ADDR"))
        except DomainError as exc:
            error = exc.message
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = reader.pk
            target = request.GET.get("next", "")
            return redirect(
                target if target.startswith("/") and not target.startswith("//") else "portal:account:home"
            )
    return render(
        request, "circulation/portal_login.html", {"title": _("My account"), "error": error, "card": card}
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return redirect("portal:home")


@reader_required
def home(request: HttpRequest, reader: Reader) -> HttpResponse:
    return render(
        request,
        "circulation/portal_account.html",
        {
            "title": _("My account"),
            "reader": reader,
            "status": services.reader_status(reader=reader),
            "loans": list(selectors.reader_loans(reader=reader)),
            "holds": [(h, selectors.hold_position(hold=h)) for h in selectors.reader_holds(reader=reader)],
            "history": list(selectors.reader_history(reader=reader, limit=50)),
            "today": timezone.localdate(),
            "session_login": bool(request.session.get(SESSION_KEY)),
        },
    )


@reader_required
@require_POST
def renew(request: HttpRequest, reader: Reader, loan_id: int) -> HttpResponse:
    try:
        loan = selectors.loan_get(pk=loan_id, reader=reader)
        renewed = services.loan_renew(loan=loan, actor=None, via="portal")
        messages.success(
            request,
            _("%(title)s renewed: due %(due)s.")
            % {"title": loan.item.record.title, "due": renewed.due_on.isoformat()},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("portal:account:home")


@reader_required
@require_POST
def renew_all(request: HttpRequest, reader: Reader) -> HttpResponse:
    for loan, exc in services.loan_renew_all(reader=reader, actor=None, via="portal"):
        if exc is None:
            messages.success(request, _("%(title)s renewed.") % {"title": loan.item.record.title})
        else:
            messages.error(request, f"{loan.item.record.title}: {exc.message}")
    return redirect("portal:account:home")


@reader_required
def hold_new(request: HttpRequest, reader: Reader, record_id: int) -> HttpResponse:
    try:
        record = record_get(record_id=record_id)
    except NotFound as exc:
        messages.error(request, exc.message)
        return redirect("portal:account:home")
    pickups = list(Unit.objects.filter(kind__in=PICKUP_KINDS, active=True).order_by("path"))
    error = ""
    if request.method == "POST":
        pickup = next((u for u in pickups if u.code == request.POST.get("pickup_unit")), None)
        if pickup is None:
            error = _("Choose where to pick the book up.")
        else:
            try:
                hold = services.hold_place(
                    reader=reader, record=record, pickup_unit=pickup, actor=None, via="portal"
                )
                messages.success(
                    request,
                    _("Hold placed: you are number %(position)s in the queue for %(title)s.")
                    % {"position": selectors.hold_position(hold=hold), "title": record.title},
                )
                return redirect("portal:account:home")
            except DomainError as exc:
                error = exc.message
    return render(
        request,
        "circulation/portal_hold.html",
        {
            "title": _("Place a hold"),
            "record": record,
            "pickups": pickups,
            "default_pickup": reader.home_unit_id,
            "error": error,
        },
    )


@reader_required
@require_POST
def hold_cancel(request: HttpRequest, reader: Reader, hold_id: int) -> HttpResponse:
    try:
        hold = selectors.hold_get(pk=hold_id, reader=reader)
        services.hold_cancel(hold=hold, actor=None, via="portal")
        messages.success(request, _("Hold cancelled."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("portal:account:home")


@reader_required
@require_POST
def history_toggle(request: HttpRequest, reader: Reader) -> HttpResponse:
    keep = request.POST.get("keep") == "1"
    services.reader_update(actor=None, reader=reader, via="portal", keep_history=keep)
    messages.success(
        request,
        _("Your loan history is kept from now on.") if keep else _("Your loan history is no longer shown."),
    )
    return redirect("portal:account:home")
