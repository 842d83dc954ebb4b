from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError, NotFound
from wenyun.core.web import staff_required
from wenyun.network.access import access_unit
from wenyun.network.models import Unit

from . import services
from .access import stats_unit, stats_units_for
from .dashboard import dashboard_cached, panel_csv
from .forms import DoorCountForm, DoorCountImportForm, ManualFigureForm
from .metrics import REGISTRY, metric_catalogue
from .models import DoorCount, ManualFigure
from .report import annual_report
from .xlsx import annual_report_xlsx


def _unit(request: HttpRequest):
    try:
        return stats_unit(request.user, request.GET.get("unit"))
    except NotFound as exc:
        raise Http404(exc.message) from None


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or ""
    if not raw:
        return timezone.localdate().year - 1  # the annual report is made for the year just ended
    try:
        return int(raw)
    except ValueError:
        raise DomainError(
            _("The year must be a number, not %(year)s.") % {"year": raw}, code="stats_year_invalid"
        ) from None


def _definitions(codes) -> list[dict]:
    """The metrics shown on a page, with their definitions in the page's language."""
    return [
        {
            "code": code,
            "name": str(REGISTRY[code].name),
            "measure": str(REGISTRY[code].measure),
            "definition": str(REGISTRY[code].definition),
            "source": REGISTRY[code].source,
        }
        for code in codes
        if code in REGISTRY
    ]


def _unit_choices(units) -> list[tuple[str, str]]:
    """(code, "code name") for the unit picker, in the page's language: read as plain values, since a
    county has a hundred units and the picker is on every statistics page."""
    return [
        (code, f"{code} {Unit.name_in_language(name, name_en)}")
        for code, name, name_en in units.values_list("code", "name", "name_en")
    ]


def _dashboard_context(request: HttpRequest, *, wall: bool) -> dict:
    unit = _unit(request)
    board = dashboard_cached(unit=unit)
    shown = [t["code"] for t in board.tiles] + ["visits_door", "visits_system", "visits_total"]
    return {
        "title": _("Statistics: %(unit)s") % {"unit": unit.display_name},
        "unit": unit,
        "board": board,
        "panels_data": [p.as_dict() for p in board.panels],
        "definitions": _definitions(dict.fromkeys(shown)),
        "units": _unit_choices(
            stats_units_for(request.user).filter(
                kind__in=["county", "district", "library", "cultural_centre", "museum", "station", "village"]
            )
        ),
        "wall": wall,
    }


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "stats/dashboard.html", _dashboard_context(request, wall=False))


@staff_required
def screen(request: HttpRequest) -> HttpResponse:
    """The wall screen (大屏): the same panels, full screen, dark, refreshing itself every five minutes."""
    return render(request, "stats/screen.html", _dashboard_context(request, wall=True))


@staff_required
def panel_download(request: HttpRequest, key: str) -> HttpResponse:
    unit = _unit(request)
    board = dashboard_cached(unit=unit)
    panel = board.panel(key)
    if panel is None:
        raise Http404(_("There is no chart called %(key)s.") % {"key": key})
    response = HttpResponse("\ufeff" + panel_csv(panel), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{unit.code}-{key}-{board.as_of.isoformat()}.csv"'
    )
    return response


@staff_required
def annual(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    try:
        year = _year(request)
        report = annual_report(unit=unit, year=year)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("stats:annual")
    codes = [item.code for form in report.forms for item in form.items] + [i.code for i in report.indicators]
    return render(
        request,
        "stats/annual.html",
        {
            "title": _("Annual statistics %(year)s: %(unit)s") % {"year": year, "unit": unit.display_name},
            "report": report,
            "unit": unit,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 6, -1)),
            "units": _unit_choices(stats_units_for(request.user)),
            "definitions": _definitions(dict.fromkeys(codes)),
        },
    )


@staff_required
def annual_xlsx(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    try:
        year = _year(request)
        report = annual_report(unit=unit, year=year)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("stats:annual")
    response = HttpResponse(
        annual_report_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="annual-statistics-{unit.code}-{year}.xlsx"'
    return response


@staff_required
def metric_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "stats/metrics.html",
        {"title": _("Metrics and their definitions"), "metrics": metric_catalogue(), "count": len(REGISTRY)},
    )


@staff_required
def figures(request: HttpRequest) -> HttpResponse:
    units = stats_units_for(request.user)
    form = ManualFigureForm(
        request.POST or None, units=units, initial={"year": timezone.localdate().year - 1}
    )
    if request.method == "POST" and form.is_valid():
        try:
            unit = access_unit(request.user, form.cleaned_data["unit"], for_change=True)
            services.manual_figure_set(
                actor=request.user,
                unit=unit,
                code=form.cleaned_data["code"],
                year=form.cleaned_data["year"],
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("stats:figures")
    recent = (
        ManualFigure.objects.filter(unit__in=units)
        .select_related("unit", "entered_by")
        .order_by("-entered_at")[:50]
    )
    return render(
        request, "stats/figures.html", {"title": _("Figures entered by hand"), "form": form, "recent": recent}
    )


@staff_required
def door_counts(request: HttpRequest) -> HttpResponse:
    units = stats_units_for(request.user)
    form = DoorCountForm(
        request.POST if request.POST.get("action") == "enter" else None,
        units=units,
        initial={"day": timezone.localdate()},
    )
    upload = DoorCountImportForm(
        request.POST if request.POST.get("action") == "import" else None,
        request.FILES if request.POST.get("action") == "import" else None,
    )
    import_report = None
    if request.method == "POST" and request.POST.get("action") == "enter" and form.is_valid():
        try:
            unit = access_unit(request.user, form.cleaned_data["unit"], for_change=True)
            services.door_count_set(
                actor=request.user,
                unit=unit,
                day=form.cleaned_data["day"],
                visits=form.cleaned_data["visits"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("stats:door_counts")
    if request.method == "POST" and request.POST.get("action") == "import" and upload.is_valid():
        uploaded = upload.cleaned_data["file"]
        try:
            import_report = services.door_counts_import(
                actor=request.user, content=uploaded.read(), filename=uploaded.name
            )
        except DomainError as exc:
            upload.add_error("file", exc.message)
    recent = (
        DoorCount.objects.filter(unit__in=units)
        .select_related("unit", "entered_by")
        .order_by("-entered_at", "-day")[:50]
    )
    return render(
        request,
        "stats/door_counts.html",
        {
            "title": _("Door counts"),
            "form": form,
            "upload": upload,
            "import_report": import_report,
            "recent": recent,
            "definitions": _definitions(["visits_door", "visits_system", "visits_total"]),
        },
    )
