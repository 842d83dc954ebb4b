from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenyun.core.errors import DomainError, NotFound
from wenyun.core.web import staff_required

from . import selectors, services
from .access import access_unit, user_can_manage_unit
from .forms import WEEKDAYS, ClosureForm, HoursForm, UnitCreateForm, UnitForm
from .models import Closure, UnitKind


def _unit_or_404(request: HttpRequest, code: str, *, for_change: bool = False):
    try:
        return access_unit(request.user, code, for_change=for_change)
    except NotFound as exc:
        raise Http404(exc.message) from None


@staff_required
def tree(request: HttpRequest) -> HttpResponse:
    user = request.user
    top = None if (user.is_superuser and user.unit_id is None) else user.unit
    nodes = selectors.unit_tree(within=top)
    counts = selectors.unit_counts_by_kind(within=top)
    summary = [(UnitKind(kind).label, counts.get(kind, 0)) for kind in UnitKind.values if counts.get(kind)]
    return render(request, "network/tree.html", {"title": _("Network"), "nodes": nodes, "summary": summary})


@staff_required
def unit_detail(request: HttpRequest, code: str, closure_form: ClosureForm | None = None) -> HttpResponse:
    unit = _unit_or_404(request, code)
    week = selectors.unit_weekly_schedule(unit=unit)
    return render(
        request,
        "network/unit_detail.html",
        {
            "title": unit.display_name,
            "unit": unit,
            "ancestors": [
                a for a in selectors.unit_ancestors(unit=unit) if user_can_manage_unit(request.user, a)
            ],
            "children": selectors.unit_list().filter(parent=unit),
            "week": list(zip(WEEKDAYS, week, strict=True)),
            "weekly_hours": selectors.unit_weekly_hours(unit=unit),
            "closures": unit.closures.order_by("-first_day")[:20],
            "inherited_closures": selectors.unit_closures(
                unit=unit,
                first_day=timezone.localdate(),
                last_day=timezone.localdate() + dt.timedelta(days=366),
            ).exclude(unit=unit),
            "can_edit": user_can_manage_unit(request.user, unit),
            "can_add_child": request.user.is_county_admin and unit.kind != UnitKind.VILLAGE,
            "closure_form": closure_form or ClosureForm(),
        },
        status=400 if closure_form is not None else 200,
    )


@staff_required
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(request, code, for_change=True)
    county_fields = request.user.is_county_admin
    form = UnitForm(request.POST or None, instance=None, initial=_initial(unit), county_fields=county_fields)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("network:unit", code=unit.code)
    return render(
        request,
        "network/unit_form.html",
        {"title": _("Edit %(unit)s") % {"unit": unit.display_name}, "unit": unit, "form": form},
    )


def _initial(unit) -> dict:
    return {name: getattr(unit, name) for name in UnitForm.Meta.fields}


@staff_required
def unit_hours(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(request, code, for_change=True)
    schedule = selectors.unit_weekly_schedule(unit=unit)
    form = HoursForm(request.POST or None, schedule=schedule)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_set_hours(actor=request.user, unit=unit, periods=form.cleaned_data["periods"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Opening hours saved: %(hours)s hours a week.")
                % {"hours": selectors.unit_weekly_hours(unit=unit)},
            )
            return redirect("network:unit", code=unit.code)
    return render(
        request,
        "network/unit_hours.html",
        {"title": _("Opening hours of %(unit)s") % {"unit": unit.display_name}, "unit": unit, "form": form},
    )


@staff_required
@require_POST
def closure_add(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(request, code, for_change=True)
    form = ClosureForm(request.POST)
    if form.is_valid():
        try:
            services.closure_add(actor=request.user, unit=unit, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Closure added."))
            return redirect("network:unit", code=unit.code)
    # Refused: show the unit again with what was typed and the reason beside it.
    return unit_detail(request, unit.code, closure_form=form)


@staff_required
@require_POST
def closure_remove(request: HttpRequest, code: str, closure_id: int) -> HttpResponse:
    unit = _unit_or_404(request, code, for_change=True)
    closure = Closure.objects.filter(pk=closure_id, unit=unit).first()
    if closure is None:
        raise Http404
    try:
        services.closure_remove(actor=request.user, closure=closure)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Closure removed."))
    return redirect("network:unit", code=unit.code)


@staff_required
def unit_add_child(request: HttpRequest, code: str) -> HttpResponse:
    parent = _unit_or_404(request, code, for_change=True)
    form = UnitCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, parent=parent, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(unit)s added.") % {"unit": unit.display_name})
            return redirect("network:unit", code=unit.code)
    return render(
        request,
        "network/unit_create.html",
        {
            "title": _("Add a unit under %(unit)s") % {"unit": parent.display_name},
            "parent": parent,
            "form": form,
        },
    )
