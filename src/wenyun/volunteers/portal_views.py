"""Public volunteer pages: join as a volunteer, and sign up for a project with one's phone."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from wenyun.core.errors import DomainError
from wenyun.network.models import INSTITUTION_KINDS, Unit, UnitKind
from wenyun.programs.services import clean_phone

from . import selectors, services
from .models import Availability, Project, Volunteer


class JoinForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Full name"), max_length=60)
    phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Where you would serve"),
        queryset=Unit.objects.filter(kind__in=[*INSTITUTION_KINDS, UnitKind.STATION]).order_by(
            "depth", "code"
        ),
    )
    skills = forms.CharField(label=gettext_lazy("Skills"), max_length=200, required=False)
    availability = forms.MultipleChoiceField(
        label=pgettext_lazy("culture", "Available"),
        choices=Availability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def projects(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "volunteers/portal/projects.html",
        {"title": _("Volunteering"), "projects": selectors.projects_upcoming()[:50]},
    )


def sign_up(request: HttpRequest, pk: int) -> HttpResponse:
    project = Project.objects.select_related("unit").filter(pk=pk).first()
    if project is None or request.method != "POST":
        raise Http404
    try:
        phone = clean_phone(request.POST.get("phone", ""))
        volunteer = Volunteer.objects.filter(phone=phone).first()
        if volunteer is None:
            raise DomainError(
                _("No volunteer has the phone %(phone)s: join as a volunteer first.") % {"phone": phone},
                code="volunteer_not_found",
            )
        services.shift_sign_up(volunteer=volunteer, project=project)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(name)s, you are signed up for %(title)s.")
            % {"name": volunteer.name, "title": project.title},
        )
    return redirect("portal:volunteer:projects")


def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            volunteer = services.volunteer_register(
                actor=None,
                unit=data["unit"],
                name=data["name"],
                phone=data["phone"],
                skills=data["skills"],
                availability=data["availability"],
                account=request.user if getattr(request.user, "role", "") == "reader" else None,
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Welcome, %(name)s: you are a registered volunteer.") % {"name": volunteer.name}
            )
            return redirect("portal:volunteer:projects")
    return render(request, "volunteers/portal/join.html", {"title": _("Join as a volunteer"), "form": form})
