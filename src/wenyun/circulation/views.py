"""Staff pages: the circulation desk (made for a barcode scanner), the village phone page, lists a unit
works from (pull list, hold shelf, transits), the matrix and the page that explains which row applies.

Every view parses, calls one service or selector, and renders; refusals are shown as the service's
own sentence.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from wenyun.catalog.models import ItemType
from wenyun.catalog.selectors import item_get
from wenyun.core.bounds import day_problem
from wenyun.core.errors import DomainError, Forbidden, NotFound
from wenyun.core.web import staff_required
from wenyun.network.access import access_unit, units_visible_to, user_can_manage_unit
from wenyun.network.models import Unit, UnitKind
from wenyun.network.selectors import unit_get

from . import access, selectors, services
from .access import reader_access_record, reader_phone_for
from .models import CirculationEvent, CirculationRule, Reader, ReaderAccess, ReturnPolicy
from .rules import rule_match

LENDING_KINDS = (UnitKind.LIBRARY, UnitKind.CULTURAL_CENTRE, UnitKind.STATION, UnitKind.VILLAGE)


def _desk_units(user) -> list[Unit]:
    return list(units_visible_to(user).filter(kind__in=LENDING_KINDS, active=True).order_by("path"))


def _desk_unit(request: HttpRequest) -> Unit | None:
    """The unit this desk lends at: chosen once per session among the units the staff member runs."""
    code = request.GET.get("unit") or request.session.get("desk_unit")
    if code:
        try:
            unit = access_unit(request.user, code, for_change=True)
            request.session["desk_unit"] = unit.code
            return unit
        except DomainError:
            request.session.pop("desk_unit", None)
    own = getattr(request.user, "unit", None)
    if own is not None and own.kind in LENDING_KINDS:
        return own
    choices = _desk_units(request.user)
    return choices[0] if len(choices) == 1 else None


def _reader_or_none(card: str) -> Reader | None:
    if not card:
        return None
    try:
        return selectors.reader_get(card=card)
    except NotFound:
        return None


def _desk_url(card: str = "", **extra) -> str:
    params = {"card": card} if card else {}
    params.update({k: v for k, v in extra.items() if v})
    return reverse("circulation:desk") + (f"?{urlencode(params)}" if params else "")


@staff_required
def desk(request: HttpRequest) -> HttpResponse:
    unit = _desk_unit(request)
    if unit is None:
        return render(
            request,
            "circulation/choose_unit.html",
            {"title": _("Circulation desk"), "units": _desk_units(request.user), "next": "circulation:desk"},
        )
    card = request.GET.get("card", "").strip()
    reader = None
    if card:
        try:
            reader = selectors.access_reader(request.user, card, log_via="desk")
        except NotFound:
            reader = None
    context: dict = {"title": _("Circulation desk"), "unit": unit, "reader": reader, "card": card}
    if reader is not None:
        today = timezone.localdate()
        loans = list(selectors.reader_loans(reader=reader))
        holds = list(selectors.reader_holds(reader=reader))
        fees = list(selectors.reader_fees(reader=reader))
        # Lending, renewing and paying work for everyone; the rest is offered only where it is allowed.
        for loan in loans:
            loan.may_change = access.may_change_loan(request.user, loan)  # type: ignore[attr-defined]
        for hold in holds:
            hold.may_cancel = access.may_cancel_hold(request.user, hold)  # type: ignore[attr-defined]
        for fee in fees:
            fee.may_waive = access.may_waive_fee(request.user, fee)  # type: ignore[attr-defined]
        context.update(
            reader_phone=reader_phone_for(request.user, reader),
            may_change_reader=access.may_change_reader(request.user, reader),
            status=services.reader_status(reader=reader),
            loans=loans,
            holds=holds,
            fees=fees,
            today=today,
            lent_today=request.session.get("lent", {}).get(reader.card, []),
            payment=request.GET.get("payment", "") if request.GET.get("payment", "").isdigit() else "",
        )
    elif card:
        messages.error(request, _("There is no reader with the card %(card)s.") % {"card": card})
    return render(request, "circulation/desk.html", context)


@staff_required
@require_POST
def desk_scan(request: HttpRequest) -> HttpResponse:
    """One scan: a reader card loads the reader; a copy's barcode is lent to the loaded reader."""
    unit = _desk_unit(request)
    if unit is None:
        return redirect("circulation:desk")
    code = request.POST.get("scan", "").strip()
    card = request.POST.get("card", "").strip()
    if not code:
        return redirect(_desk_url(card))
    scanned_reader = _reader_or_none(code)
    if scanned_reader is not None:
        return redirect(_desk_url(scanned_reader.card))
    reader = _reader_or_none(card)
    if reader is None:
        messages.error(
            request, _("%(code)s is not a reader card. Scan the reader's card first.") % {"code": code}
        )
        return redirect(_desk_url())
    try:
        item = item_get(barcode=code)
        loan = services.loan_checkout(reader=reader, item=item, at_unit=unit, actor=request.user, via="desk")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_desk_url(reader.card, refused=code))
    lent = request.session.setdefault("lent", {})
    lent.setdefault(reader.card, []).append(loan.pk)
    request.session.modified = True
    messages.success(
        request,
        _("%(title)s lent, due %(due)s.") % {"title": item.record.title, "due": loan.due_on.isoformat()},
    )
    if loan.warning:
        messages.warning(request, loan.warning)
    return redirect(_desk_url(reader.card))


@staff_required
def checkin(request: HttpRequest) -> HttpResponse:
    unit = _desk_unit(request)
    if unit is None:
        return render(
            request,
            "circulation/choose_unit.html",
            {
                "title": pgettext("circulation", "Check in"),
                "units": _desk_units(request.user),
                "next": "circulation:checkin",
            },
        )
    recent_ids = request.session.get("checkins", [])[-12:]
    events = {
        e.pk: e
        for e in CirculationEvent.objects.filter(pk__in=recent_ids).select_related(
            "item__record", "reader", "unit"
        )
    }
    recent = [events[pk] for pk in reversed(recent_ids) if pk in events]
    names = dict(
        Unit.objects.filter(code__in=[e.details.get("to") for e in recent]).values_list("code", "name")
    )
    for event in recent:
        event.to_name = names.get(event.details.get("to"), event.details.get("to", ""))  # type: ignore[attr-defined]
    return render(
        request,
        "circulation/checkin.html",
        {"title": pgettext("circulation", "Check in"), "unit": unit, "recent": recent},
    )


@staff_required
@require_POST
def checkin_scan(request: HttpRequest) -> HttpResponse:
    unit = _desk_unit(request)
    if unit is None:
        return redirect("circulation:checkin")
    code = request.POST.get("scan", "").strip()
    if not code:
        return redirect("circulation:checkin")
    try:
        item = item_get(barcode=code)
        result = services.loan_checkin(item=item, at_unit=unit, actor=request.user, via="desk")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("circulation:checkin")
    event = CirculationEvent.objects.filter(item=item, type="checkin").order_by("-pk").first()
    if event is not None:
        request.session["checkins"] = [*request.session.get("checkins", [])[-30:], event.pk]
    text = _destination_text(result.action, result.unit, unit)
    for line in result.messages:
        messages.warning(request, line)
    (messages.warning if result.action != "shelve" else messages.success)(
        request, f"{item.barcode} {item.record.title}: {text}"
    )
    return redirect("circulation:checkin")


def _destination_text(action: str, to: Unit, here: Unit) -> str:
    if action == "hold_shelf":
        return _("put it on the hold shelf here")
    if action == "transit":
        return _("send it to %(unit)s") % {"unit": to.name}
    return _("shelve it here")


@staff_required
def routing_slip(request: HttpRequest, event_id: int) -> HttpResponse:
    """A 58 mm slip to tuck into the copy: where it goes, and for whom when a hold waits."""
    event = selectors.access_checkin(request.user, event_id)
    details = event.details
    to = Unit.objects.filter(code=details.get("to")).first()
    hold = None
    if details.get("hold"):
        hold = selectors.hold_get(pk=details["hold"])
    return render(
        request,
        "circulation/slip.html",
        {
            "title": _("Routing slip"),
            "event": event,
            "to": to,
            "action": details.get("action"),
            "hold": hold,
            "destination": _destination_text(details.get("action", ""), to or event.unit, event.unit),
        },
    )


@staff_required
def receipt(request: HttpRequest, card: str) -> HttpResponse:
    """A 58 mm receipt of the reader's loans, the ones lent in this visit marked."""
    reader = selectors.access_reader(request.user, card, log_via="desk")
    lent = set(request.session.get("lent", {}).get(reader.card, []))
    loans = list(selectors.reader_loans(reader=reader))
    return render(
        request,
        "circulation/receipt.html",
        {
            "title": _("Receipt"),
            "reader": reader,
            "loans": loans,
            "lent": lent,
            "now": timezone.localtime(),
            "unit": _desk_unit(request),
        },
    )


@staff_required
@require_POST
def receipt_done(request: HttpRequest, card: str) -> HttpResponse:
    """The reader has left: forget which loans were this visit's."""
    request.session.get("lent", {}).pop(card, None)
    request.session.modified = True
    return redirect(_desk_url())


def _post_action(request: HttpRequest, card: str, call) -> HttpResponse:
    """Do it and go back to the reader; a rule's refusal is said there. Not being allowed to is not a
    rule saying no: that is a 403 page with the sentence naming whose it is (see core's middleware)."""
    try:
        text = call()
        if text:
            messages.success(request, text)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(_desk_url(card))


@staff_required
@require_POST
def renew(request: HttpRequest, loan_id: int) -> HttpResponse:
    loan = selectors.access_loan(request.user, loan_id)

    def call() -> str:
        renewed = services.loan_renew(loan=loan, actor=request.user, via="desk")
        return _("Renewed: due %(due)s.") % {"due": renewed.due_on.isoformat()}

    return _post_action(request, loan.reader.card, call)


@staff_required
@require_POST
def renew_all(request: HttpRequest, card: str) -> HttpResponse:
    reader = selectors.access_reader(request.user, card)
    for loan, exc in services.loan_renew_all(reader=reader, actor=request.user, via="desk"):
        if exc is None:
            messages.success(request, _("%(barcode)s renewed.") % {"barcode": loan.item.barcode})
        else:
            messages.error(request, exc.message)
    return redirect(_desk_url(reader.card))


@staff_required
@require_POST
def mark_lost(request: HttpRequest, loan_id: int) -> HttpResponse:
    loan = selectors.access_loan(request.user, loan_id, action="lost")
    unit = _desk_unit(request) or loan.lending_unit

    def call() -> str:
        services.item_mark_lost(item=loan.item, actor=request.user, at_unit=unit, via="desk")
        return _("%(barcode)s declared lost.") % {"barcode": loan.item.barcode}

    return _post_action(request, loan.reader.card, call)


@staff_required
@require_POST
def claim_returned(request: HttpRequest, loan_id: int) -> HttpResponse:
    loan = selectors.access_loan(request.user, loan_id, action="claim_returned")
    unit = _desk_unit(request) or loan.lending_unit

    def call() -> str:
        services.loan_claim_returned(loan=loan, actor=request.user, at_unit=unit, via="desk")
        return _("%(barcode)s marked as claimed returned.") % {"barcode": loan.item.barcode}

    return _post_action(request, loan.reader.card, call)


@staff_required
@require_POST
def fee_settle(request: HttpRequest, fee_id: int) -> HttpResponse:
    """Pay an amount off a fee (the balance when none is given), or waive what is left with a reason."""
    fee = selectors.access_fee(request.user, fee_id, for_waive=request.POST.get("action") == "waive")
    unit = _desk_unit(request) or fee.unit
    card = fee.reader.card
    try:
        if request.POST.get("action") == "waive":
            services.fee_waive(
                fee=fee, actor=request.user, at_unit=unit, reason=request.POST.get("reason", ""), via="desk"
            )
            messages.success(request, _("Fee waived."))
            return redirect(_desk_url(card))
        text = request.POST.get("amount", "").strip()
        try:
            amount = Decimal(text) if text else None
        except InvalidOperation:
            raise DomainError(
                _("%(amount)s is not an amount in yuan.") % {"amount": text}, code="fee_amount_invalid"
            ) from None
        fee = services.fee_pay(fee=fee, actor=request.user, at_unit=unit, amount=amount, via="desk")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(_desk_url(card))
    payment = selectors.fee_payment_last(fee=fee)
    messages.success(
        request,
        _("Paid %(amount)s yuan; %(balance)s yuan still owed on this fee.")
        % {"amount": payment.details["amount"], "balance": payment.details["balance"]}
        if fee.status == fee.Status.OPEN
        else _("Paid %(amount)s yuan; the fee is settled.") % {"amount": payment.details["amount"]},
    )
    return redirect(_desk_url(card, payment=str(payment.pk)))


@staff_required
def fee_receipt(request: HttpRequest, event_id: int) -> HttpResponse:
    """A 58 mm receipt for one payment: what was paid, what the fee was, and what is still owed."""
    payment = selectors.access_payment(request.user, event_id)
    fee = selectors.fee_get(pk=int(payment.details["fee"]))
    return render(
        request,
        "circulation/fee_receipt.html",
        {
            "title": _("Payment receipt"),
            "payment": payment,
            "fee": fee,
            "paid_now": Decimal(payment.details["amount"]),
            "paid_total": Decimal(payment.details["paid"]),
            "balance": Decimal(payment.details["balance"]),
        },
    )


@staff_required
@require_POST
def block(request: HttpRequest, card: str) -> HttpResponse:
    reader = selectors.access_reader(request.user, card)

    def call() -> str:
        if request.POST.get("action") == "unblock":
            services.reader_unblock(actor=request.user, reader=reader, via="desk")
            return _("The block is lifted.")
        services.reader_block(
            actor=request.user, reader=reader, reason=request.POST.get("reason", ""), via="desk"
        )
        return _("The card is blocked.")

    return _post_action(request, reader.card, call)


@staff_required
@require_POST
def hold_cancel(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = selectors.access_hold(request.user, hold_id, for_cancel=True)

    def call() -> str:
        services.hold_cancel(hold=hold, actor=request.user, via="desk")
        return _("Hold cancelled.")

    return _post_action(request, hold.reader.card, call)


def _expiry_problem(day: dt.date) -> str:
    """A new card expires from today on and within the years Wenyun takes (core/bounds.py)."""
    if day < timezone.localdate():
        return _("A new card cannot have expired already: %(day)s is past.") % {"day": day.isoformat()}
    return day_problem(day)


@staff_required
def reader_search(request: HttpRequest) -> HttpResponse:
    """Find a reader by card, name, phone or identity number: beyond the exact card, only the readers
    of one's own subtree. Each reader listed is recorded in the reader access log."""
    q = request.GET.get("q", "").strip()[:60]
    found = selectors.reader_search(user=request.user, q=q) if q else []
    reader_access_record(staff=request.user, readers=found, action=ReaderAccess.Action.LISTED, via="desk")
    return render(
        request,
        "circulation/reader_search.html",
        {
            "title": _("Find a reader"),
            "q": q,
            "readers": [(r, reader_phone_for(request.user, r)) for r in found],
            "unit": _desk_unit(request),
        },
    )


@staff_required
def access_log(request: HttpRequest) -> HttpResponse:
    """The record of processing (who looked at or changed which reader), for county administrators."""
    card = request.GET.get("card", "").strip()[:32]
    staff = request.GET.get("staff", "").strip()[:150]
    rows = selectors.reader_access_list(user=request.user, card=card, staff=staff)
    return render(
        request,
        "circulation/access_log.html",
        {"title": _("Reader access log"), "rows": rows, "card": card, "staff": staff},
    )


@staff_required
def reader_new(request: HttpRequest) -> HttpResponse:
    units = _desk_units(request.user)
    categories = list(selectors.category_list())
    start = _desk_unit(request) or (units[0] if units else None)
    values: dict[str, str] = {"home_unit": start.code if start else ""}
    error = ""
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "").strip()
            for k in ("card", "name", "phone", "id_number", "pin", "expires_on", "category", "home_unit")
        }
        try:
            expires = dt.date.fromisoformat(values["expires_on"]) if values["expires_on"] else None
        except ValueError:
            error = _("The expiry date %(value)s is not a date (YYYY-MM-DD).") % {
                "value": values["expires_on"]
            }
        if not error and expires is not None:
            error = _expiry_problem(expires)
        if not error:
            try:
                reader = services.reader_register(
                    actor=request.user,
                    card=values["card"],
                    name=values["name"],
                    category=selectors.category_get(code=values["category"]),
                    home_unit=access_unit(request.user, values["home_unit"], for_change=True),
                    phone=values["phone"],
                    id_number=values["id_number"],
                    pin=values["pin"],
                    expires_on=expires,
                    via="desk",
                )
                messages.success(request, _("Card %(card)s registered.") % {"card": reader.card})
                return redirect(_desk_url(reader.card))
            except DomainError as exc:
                error = exc.message
    default_expiry = (timezone.localdate() + dt.timedelta(days=3 * 365)).isoformat()
    return render(
        request,
        "circulation/reader_new.html",
        {
            "title": _("Register a reader"),
            "units": units,
            "categories": categories,
            "values": values,
            "error": error,
            "default_expiry": default_expiry,
        },
    )


# ---------------------------------------------------------------- the village phone page


@staff_required
def phone(request: HttpRequest) -> HttpResponse:
    """Lend and take back at a village bookstore in as few taps as possible."""
    unit = _desk_unit(request)
    if unit is None:
        return render(
            request,
            "circulation/choose_unit.html",
            {
                "title": _("Lend and take back"),
                "units": _desk_units(request.user),
                "next": "circulation:phone",
            },
        )
    result = None
    if request.method == "POST":
        barcode = request.POST.get("barcode", "").strip()
        card = request.POST.get("card", "").strip()
        try:
            item = item_get(barcode=barcode)
            if request.POST.get("action") == "return":
                done = services.loan_checkin(item=item, at_unit=unit, actor=request.user, via="phone")
                result = ("ok", f"{item.record.title}: {_destination_text(done.action, done.unit, unit)}")
            else:
                reader = selectors.reader_get(card=card)
                loan = services.loan_checkout(
                    reader=reader, item=item, at_unit=unit, actor=request.user, via="phone"
                )
                lent = _("%(title)s lent to %(name)s, due %(due)s.") % {
                    "title": item.record.title,
                    "name": reader.name,
                    "due": loan.due_on.isoformat(),
                }
                result = ("warning", f"{lent} {loan.warning}") if loan.warning else ("ok", lent)
        except DomainError as exc:
            result = ("error", exc.message)
    return render(
        request,
        "circulation/phone.html",
        {
            "title": _("Lend and take back"),
            "unit": unit,
            "result": result,
            "card": request.POST.get("card", ""),
        },
    )


# ---------------------------------------------------------------- lists a unit works from


@staff_required
def lists(request: HttpRequest) -> HttpResponse:
    unit = _desk_unit(request)
    if unit is None:
        return render(
            request,
            "circulation/choose_unit.html",
            {
                "title": _("Holds and transits"),
                "units": _desk_units(request.user),
                "next": "circulation:lists",
            },
        )
    within = None if request.user.is_county_admin else request.user.unit
    return render(
        request,
        "circulation/lists.html",
        {
            "title": _("Holds and transits"),
            "unit": unit,
            "pull": selectors.pull_list(unit=unit),
            "shelf": selectors.hold_shelf(unit=unit),
            "outgoing": selectors.transits_outgoing(unit=unit),
            "incoming": selectors.transits_incoming(unit=unit),
            "overdue": selectors.transits_overdue(within=within),
            "today": timezone.localdate(),
        },
    )


@staff_required
@require_POST
def holds_fill(request: HttpRequest) -> HttpResponse:
    count = services.holds_fill(actor=request.user, via="desk")
    messages.success(request, _("%(count)s holds were given a copy to pull.") % {"count": count})
    return redirect("circulation:lists")


@staff_required
@require_POST
def transit_send(request: HttpRequest) -> HttpResponse:
    unit = _desk_unit(request)
    if unit is None:
        return redirect("circulation:lists")
    sent = 0
    for transit in selectors.transits_outgoing(unit=unit):
        services.transit_send(transit=transit, actor=request.user, via="desk")
        sent += 1
    messages.success(request, _("%(count)s copies handed to the van.") % {"count": sent})
    return redirect("circulation:lists")


# ---------------------------------------------------------------- the van's runs


@staff_required
def van(request: HttpRequest) -> HttpResponse:
    """Per route: the next run, the copies waiting at its stops, the runs still on the road; overdue flagged."""
    user = request.user
    units = None if user.is_county_admin else list(units_visible_to(user))
    board = selectors.van_runs(units=units)
    routes = [
        {
            "plan": plan,
            "can_send": any(user_can_manage_unit(user, stop) for stop in plan.stops),
            "road": [
                (
                    run,
                    transits,
                    sorted(
                        {t.to_unit for t in transits if user_can_manage_unit(user, t.to_unit)},
                        key=lambda u: u.path,
                    ),
                )
                for run, transits in plan.on_the_road
            ],
        }
        for plan in board
    ]
    return render(
        request,
        "circulation/van.html",
        {"title": _("Van runs"), "routes": routes, "today": timezone.localdate()},
    )


def _day_param(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            _("The day %(value)s is not a date (YYYY-MM-DD).") % {"value": text}, code="day_invalid"
        ) from None


@staff_required
@require_POST
def van_send(request: HttpRequest, route_id: int) -> HttpResponse:
    route = selectors.route_get(pk=route_id)
    try:
        run, count = services.delivery_run_send(
            route=route, day=_day_param(request.POST.get("day", "")), actor=request.user, via="desk"
        )
        messages.success(
            request,
            _("%(count)s copies handed to the %(route)s van of %(day)s.")
            % {"count": count, "route": route.name, "day": run.day.isoformat()},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("circulation:van")


@staff_required
@require_POST
def van_receive(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.run_get(pk=run_id)
    try:
        unit = access_unit(request.user, request.POST.get("unit", ""), for_change=True)
        results = services.delivery_run_receive(run=run, at_unit=unit, actor=request.user, via="desk")
        messages.success(
            request,
            _("%(count)s copies received at %(unit)s off the %(route)s van.")
            % {"count": len(results), "unit": unit.name, "route": run.route.name},
        )
        for result in results:
            if result.action != "shelve":
                messages.warning(
                    request,
                    f"{result.item.barcode}: {_destination_text(result.action, result.unit, unit)}",
                )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("circulation:van")


@staff_required
def van_manifest(request: HttpRequest, route_id: int) -> HttpResponse:
    """The run's list for the driver and each stop: A4, or 58 mm thermal paper with ?paper=58."""
    route = selectors.route_get(pk=route_id)
    try:
        day = _day_param(request.GET.get("day", "")) if request.GET.get("day") else None
    except DomainError as exc:
        raise Http404(exc.message) from None
    day = day or selectors.next_run_day(weekday=route.weekday, today=timezone.localdate())
    run, transits = selectors.van_run_manifest(route=route, day=day)
    if not request.user.is_county_admin:
        transits = [
            t
            for t in transits
            if user_can_manage_unit(request.user, t.from_unit)
            or user_can_manage_unit(request.user, t.to_unit)
        ]
    groups: dict[Unit, list] = {}
    for transit in transits:
        groups.setdefault(transit.to_unit, []).append(transit)
    return render(
        request,
        "circulation/van_manifest.html",
        {
            "title": _("Van manifest"),
            "route": route,
            "day": day,
            "run": run,
            "groups": list(groups.items()),
            "count": len(transits),
            "thermal": request.GET.get("paper") == "58",
            "now": timezone.localtime(),
        },
    )


# ---------------------------------------------------------------- the matrix


def _rule_from_post(request: HttpRequest) -> dict:
    post = request.POST

    def number(name: str, label: str) -> int:
        try:
            value = int(post.get(name, ""))
        except ValueError:
            raise DomainError(
                _("%(field)s must be a whole number.") % {"field": label}, code="rule_invalid"
            ) from None
        if value < 0 or value > 3650:
            raise DomainError(
                _("%(field)s must be between 0 and 3650.") % {"field": label}, code="rule_invalid"
            )
        return value

    def money(name: str, label: str) -> Decimal:
        try:
            return Decimal(post.get(name, "0") or "0").quantize(Decimal("0.01"))
        except InvalidOperation:
            raise DomainError(
                _("%(field)s must be an amount in yuan.") % {"field": label}, code="rule_invalid"
            ) from None

    unit = unit_get(code=post["unit"]) if post.get("unit") else None
    category = selectors.category_get(code=post["category"]) if post.get("category") else None
    item_type = ItemType.objects.filter(code=post.get("item_type")).first() if post.get("item_type") else None
    if post.get("return_policy") not in ReturnPolicy.values:
        raise DomainError(_("Choose a return policy."), code="rule_invalid")
    return {
        "unit": unit,
        "category": category,
        "item_type": item_type,
        "loan_days": number("loan_days", _("Loan period")),
        "loan_limit": number("loan_limit", _("Loan limit")),
        "renewals": number("renewals", _("Renewals")),
        "holds_allowed": post.get("holds_allowed") == "on",
        "fee_per_day": money("fee_per_day", _("Overdue fee per day")),
        "fee_cap": money("fee_cap", _("Fee cap")),
        "return_policy": post["return_policy"],
        "note": post.get("note", "").strip()[:200],
    }


@staff_required
def matrix(request: HttpRequest) -> HttpResponse:
    editing = None
    if request.GET.get("edit", "").isdigit():
        editing = CirculationRule.objects.filter(pk=int(request.GET["edit"])).first()
    error = ""
    if request.method == "POST":
        rule_id = request.POST.get("rule", "")
        target = CirculationRule.objects.filter(pk=int(rule_id)).first() if rule_id.isdigit() else None
        try:
            if request.POST.get("action") == "delete" and target is not None:
                services.rule_delete(actor=request.user, rule=target)
                messages.success(request, _("The row was removed."))
            else:
                services.rule_save(actor=request.user, rule=target, **_rule_from_post(request))
                messages.success(request, _("The row was saved."))
            return redirect("circulation:matrix")
        except DomainError as exc:
            error = exc.message
            editing = target
    return render(
        request,
        "circulation/matrix.html",
        {
            "title": _("Circulation rules"),
            "rules": selectors.rule_list(),
            "editing": editing,
            "error": error,
            "can_edit": request.user.is_county_admin,
            "units": Unit.objects.filter(
                kind__in=[*LENDING_KINDS, UnitKind.COUNTY, UnitKind.DISTRICT]
            ).order_by("path"),
            "categories": selectors.category_list(),
            "item_types": ItemType.objects.order_by("code"),
            "policies": ReturnPolicy.choices,
        },
    )


def _explain_error(card: str, barcode: str) -> str:
    """One sentence naming what the explain form was given wrong, or "" when card and copy both exist."""
    if not card or not barcode:
        return _("Give both the reader's card and the copy's barcode.")
    missing = []
    for lookup in (lambda: selectors.reader_get(card=card), lambda: item_get(barcode=barcode)):
        try:
            lookup()
        except NotFound as exc:
            missing.append(exc.message)
    if len(missing) == 2:
        return _("There is no reader with the card %(card)s and no copy with the barcode %(barcode)s.") % {
            "card": card,
            "barcode": barcode,
        }
    return missing[0] if missing else ""


@staff_required
def explain(request: HttpRequest) -> HttpResponse:
    """Which row applies to this reader, this copy, at this unit, and why."""
    card = request.GET.get("card", "").strip()
    barcode = request.GET.get("barcode", "").strip()
    own = getattr(request.user, "unit", None)
    code = (
        request.GET.get("unit", "").strip()
        or (own.code if own is not None and own.kind in LENDING_KINDS else "")
        or request.session.get("desk_unit", "")
    )
    context: dict = {"title": _("Which rule applies"), "card": card, "barcode": barcode, "unit_code": code}
    context["units"] = Unit.objects.filter(kind__in=LENDING_KINDS).order_by("path")
    if card or barcode:
        context["error"] = _explain_error(card, barcode) or (
            "" if code else _("Choose the unit where the copy is lent.")
        )
        if not context["error"]:
            try:
                reader = selectors.reader_get(card=card)
                item = item_get(barcode=barcode)
                unit = unit_get(code=code)
                match = rule_match(
                    unit=unit, category_id=reader.category_id, item_type_id=item.item_type_id, explain=True
                )
                context.update(reader=reader, item=item, unit=unit, match=match)
            except DomainError as exc:
                context["error"] = exc.message
    return render(request, "circulation/explain.html", context)


@staff_required
def item_history(request: HttpRequest, barcode: str) -> HttpResponse:
    try:
        item = item_get(barcode=barcode)
    except NotFound as exc:
        raise Http404(exc.message) from None
    events = list(selectors.item_history(item=item))
    # Who read what is personal: a reader's card is shown only to his own unit's staff (and the county).
    for event in events:
        event.reader_card = (  # type: ignore[attr-defined]
            ""
            if event.reader is None
            else event.reader.card
            if access.reader_in_scope(request.user, event.reader)
            else access.card_masked(event.reader.card)
        )
    return render(
        request,
        "circulation/item_history.html",
        {
            "title": _("History of %(barcode)s") % {"barcode": item.barcode},
            "item": item,
            "events": events,
        },
    )
