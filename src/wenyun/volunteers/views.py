"""Staff pages for volunteers under /staff/volunteers/: parse, call one service, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from wenyun.core.forms import DateTimeField
from wenyun.core.web import done, form_id, home_unit, staff_required
from wenyun.network.access import units_visible_to

from . import selectors, services
from .models import Availability, Project, Shift, Team, Volunteer

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VolunteerForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Full name"), max_length=60)
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20)
    skills = forms.CharField(label=gettext_lazy("Skills"), max_length=200, required=False)
    availability = forms.MultipleChoiceField(
        label=pgettext_lazy("culture", "Available"),
        choices=Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teams"),
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ProjectForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("culture", "Title"), max_length=120)
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=Team.objects.all(), required=False)
    starts_at = DateTimeField(label=gettext_lazy("Starts"), widget=DATETIME)
    ends_at = DateTimeField(label=gettext_lazy("Ends"), widget=DATETIME)
    places = forms.IntegerField(
        label=gettext_lazy("Volunteers needed"), min_value=1, max_value=10_000, initial=5
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    form = VolunteerForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and done(
            request,
            lambda: services.volunteer_register(
                actor=request.user, unit=home_unit(request), **form.cleaned_data
            ),
            _("Volunteer registered."),
        )
    ):
        return redirect("volunteers:index")
    year = int(request.GET.get("year") or timezone.localdate().year)
    units = units_visible_to(request.user)
    hours = {row["volunteer"]: row for row in selectors.hours_by_volunteer(year=year)}
    volunteers = Volunteer.objects.filter(unit__in=units).select_related("unit").prefetch_related("teams")
    rows = [
        (v, hours.get(v.pk, {}).get("hours", 0), hours.get(v.pk, {}).get("shifts", 0)) for v in volunteers
    ]
    rows.sort(key=lambda r: (-r[1], r[0].name))
    return render(
        request,
        "volunteers/index.html",
        {
            "title": _("Volunteers"),
            "rows": rows,
            "teams": selectors.hours_by_team(year=year),
            "year": year,
            "form": form,
        },
    )


@staff_required
def projects(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and done(
            request,
            lambda: services.project_post(actor=request.user, unit=home_unit(request), **form.cleaned_data),
            _("Project posted."),
        )
    ):
        return redirect("volunteers:projects")
    units = units_visible_to(request.user)
    rows = Project.objects.filter(unit__in=units).select_related("unit", "team").order_by("-starts_at")[:100]
    return render(
        request,
        "volunteers/projects.html",
        {"title": _("Volunteer projects"), "projects": rows, "form": form},
    )


@staff_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = (
        Project.objects.filter(pk=pk, unit__in=units_visible_to(request.user)).select_related("unit").first()
    )
    if project is None:
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "sign_up":
            volunteer = Volunteer.objects.filter(phone=request.POST.get("phone", "").replace(" ", "")).first()
            if volunteer is None:
                messages.error(
                    request,
                    _("No volunteer has the phone %(phone)s.") % {"phone": request.POST.get("phone", "")},
                )
            else:
                done(
                    request,
                    lambda: services.shift_sign_up(volunteer=volunteer, project=project, actor=request.user),
                    _("Signed up."),
                )
        else:
            shift = Shift.objects.filter(pk=form_id(request.POST.get("shift")), project=project).first()
            calls = {
                "sign_in": lambda: services.shift_sign_in(actor=request.user, shift=shift),
                "sign_out": lambda: services.shift_sign_out(actor=request.user, shift=shift),
                "confirm": lambda: services.shift_confirm(
                    actor=request.user, shift=shift, hours=request.POST.get("hours") or None
                ),
                "cancel": lambda: services.shift_cancel(actor=request.user, shift=shift),
            }
            if shift is None or action not in calls:
                raise Http404
            done(request, calls[action], _("Saved."))
        return redirect("volunteers:project", pk=project.pk)
    shifts = project.shifts.select_related("volunteer").exclude(status=Shift.Status.CANCELLED)
    return render(
        request, "volunteers/project.html", {"title": project.title, "project": project, "shifts": shifts}
    )


@staff_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    volunteer = (
        Volunteer.objects.filter(pk=pk, unit__in=units_visible_to(request.user))
        .select_related("unit")
        .first()
    )
    if volunteer is None:
        raise Http404
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    context = selectors.volunteer_year(volunteer=volunteer, year=year)
    return render(
        request,
        "volunteers/certificate.html",
        {"title": _("Certificate of volunteer service"), "today": timezone.localdate(), **context},
    )
