"""Staff pages for acquisitions under /staff/acquisitions/: parse, call one service, render."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from wenyun.catalog import selectors as catalog_selectors
from wenyun.core.errors import DomainError
from wenyun.core.normalise import plain
from wenyun.core.web import done, form_id, home_unit, or_404, staff_required
from wenyun.network.access import access_unit, units_visible_to, user_can_manage_unit
from wenyun.network.models import Unit
from wenyun.network.selectors import unit_get

from . import exports, forms, labels, selectors, services
from .access import user_can_acquire
from .lifecycle import ORDER_LIFECYCLE, RECEIVING
from .models import Order, OrderStatus, Receipt, RotationMove, Vendor


def _acquirer(request: HttpRequest) -> None:
    if not user_can_acquire(request.user):
        raise PermissionDenied(
            _(
                "Books are bought centrally: only the county library's staff and county administrators may do this."
            )
        )


def _page(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    return render(request, template, {"acquirer": user_can_acquire(request.user), **context})


def _year(request: HttpRequest) -> int:
    text = (request.GET.get("year") or "").strip()
    return int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else timezone.localdate().year


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    funds = list(selectors.funds_visible(user=request.user, year=year))
    figures = selectors.fund_figures(funds=funds)
    acquirer = user_can_acquire(request.user)
    orders = (
        Order.objects.select_related("vendor", "fund").filter(created_at__year=year)
        if acquirer
        else Order.objects.none()
    )
    status = request.GET.get("status") or ""
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    unit = home_unit(request)
    return _page(
        request,
        "acquisitions/index.html",
        {
            "title": _("Acquisitions"),
            "year": year,
            "funds": [(fund, figures[fund.pk]) for fund in funds],
            "orders": list(orders.order_by("-created_at")[:100]),
            "statuses": OrderStatus.choices,
            "status": status,
            "late": len(selectors.late_lines(today=timezone.localdate())) if acquirer else 0,
            "arriving": selectors.rotation_moves_arriving(unit=unit) if unit else [],
            "here": selectors.rotation_sets_at(unit=unit) if unit else [],
        },
    )


@staff_required
def funds(request: HttpRequest) -> HttpResponse:
    _acquirer(request)
    form = forms.FundForm(
        request.POST or None, initial={"year": timezone.localdate().year, "unit": home_unit(request)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if done(
            request,
            lambda: services.fund_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                year=data["year"],
                unit=data["unit"],
                source=data["source"],
                allocated=data["allocated"],
                parent=data["parent"],
            ),
            _("Fund saved."),
        ):
            return redirect("acquisitions:index")
    return _page(request, "acquisitions/form.html", {"title": _("New fund"), "form": form})


@staff_required
def vendors(request: HttpRequest) -> HttpResponse:
    _acquirer(request)
    form = forms.VendorForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and done(
            request, lambda: services.vendor_save(actor=request.user, **form.cleaned_data), _("Vendor saved.")
        )
    ):
        return redirect("acquisitions:vendors")
    return _page(
        request,
        "acquisitions/vendors.html",
        {"title": _("Vendors"), "vendors": Vendor.objects.select_related("shop_unit"), "form": form},
    )


@staff_required
def order_new(request: HttpRequest) -> HttpResponse:
    _acquirer(request)
    form = forms.OrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created: list[Order] = []

        def create() -> None:
            units = {u.code.upper(): u for u in Unit.objects.filter(active=True)}
            lines = forms.lines_parse(data["lines"], units=units)
            created.append(
                services.order_create(
                    actor=request.user,
                    vendor=data["vendor"],
                    fund=data["fund"],
                    lines=lines,
                    note=data["note"],
                )
            )

        if done(request, create, _("Order saved as a draft.")):
            return redirect("acquisitions:order", pk=created[0].pk)
    return _page(request, "acquisitions/form.html", {"title": _("New order"), "form": form})


def _order(request: HttpRequest, pk: int) -> Order:
    _acquirer(request)
    return or_404(selectors.order_get, pk=pk)


@staff_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    lines = selectors.order_lines(order=order)
    held = selectors.held_for_lines(lines=lines)
    return _page(
        request,
        "acquisitions/order.html",
        {
            "title": order.number,
            "order": order,
            "lines": [(line, held.get(line.pk)) for line in lines],
            "total": selectors.order_total(order),
            "invoices": selectors.invoices_of(order=order),
            "can": {action: ORDER_LIFECYCLE.allows(order, action) for action in ("send", "cancel", "close")},
            "receiving": order.status in RECEIVING,
            "unbilled": sum(line.received - line.invoiced for line in lines),
            "invoice_form": forms.InvoiceForm(),
            "papers": labels.label_papers(),
            "label_kinds": labels.LabelKind.choices,
            "received": sum(line.received for line in lines),
            "marc_form": forms.MarcForm(),
        },
    )


@staff_required
@require_POST
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    order = _order(request, pk)
    if action == "send":
        done(
            request,
            lambda: services.order_send(actor=request.user, order=order),
            _("Order sent to the vendor."),
        )
    elif action == "cancel":
        done(
            request,
            lambda: services.order_cancel(actor=request.user, order=order),
            pgettext("purchase order", "Order cancelled."),
        )
    elif action == "close":
        done(request, lambda: services.order_close(actor=request.user, order=order), _("Order closed."))
    elif action == "invoice":
        form = forms.InvoiceForm(request.POST)
        if form.is_valid():
            done(
                request,
                lambda: services.invoice_received(
                    actor=request.user,
                    order=order,
                    number=form.cleaned_data["number"],
                    issued_on=form.cleaned_data["issued_on"],
                ),
                _("Invoice entered: what it bills is now spent."),
            )
    elif action == "marc":
        marc_form = forms.MarcForm(request.POST, request.FILES)
        if marc_form.is_valid():
            upload = marc_form.cleaned_data["file"]
            report: list[dict] = []

            def load() -> None:
                report.append(
                    services.order_marc_load(
                        actor=request.user, order=order, data=upload.read(), name=upload.name
                    )
                )

            if done(request, load, _("The vendor's records are loaded.")) and report:
                messages.info(
                    request,
                    _(
                        "%(read)s records read, %(added)s new to the catalogue; %(linked)s lines found their record."
                    )
                    % {
                        "read": report[0]["read"],
                        "added": report[0]["added"],
                        "linked": report[0]["lines_linked"],
                    },
                )
    else:
        raise Http404  # no such step of an order
    return redirect("acquisitions:order", pk=order.pk)


def _file(content: bytes, *, name: str, kind: str) -> HttpResponse:
    types = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }
    response = HttpResponse(content, content_type=types[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@staff_required
def order_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The order as the vendor wants it: a workbook with its lines and a sheet per destination unit."""
    order = _order(request, pk)
    return _file(
        exports.order_xlsx(order=order, lines=selectors.order_lines(order=order)),
        name=f"{order.number}.xlsx",
        kind="xlsx",
    )


@staff_required
@require_POST
def order_labels(request: HttpRequest, pk: int) -> HttpResponse:
    """Spine and barcode labels for the copies received on the order (those not printed yet, unless
    all are asked for), on the label paper chosen, from the first free label of a used sheet."""
    order = _order(request, pk)
    receipts = selectors.receipts_of(order=order)
    if request.POST.get("which") != "all":
        receipts = [r for r in receipts if r.labelled_at is None]
    start = form_id(request.POST.get("start")) or 1
    paper, kind = request.POST.get("paper", ""), request.POST.get("kind", labels.LabelKind.BOTH)
    try:
        content = labels.labels_pdf(
            copies=labels.label_copies(receipts=receipts), paper=paper, kind=kind, start_at=start
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("acquisitions:order", pk=order.pk)
    services.labels_printed(
        actor=request.user, order=order, receipt_ids=[r.pk for r in receipts], paper=paper
    )
    return _file(content, name=f"{order.number}-labels.pdf", kind="pdf")


@staff_required
def order_packing(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The packing lists of the copies received on the order, a list per destination unit."""
    order = _order(request, pk)
    receipts = [r for r in selectors.receipts_of(order=order) if r.destination.unit_id != order.unit_id]
    try:
        if fmt == "xlsx":
            return _file(
                exports.packing_list_xlsx(receipts=receipts), name=f"{order.number}-packing.xlsx", kind="xlsx"
            )
        if fmt == "pdf":
            return _file(
                exports.packing_list_pdf(receipts=receipts), name=f"{order.number}-packing.pdf", kind="pdf"
            )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("acquisitions:order", pk=order.pk)
    raise Http404


@staff_required
def late_xlsx(request: HttpRequest) -> HttpResponse:
    """The lines late from their vendors, to claim them."""
    _acquirer(request)
    today = timezone.localdate()
    return _file(
        exports.late_lines_xlsx(lines=selectors.late_lines(today=today), today=today),
        name=f"late-{today}.xlsx",
        kind="xlsx",
    )


@staff_required
def offers(request: HttpRequest) -> HttpResponse:
    """The vendors' offer lists (征订目录); the hub imports them, every unit chooses from them."""
    form = forms.OfferImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        _acquirer(request)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = services.offer_list_import(
                    actor=request.user,
                    vendor=form.cleaned_data["vendor"],
                    name=form.cleaned_data["name"],
                    content=upload.read(),
                    filename=upload.name,
                )
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("%(added)s lines of %(lines)s imported.")
                    % {"added": report.added, "lines": report.lines},
                )
                for problem in report.problems[:50]:
                    messages.warning(request, problem["message"])
                return redirect("acquisitions:offer", pk=report.offer.pk)
    return _page(
        request,
        "acquisitions/offers.html",
        {"title": _("Offer lists"), "lists": selectors.offer_lists()[:100], "form": form},
    )


PAGE = 200


@staff_required
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An offer list's lines with what the county holds of each (per unit), on order and wished; a
    station or village manager wishes copies for his unit (百姓点单)."""
    offer = or_404(selectors.offer_list_get, pk=pk)
    unit = home_unit(request)
    acquirer = user_can_acquire(request.user)
    if request.method == "POST":
        line = or_404(selectors.offer_line_get, pk=form_id(request.POST.get("line")))
        done(
            request,
            lambda: services.wish_add(
                actor=request.user, unit=unit, offer_line=line, copies=request.POST.get("copies") or "1"
            ),
            _("Your wish is noted: the county library sees it when it orders."),
        )
        return redirect(f"{request.path}?{request.GET.urlencode()}")
    q = (request.GET.get("q") or "").strip()[:100]
    offset = form_id(request.GET.get("from"))
    rows = selectors.offer_lines_with_holdings(
        offer_list=offer, unit=None if acquirer else unit, q=q, offset=offset, limit=PAGE + 1
    )
    return _page(
        request,
        "acquisitions/offer.html",
        {
            "title": offer.name,
            "offer": offer,
            "rows": rows[:PAGE],
            "more": offset + PAGE if len(rows) > PAGE else None,
            "q": q,
            "wishing": not acquirer and unit is not None,
            "unit": unit,
        },
    )


@staff_required
def suggestions(request: HttpRequest) -> HttpResponse:
    """Wishes of stations and villages and readers' suggestions: the hub orders them or says why not."""
    form = forms.AcceptForm(request.POST or None)
    if request.method == "POST":
        _acquirer(request)
        chosen = {form_id(v) for v in request.POST.getlist("chosen")}
        visible = selectors.suggestions_visible(user=request.user)
        picked = list(visible.filter(pk__in=chosen))
        if request.POST.get("decline"):
            target = visible.filter(pk=form_id(request.POST.get("decline"))).first()
            if target is not None:
                done(
                    request,
                    lambda: services.suggestion_decline(
                        actor=request.user, suggestion=target, reason=request.POST.get("reason", "")
                    ),
                    _("Declined, with the reason given."),
                )
        elif form.is_valid() and picked:
            made: list = []
            if done(
                request,
                lambda: made.append(
                    services.suggestions_accept(
                        actor=request.user,
                        suggestions=picked,
                        vendor=form.cleaned_data["vendor"],
                        fund=form.cleaned_data["fund"],
                    )
                ),
                _("A draft order is made of the chosen titles."),
            ):
                return redirect("acquisitions:order", pk=made[0].pk)
        elif not picked:
            messages.error(request, _("Choose at least one wish or suggestion to order."))
        return redirect("acquisitions:suggestions")
    return _page(
        request,
        "acquisitions/suggestions.html",
        {
            "title": _("Wishes and suggestions"),
            "rows": list(selectors.suggestions_visible(user=request.user)[:500]),
            "form": form,
        },
    )


@staff_required
def receive(request: HttpRequest) -> HttpResponse:
    """The receiving desk, for a barcode scanner: the ISBN, then the new barcode; the order stays chosen."""
    _acquirer(request)
    open_orders = list(
        Order.objects.filter(status__in=sorted(RECEIVING), reader_choice=False)
        .select_related("vendor")
        .order_by("-sent_at")
    )
    chosen = next(
        (o for o in open_orders if o.pk == form_id(request.POST.get("order") or request.GET.get("order"))),
        None,
    )
    form = forms.ReceiveForm(request.POST or None)
    result = None
    if request.method == "POST" and chosen is not None and form.is_valid():
        try:
            result = services.receipt_create(
                actor=request.user,
                order=chosen,
                isbn=form.cleaned_data["isbn"],
                barcode=form.cleaned_data["barcode"],
            )
            form = forms.ReceiveForm()
        except DomainError as error:
            messages.error(request, error.message)
    recent = (
        Receipt.objects.filter(line__order=chosen)
        .select_related("line", "destination__unit")
        .order_by("-pk")[:15]
        if chosen
        else []
    )
    return _page(
        request,
        "acquisitions/receive.html",
        {
            "title": _("Receiving"),
            "orders": open_orders,
            "chosen": chosen,
            "form": form,
            "result": result,
            "recent": recent,
        },
    )


@staff_required
def rotation(request: HttpRequest) -> HttpResponse:
    unit = home_unit(request)
    form = forms.RotationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def create() -> None:
            codes = data["stops"].replace("，", " ").replace(",", " ").split()
            stops = [Unit.objects.filter(code__iexact=code).first() for code in codes]
            missing = [code for code, stop in zip(codes, stops, strict=True) if stop is None]
            if missing:
                raise DomainError(
                    _("There is no unit with the code %(code)s.") % {"code": missing[0]},
                    code="unit_not_found",
                )
            services.rotation_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                owner=unit,
                stops=stops,
                barcodes=data["barcodes"].split(),
                period_days=data["period_days"],
            )

        if done(request, create, _("Rotation set created.")):
            return redirect("acquisitions:rotation")
    sets = selectors.rotation_sets(user=request.user)
    today = timezone.localdate()
    return _page(
        request,
        "acquisitions/rotation.html",
        {
            "title": _("Rotation sets"),
            # (set, its next stop, due to move, copies, whether this person may send it on: both stops his)
            "sets": [
                (
                    s,
                    nxt,
                    s.next_move_on <= today,
                    s.members.count(),
                    user_can_manage_unit(request.user, s.current_unit)
                    and user_can_manage_unit(request.user, nxt),
                )
                for s in sets
                for nxt in [services.next_stop(s)]
            ],
            "arriving": selectors.rotation_moves_arriving(unit=unit) if unit else [],
            "form": form,
        },
    )


@staff_required
@require_POST
def rotation_move(request: HttpRequest, code: str) -> HttpResponse:
    rotation = or_404(services.rotation_get, code=code)
    if not any(s.pk == rotation.pk for s in selectors.rotation_sets(user=request.user)):
        raise Http404  # another township's set is not there for this staff member, as on the page
    moved: list = []
    if done(
        request,
        lambda: moved.append(services.rotation_move(actor=request.user, rotation=rotation)),
        _("The set is on its way."),
    ):
        result = moved[0]
        if result.following:
            messages.warning(
                request,
                _("%(n)s copies were not on the shelf and follow when they come back: %(list)s")
                % {
                    "n": len(result.following),
                    "list": ", ".join(f"{b} ({state})" for b, state in result.following),
                },
            )
    return redirect("acquisitions:rotation")


@staff_required
@require_POST
def rotation_arrive(request: HttpRequest, pk: int) -> HttpResponse:
    move = (
        RotationMove.objects.select_related("to_unit", "rotation")
        .filter(pk=pk, status=RotationMove.Status.SENT)
        .first()
    )
    if move is None or not user_can_manage_unit(request.user, move.to_unit):
        raise Http404
    received: list[int] = []
    if done(
        request,
        lambda: received.append(services.rotation_arrive(actor=request.user, move=move)),
        _("Arrival confirmed."),
    ):
        messages.info(request, _("%(n)s copies received on the shelf here.") % {"n": received[0]})
    # Back to the page the confirmation was sent from: a path of this site, never another site's
    # address (an open redirect) nor a word that names no page.
    back = request.POST.get("next") or ""
    local = back.startswith("/") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(back if local else "acquisitions:rotation")


@staff_required
def choice(request: HttpRequest) -> HttpResponse:
    """Reader choice at a partner bookstore: card, book, barcode — bought and lent, or refused with the rule."""
    shops = [
        v
        for v in Vendor.objects.filter(partner_shop=True, active=True).select_related("shop_unit")
        if user_can_manage_unit(request.user, v.shop_unit)
    ]
    if not shops:
        raise PermissionDenied(_("Only the staff of a partner bookstore lend books bought on reader choice."))
    initial: dict = {"shop": shops[0]}
    if request.GET.get("lookup"):  # the ISBN scanned first: what the offer lists or the catalogue know
        typed = {name: request.GET.get(name, "")[:500] for name in ("shop", "card", "isbn", "barcode")}
        found = selectors.book_for_isbn(isbn=typed["isbn"])
        if not found:
            messages.info(request, _("Nothing is known of this ISBN yet: type the book's details."))
        initial.update({k: v for k, v in typed.items() if v}, **found)
    form = forms.ChoiceForm(request.POST or None, initial=initial)
    cast(ModelChoiceField, form.fields["shop"]).queryset = Vendor.objects.filter(pk__in=[s.pk for s in shops])
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        book = services.ChoiceBook(
            isbn=data["isbn"],
            title=data["title"],
            price=data["price"],
            year=data["year"],
            author=data["author"],
            publisher=data["publisher"],
            clc=data["clc"],
        )
        try:
            result = services.choice_lend(
                actor=request.user, shop=data["shop"], card=data["card"], book=book, barcode=data["barcode"]
            )
            form = forms.ChoiceForm(initial={"shop": data["shop"]})
            cast(ModelChoiceField, form.fields["shop"]).queryset = Vendor.objects.filter(
                pk__in=[s.pk for s in shops]
            )
        except DomainError as error:
            messages.error(request, error.message)
    rules = services.settings_get()
    return _page(
        request,
        "acquisitions/choice.html",
        {"title": _("Reader choice"), "form": form, "result": result, "rules": rules},
    )


# -- stocktaking (盘点) and weeding (剔旧) -------------------------------------------------------------


def _years(value: str | None, default: int | None) -> int | None:
    """Years as typed (full-width digits too); blank is no such criterion, nonsense the default."""
    text = plain(value) if value is not None else ""
    if value is not None and not text:
        return None
    return int(text) if text.isdigit() and 0 <= int(text) <= 200 else default


@staff_required
def stocktakes(request: HttpRequest) -> HttpResponse:
    """The stocktakes of the units one works for, and the form to start one."""
    units = list(units_visible_to(request.user).order_by("path"))
    if request.method == "POST":
        started: list = []

        def start() -> None:
            unit = unit_get(code=(request.POST.get("unit") or "").strip())
            started.append(
                services.stocktake_start(
                    actor=request.user,
                    unit=unit,
                    location=request.POST.get("location", ""),
                    call_prefix=request.POST.get("call_prefix", ""),
                )
            )

        if done(request, start, _("Stocktake started: scan the shelves.")):
            return redirect("acquisitions:stocktake", pk=started[0].pk)
        return redirect("acquisitions:stocktakes")
    here = home_unit(request)
    return _page(
        request,
        "acquisitions/stocktakes.html",
        {
            "title": _("Stocktaking"),
            "stocktakes": selectors.stocktakes_visible(user=request.user),
            "units": units,
            "here": here,
        },
    )


@staff_required
def stocktake(request: HttpRequest, pk: int) -> HttpResponse:
    """A stocktake on a phone or at a scanner: a batch of barcodes at a time, then the differences."""
    taking = or_404(selectors.access_stocktake, request.user, pk)
    if request.method == "POST":
        report: list[services.ScanReport] = []
        if done(
            request,
            lambda: report.append(
                services.stocktake_scan(
                    actor=request.user, stocktake=taking, barcodes=[request.POST.get("barcodes", "")]
                )
            ),
            _("Batch saved."),
        ):
            scan = report[0]
            messages.info(
                request,
                _("Batch %(batch)s: %(added)s new, %(again)s scanned before.")
                % {"batch": scan.batch, "added": scan.added, "again": scan.again},
            )
            if scan.unknown:
                messages.warning(
                    request,
                    _("No copy has these barcodes: %(list)s") % {"list": ", ".join(scan.unknown)},
                )
            if scan.rejected:
                messages.warning(
                    request,
                    _("These are not barcodes and were not kept: %(list)s")
                    % {"list": ", ".join(b[:40] for b in scan.rejected)},
                )
        return redirect("acquisitions:stocktake", pk=taking.pk)
    is_open = taking.status == taking.Status.OPEN
    return _page(
        request,
        "acquisitions/stocktake.html",
        {
            "title": _("Stocktake"),
            "stocktake": taking,
            "open": is_open,
            "comparison": selectors.stocktake_compare(stocktake=taking) if is_open else None,
            "resolutions": selectors.stocktake_resolutions(stocktake=taking),
        },
    )


@staff_required
@require_POST
def stocktake_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    taking = or_404(selectors.access_stocktake, request.user, pk)
    outcome = request.POST.get("outcome", "")

    def resolve() -> None:
        item = catalog_selectors.item_get(barcode=request.POST.get("barcode", ""))
        services.stocktake_resolve(actor=request.user, stocktake=taking, item=item, outcome=outcome)

    done(request, resolve, _("Resolved."))
    return redirect("acquisitions:stocktake", pk=taking.pk)


@staff_required
@require_POST
def stocktake_finish(request: HttpRequest, pk: int) -> HttpResponse:
    taking = or_404(selectors.access_stocktake, request.user, pk)
    done(
        request,
        lambda: services.stocktake_finish(actor=request.user, stocktake=taking),
        _("Stocktake finished: its counts are kept."),
    )
    return redirect("acquisitions:stocktake", pk=taking.pk)


@staff_required
def weeding(request: HttpRequest) -> HttpResponse:
    """Weeding a unit's collection: choose the criteria, tick the candidates, withdraw them with a reason."""
    data = request.POST if request.method == "POST" else request.GET
    code = (data.get("unit") or "").strip() or home_unit(request).code
    unit = or_404(access_unit, request.user, code)
    if request.method == "POST":
        result: list[services.WeedResult] = []

        def withdraw() -> None:
            ids = [form_id(value) for value in request.POST.getlist("items")]
            items = catalog_selectors.items_by_pk(pks=[pk for pk in ids if pk])
            result.append(
                services.weed(
                    actor=request.user, unit=unit, items=items, reason=request.POST.get("reason", "")
                )
            )

        if done(request, withdraw, _("Copies withdrawn.")):
            weeded = result[0]
            messages.info(request, _("%(n)s copies withdrawn in this batch.") % {"n": len(weeded.withdrawn)})
            for barcode, sentence in weeded.refused:
                messages.warning(request, f"{barcode}: {sentence}")
        return redirect(f"{request.path}?unit={unit.code}")
    asked = any(name in request.GET for name in ("older", "idle", "condition"))
    older = _years(request.GET.get("older"), 10)
    idle = _years(request.GET.get("idle"), 5)
    condition = request.GET.get("condition") == "1"
    candidates = []
    if asked:
        try:
            candidates = selectors.weeding_candidates(
                unit=unit, older_than=older, idle_for=idle, condition=condition
            )
        except DomainError as error:
            messages.error(request, error.message)
    return _page(
        request,
        "acquisitions/weeding.html",
        {
            "title": _("Weeding"),
            "unit": unit,
            "units": list(units_visible_to(request.user).order_by("path")),
            "older": older,
            "idle": idle,
            "condition": condition,
            "asked": asked,
            "candidates": candidates,
            "batches": selectors.weeding_batches(user=request.user, unit=unit),
        },
    )


@staff_required
def weeding_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """A weeding batch for the county's asset records."""
    batch = or_404(selectors.access_weeding_batch, request.user, pk)
    return _file(
        exports.weeding_batch_xlsx(batch=batch),
        name=f"weeding-{batch.unit.code}-{batch.day}.xlsx",
        kind="xlsx",
    )
