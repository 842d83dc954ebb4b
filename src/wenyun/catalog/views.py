"""Staff catalogue pages: search, records and their copies, add and edit, imports with their report."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenyun.core.errors import DomainError, NotFound
from wenyun.core.web import staff_required
from wenyun.network.access import access_unit, units_visible_to, user_can_manage_unit

from . import imports, selectors, services
from .forms import ItemForm, ItemsImportForm, ItemTypeForm, MarcImportForm, RecordForm
from .marc import parse_iso2709
from .models import ItemStatus, Record


def _record_or_404(record_id: int) -> Record:
    try:
        return selectors.record_get(record_id=record_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _int(value, default=None):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


MAX_PAGE = 10_000  # keeps a typed-in page number from becoming an offset the database cannot hold


def search_pages(*, page, **criteria) -> selectors.SearchResult:
    """The search at the page asked for, brought back to the first page when the page is not a number
    and to the last when it is past the end, so a stale or edited link still shows books."""
    wanted = min(max(1, _int(page, 1)), MAX_PAGE)
    result = selectors.catalog_search(page=wanted, **criteria)
    if result.page > result.pages:
        result = selectors.catalog_search(page=result.pages, **criteria)
    return result


@staff_required
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    result = None
    error = ""
    if q:
        try:
            result = search_pages(
                q=q,
                page=request.GET.get("page"),
                unit=request.GET.get("unit") or None,
                clc_class=request.GET.get("clc", ""),
                year=_int(request.GET.get("year")),
                language=request.GET.get("language", ""),
                facets=True,
            )
        except DomainError as exc:
            error = exc.message
    if result is not None:
        summaries = selectors.availability_summaries(
            availabilities=[hit.availability for hit in result.hits], near=request.user.unit
        )
        for hit, summary in zip(result.hits, summaries, strict=True):
            hit.summary = summary
    return render(
        request,
        "catalog/search.html",
        {"title": _("Catalogue"), "q": q, "result": result, "error": error, "staff": True},
    )


def _marc_lines(record: Record) -> list[str]:
    if not record.marc:
        return []
    try:
        parsed = parse_iso2709(bytes(record.marc), encoding="utf-8")
    except Exception:
        return [_("The stored MARC cannot be read.")]
    lines = [f"LDR {parsed.leader}"]
    for f in parsed.fields:
        if f.is_control:
            lines.append(f"{f.tag}    {f.value}")
        else:
            lines.append(
                f"{f.tag} {f.indicators.replace(' ', '#')} " + " ".join(f"${c} {v}" for c, v in f.subfields)
            )
    return lines


@staff_required
def record_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record_or_404(record_id)
    items = list(selectors.record_items(record=record))
    due = selectors.item_due_dates(item_ids=[i.pk for i in items if i.status == ItemStatus.ON_LOAN])
    for item in items:
        item.due = due.get(item.pk)
        item.can_manage = user_can_manage_unit(request.user, item.home_unit)
    return render(
        request,
        "catalog/record_detail.html",
        {
            "title": record.display_title,
            "record": record,
            "items": items,
            "availability": selectors.record_availability(record=record),
            "marc_lines": _marc_lines(record),
            "can_add_item": units_visible_to(request.user).exists(),
            "can_catalogue": services.user_can_catalogue(request.user),
            "language_label": selectors.LANGUAGE_LABELS.get(record.language, record.language),
        },
    )


@staff_required
def record_create(request: HttpRequest) -> HttpResponse:
    form = RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Record added."))
            return redirect("catalog:record", record_id=record.pk)
    return render(
        request, "catalog/form.html", {"title": _("Add a record"), "form": form, "back": "catalog:search"}
    )


@staff_required
def record_edit(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record_or_404(record_id)
    initial = {name: getattr(record, name) for name in services.RECORD_FIELDS}
    initial["isbn"] = record.isbn or record.isbn_raw
    initial["marc_format"] = record.marc_format
    form = RecordForm(request.POST or None, initial=initial)
    form.fields["marc_format"].disabled = True
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k in services.RECORD_FIELDS}
        try:
            services.record_update(actor=request.user, record=record, **changes)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog:record", record_id=record.pk)
    return render(
        request, "catalog/form.html", {"title": _("Edit the record"), "form": form, "record": record}
    )


@staff_required
@require_POST
def record_delete(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record_or_404(record_id)
    try:
        services.record_delete(actor=request.user, record=record)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("catalog:record", record_id=record.pk)
    messages.success(request, _("Record deleted."))
    return redirect("catalog:search")


@staff_required
def item_create(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _record_or_404(record_id)
    units = list(units_visible_to(request.user))
    initial = {
        "home_unit": request.user.unit.code if request.user.unit else "",
        "call_number": record.call_number,
    }
    form = ItemForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["home_unit"] = access_unit(request.user, data["home_unit"], for_change=True)
            services.item_create(actor=request.user, record=record, **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Copy %(barcode)s added.") % {"barcode": data["barcode"]})
            return redirect("catalog:record", record_id=record.pk)
    return render(request, "catalog/form.html", {"title": _("Add a copy"), "form": form, "record": record})


@staff_required
def item_edit(request: HttpRequest, barcode: str) -> HttpResponse:
    try:
        item = selectors.item_get(barcode=barcode)
    except NotFound as exc:
        raise Http404(exc.message) from None
    units = list(units_visible_to(request.user))
    initial = {
        "barcode": item.barcode,
        "home_unit": item.home_unit.code,
        "item_type": item.item_type_id,
        "location": item.location,
        "call_number": item.call_number,
        "price": item.price if item.price is not None else "",
        "acquired_on": item.acquired_on,
        "notes": item.notes,
    }
    form = ItemForm(request.POST or None, units=units, initial=initial, current_type=item.item_type)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            data["home_unit"] = access_unit(request.user, data["home_unit"], for_change=True)
            services.item_update(actor=request.user, item=item, **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("catalog:record", record_id=item.record_id)
    return render(
        request,
        "catalog/form.html",
        {
            "title": _("Copy %(barcode)s") % {"barcode": item.barcode},
            "form": form,
            "record": item.record,
            "item": item,
        },
    )


@staff_required
@require_POST
def item_withdraw(request: HttpRequest, barcode: str) -> HttpResponse:
    try:
        item = selectors.item_get(barcode=barcode)
        services.item_withdraw(actor=request.user, item=item, reason=request.POST.get("reason", ""))
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Copy %(barcode)s withdrawn.") % {"barcode": item.barcode})
    return redirect("catalog:record", record_id=item.record_id)


@staff_required
def import_marc(request: HttpRequest) -> HttpResponse:
    units = list(units_visible_to(request.user))
    form = MarcImportForm(request.POST or None, request.FILES or None, units=units)
    items_form = ItemsImportForm()
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            owner = access_unit(request.user, form.cleaned_data["owner"], for_change=True)
            report = imports.marc_import(
                stream=upload.read(),
                owner=owner,
                actor=request.user,
                name=upload.name,
                flavour=form.cleaned_data["flavour"],
                encoding=form.cleaned_data["encoding"],
                limits=True,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "catalog/import.html",
        {"title": _("Import"), "form": form, "items_form": items_form, "report": report},
    )


@staff_required
def import_items(request: HttpRequest) -> HttpResponse:
    form = ItemsImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = imports.items_import(path=upload.name, content=upload.read(), actor=request.user)
        except DomainError as exc:
            form.add_error(None, exc.message)
    units = list(units_visible_to(request.user))
    return render(
        request,
        "catalog/import.html",
        {
            "title": _("Import"),
            "form": MarcImportForm(units=units),
            "items_form": form,
            "items_report": report,
        },
    )


@staff_required
def item_types(request: HttpRequest) -> HttpResponse:
    """The item types with their copies and whether they are lent; county administrators add them."""
    can_edit = request.user.is_county_admin
    form = ItemTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item_type = services.item_type_create(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Item type %(code)s added.") % {"code": item_type.code})
            return redirect("catalog:item_types")
    return render(
        request,
        "catalog/item_types.html",
        {"title": _("Item types"), "types": selectors.item_type_list(), "form": form, "can_edit": can_edit},
    )


@staff_required
def item_type_edit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item_type = selectors.item_type_get(code=code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    initial = {
        "code": item_type.code,
        "name": item_type.name,
        "name_en": item_type.name_en,
        "loanable": services.item_type_loanable(item_type=item_type),
    }
    form = ItemTypeForm(request.POST or None, initial=initial)
    form.fields["code"].disabled = True
    action = request.POST.get("action", "save")
    if action not in ("delete", "retire", "reinstate"):
        action = "save"  # an unknown action is a save, checked as one (it was a 500 with a bad form)
    if request.method == "POST" and (action != "save" or form.is_valid()):
        try:
            if action == "delete":
                services.item_type_delete(actor=request.user, item_type=item_type)
                messages.success(request, _("Item type %(code)s deleted.") % {"code": item_type.code})
                return redirect("catalog:item_types")
            if action in ("retire", "reinstate"):
                services.item_type_retire(actor=request.user, item_type=item_type, retired=action == "retire")
                done = (
                    _("%(name)s retired.")
                    if action == "retire"
                    else _("%(name)s is offered for copies again.")
                )
                messages.success(request, done % {"name": item_type.name})
            else:
                data = {k: v for k, v in form.cleaned_data.items() if k != "code"}
                services.item_type_update(actor=request.user, item_type=item_type, **data)
                messages.success(request, _("Saved."))
            return redirect("catalog:item_type", code=item_type.code)
        except DomainError as exc:
            form.add_error(None, exc.message)
    return render(
        request,
        "catalog/item_type.html",
        {
            "title": item_type.name,
            "item_type": item_type,
            "form": form,
            "can_edit": request.user.is_county_admin,
        },
    )
