"""Staff pages: the register, staffing against the rules, training, the standards and the monthly rolls.

Each view parses, calls one service or selector, and renders; refusals come back as the service's
own sentence.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from wenyun.core.errors import DomainError, NotFound
from wenyun.core.web import staff_required
from wenyun.network.access import access_unit, units_visible_to, user_can_manage_unit
from wenyun.network.models import UnitKind
from wenyun.network.selectors import unit_root

from . import exports, forms, rules, selectors, services
from .access import access_session, access_staff, sees_everything, sessions_visible_to, staff_visible_to
from .models import Post

PAGE_SIZE = 100


def _render(request: HttpRequest, template: str, context: dict) -> HttpResponse:
    # Tables link every row to a person or a unit: the URL prefixes are reversed once per page.
    context["person_base"] = reverse("workforce:person", args=[0]).removesuffix("0/")
    context["unit_base"] = reverse("workforce:unit", args=["X"]).removesuffix("X/")
    return render(request, template, context)


def _units_to_staff(user):
    """The units whose staff the user may change, by code."""
    return units_visible_to(user).order_by("code")


def _scope(user):
    return None if sees_everything(user) else user.unit


def _unit(request: HttpRequest, code: str, *, for_change: bool = False):
    try:
        return access_unit(request.user, code.strip(), for_change=for_change)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _person(request: HttpRequest, pk: int, *, for_change: bool = False):
    try:
        return access_staff(request.user, pk, for_change=for_change)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _month(text: str):
    try:
        return selectors.roll_get(month=rules.parse_month(text))
    except DomainError as exc:
        raise Http404(exc.message) from None


def _errors(form) -> str:
    return " ".join(
        f"{form.fields[f].label if f in form.fields else ''}: {e}".lstrip(": ")
        for f, errs in form.errors.items()
        for e in errs
    )


# --- the register --------------------------------------------------------------------------------


@staff_required
def staff_index(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")
    post = request.GET.get("post", "")
    post = post if post in Post.values else ""
    code = request.GET.get("unit", "").strip()
    unit = _unit(request, code) if code else None
    today = timezone.localdate()
    current = request.GET.get("all") != "1"
    people = selectors.staff_search(
        people=staff_visible_to(request.user), q=q, unit=unit, post=post, on=today if current else None
    )
    total = people.count()
    page = list(people[:PAGE_SIZE])
    posts = selectors.posts_of(people=page, on=today if current else None)
    return _render(
        request,
        "workforce/staff_index.html",
        {
            "title": _("Staff register"),
            "tab": "staff",
            "people": [(p, posts.get(p.pk, [])) for p in page],
            "total": total,
            "shown": len(page),
            "q": q,
            "post": post,
            "unit_code": code,
            "current": current,
            "posts": Post.choices,
            "can_add": bool(units_visible_to(request.user).exists()),
        },
    )


@sensitive_post_parameters("id_number", "bank_account")
@staff_required
def staff_add(request: HttpRequest) -> HttpResponse:
    form = forms.NewStaffForm(
        request.POST or None,
        units=_units_to_staff(request.user),
        initial={"unit": request.GET.get("unit", ""), "start_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: ("" if v is None else v) for k, v in form.cleaned_data.items()}
        try:
            unit = access_unit(request.user, data.pop("unit").strip(), for_change=True)
            person = services.staff_add(actor=request.user, unit=unit, **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(name)s added to the register.") % {"name": person.name})
            return redirect("workforce:person", pk=person.pk)
    return _render(
        request,
        "workforce/form.html",
        {
            "title": _("Add a staff member"),
            "tab": "staff",
            "form": form,
            "back_url": reverse("workforce:staff"),
        },
    )


@staff_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    appointments = list(selectors.staff_appointments(person=person))
    can_change = any(user_can_manage_unit(request.user, a.unit) for a in appointments) or sees_everything(
        request.user
    )
    return _render(
        request,
        "workforce/person.html",
        {
            "title": person.name,
            "tab": "staff",
            "person": person,
            "appointments": appointments,
            "qualifications": person.qualifications.all(),
            "training": selectors.training_hours_of(person=person),
            "can_change": can_change,
            "today": timezone.localdate(),
            "appointment_form": forms.AppointmentForm(
                initial={"start_date": timezone.localdate()}, units=_units_to_staff(request.user)
            ),
            "end_form": forms.EndForm(initial={"end_date": timezone.localdate()}),
            "qualification_form": forms.QualificationForm(),
            "account": person.account,
        },
    )


@sensitive_post_parameters("id_number", "bank_account")
@staff_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, for_change=True)
    initial = {
        f: getattr(person, f) for f in ("name", "gender", "birth_year", "phone", "bank_name", "education")
    }
    form = forms.PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = {k: ("" if v is None else v) for k, v in form.cleaned_data.items()}
        for secret in ("id_number", "bank_account"):
            if not changes[secret]:
                changes.pop(secret)  # empty keeps the number on file
        try:
            services.staff_update(actor=request.user, person=person, **changes)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("workforce:person", pk=person.pk)
    return _render(
        request,
        "workforce/form.html",
        {
            "title": _("Edit %(name)s") % {"name": person.name},
            "tab": "staff",
            "form": form,
            "back_url": reverse("workforce:person", args=[person.pk]),
            "person": person,
        },
    )


@staff_required
@require_POST
def appointment_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = forms.AppointmentForm(request.POST, units=_units_to_staff(request.user))
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("workforce:person", pk=person.pk)
    data = form.cleaned_data
    try:
        unit = access_unit(request.user, data["unit"].strip(), for_change=True)
        services.appointment_start(
            actor=request.user,
            person=person,
            unit=unit,
            post=data["post"],
            employment=data["employment"],
            start_date=data["start_date"],
            note=data["note"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Post added."))
    return redirect("workforce:person", pk=person.pk)


@staff_required
@require_POST
def appointment_end(request: HttpRequest, pk: int, appointment_id: int) -> HttpResponse:
    person = _person(request, pk)
    appointment = person.appointments.select_related("unit").filter(pk=appointment_id).first()
    if appointment is None:
        raise Http404
    form = forms.EndForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect("workforce:person", pk=person.pk)
    try:
        services.appointment_end(
            actor=request.user, appointment=appointment, end_date=form.cleaned_data["end_date"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("The post ends on %(day)s.") % {"day": form.cleaned_data["end_date"].isoformat()}
        )
    return redirect("workforce:person", pk=person.pk)


@staff_required
@require_POST
def qualification_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = forms.QualificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            services.qualification_add(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Qualification added."))
    return redirect("workforce:person", pk=person.pk)


# --- staffing against the rules ------------------------------------------------------------------


@staff_required
def staffing(request: HttpRequest) -> HttpResponse:
    """The gaps of every unit the user sees, on one page."""
    today = timezone.localdate()
    rows = selectors.staffing_gaps(on=today, within=_scope(request.user))
    gaps = [row for row in rows if not row.met]
    missing = sum(gap["missing"] for row in gaps for gap in row.gaps)
    rule_text = [
        (UnitKind(kind).label, [(Post(post).label, required) for post, required in posts.items()])
        for kind, posts in selectors.staffing_rules().items()
    ]
    return _render(
        request,
        "workforce/staffing.html",
        {
            "title": _("Staffing gaps"),
            "tab": "staffing",
            "rows": rows,
            "gaps": gaps,
            "today": today,
            "met": len(rows) - len(gaps),
            "missing": missing,
            "show_all": request.GET.get("all") == "1",
            "rule_text": rule_text,
        },
    )


@staff_required
def unit_staff(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit(request, code)
    today = timezone.localdate()
    staffing_row = selectors.unit_staffing(unit=unit, on=today)
    below = selectors.staffing_gaps(on=today, within=unit) if unit.kind != "village" else []
    return _render(
        request,
        "workforce/unit.html",
        {
            "title": _("Staff of %(unit)s") % {"unit": unit.display_name},
            "tab": "staffing",
            "unit": unit,
            "staffing": staffing_row,
            "below": [row for row in below if row.unit.pk != unit.pk],
            "can_add": user_can_manage_unit(request.user, unit),
            "today": today,
        },
    )


# --- standards -----------------------------------------------------------------------------------


@staff_required
def standards(request: HttpRequest) -> HttpResponse:
    form = forms.StandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.standard_add(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Standard added."))
            return redirect("workforce:standards")
    today = timezone.localdate()
    current = {s.pk for s in selectors.standards_current(on=today)}
    return _render(
        request,
        "workforce/standards.html",
        {
            "title": _("Subsidy standards"),
            "tab": "standards",
            "standards": selectors.standards_history(),
            "current": current,
            "form": form,
            "can_add": sees_everything(request.user),
            "today": today,
        },
    )


# --- rolls ---------------------------------------------------------------------------------------


@staff_required
def rolls(request: HttpRequest) -> HttpResponse:
    form = forms.MonthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            roll = services.roll_open(actor=request.user, month=rules.parse_month(form.cleaned_data["month"]))
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The roll for %(month)s is open: review it, then approve it.") % {"month": roll.label},
            )
            return redirect("workforce:roll", month=roll.label)
    within = _scope(request.user)
    listed = [(roll, selectors.roll_total(roll=roll, within=within)) for roll in selectors.roll_list()]
    opened = {roll.month for roll, _total in listed}
    suggestion = rules.next_month(max(opened)) if opened else timezone.localdate().replace(day=1)
    if suggestion > timezone.localdate():
        suggestion = timezone.localdate().replace(day=1)
    if not form.is_bound:
        form = forms.MonthForm(initial={"month": suggestion.strftime("%Y-%m")})
    return _render(
        request,
        "workforce/rolls.html",
        {
            "title": _("Subsidy rolls"),
            "tab": "rolls",
            "rolls": listed,
            "form": form,
            "can_open": sees_everything(request.user),
            "suggestion": suggestion if suggestion not in opened else None,
        },
    )


@staff_required
def roll_detail(request: HttpRequest, month: str) -> HttpResponse:
    roll = _month(month)
    within = _scope(request.user)
    lines = list(selectors.roll_lines(roll=roll, within=within))
    bureau = sees_everything(request.user)
    adjust_form = None
    if bureau and not roll.is_frozen:
        adjust_form = forms.AdjustmentForm(initial={"corrects_month": roll.label})
        adjust_form.fields["appointment"].widget.choices = [
            (a.pk, f"{a.person.name} · {a.unit.name} · {a.get_post_display()}")
            for a in selectors.adjustable_appointments(month=roll.month)
        ]
    return _render(
        request,
        "workforce/roll.html",
        {
            "title": _("Subsidy roll for %(month)s") % {"month": roll.label},
            "tab": "rolls",
            "roll": roll,
            "lines": lines,
            "total": selectors.roll_total(roll=roll, within=within),
            "by_township": selectors.roll_totals_by_township(lines=lines),
            "people": len({line.person_id for line in lines}),
            "bureau": bureau,
            "adjust_form": adjust_form,
            "partial": sum(1 for line in lines if line.kind == "regular" and line.days < line.days_in_month),
        },
    )


def _roll_action(request: HttpRequest, month: str, action) -> HttpResponse:
    roll = _month(month)
    try:
        message = action(roll)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("workforce:roll", month=roll.label)


@staff_required
@require_POST
def roll_approve(request: HttpRequest, month: str) -> HttpResponse:
    def approve(roll):
        expected = request.POST.get("expected_total") or None
        try:
            services.roll_approve(
                actor=request.user, roll=roll, expected_total=Decimal(expected) if expected else None
            )
        except (InvalidOperation, ValueError):
            raise DomainError(_("The reviewed total is not a number."), code="amount_invalid") from None
        return _("The roll for %(month)s is approved and frozen.") % {"month": roll.label}

    return _roll_action(request, month, approve)


@staff_required
@require_POST
def roll_recompute(request: HttpRequest, month: str) -> HttpResponse:
    def recompute(roll):
        roll = services.roll_recompute(actor=request.user, roll=roll)
        return _("Computed again from the register: %(total)s yuan.") % {"total": roll.total}

    return _roll_action(request, month, recompute)


@staff_required
@require_POST
def roll_adjust(request: HttpRequest, month: str) -> HttpResponse:
    def adjust(roll):
        form = forms.AdjustmentForm(request.POST)
        if not form.is_valid():
            raise DomainError(_errors(form))
        data = form.cleaned_data
        appointment = (
            selectors.adjustable_appointments(month=roll.month).filter(pk=data["appointment"]).first()
        )
        if appointment is None:
            raise DomainError(_("Choose the post the adjustment is for."), code="appointment_not_found")
        line = services.roll_adjust(
            actor=request.user,
            roll=roll,
            appointment=appointment,
            amount=data["amount"],
            corrects_month=rules.parse_month(data["corrects_month"]),
            reason=data["reason"],
        )
        return _("Adjustment of %(amount)s yuan added for %(name)s.") % {
            "amount": line.amount,
            "name": line.person_name,
        }

    return _roll_action(request, month, adjust)


@staff_required
def roll_xlsx(request: HttpRequest, month: str) -> HttpResponse:
    roll = _month(month)
    content = exports.roll_xlsx(roll=roll, county=unit_root(), within=_scope(request.user))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="subsidy-roll-{roll.label}.xlsx"'
    return response


# --- training ------------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 1990 <= year <= 2200 else timezone.localdate().year


@staff_required
def training(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form = forms.TrainingForm(
        request.POST or None,
        initial={"unit": request.user.unit.code if request.user.unit else "", "date": timezone.localdate()},
        units=_units_to_staff(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            unit = access_unit(request.user, data.pop("unit").strip(), for_change=True)
            session = services.training_record(actor=request.user, unit=unit, **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Training recorded; now record who attended."))
            return redirect("workforce:session", pk=session.pk)
    people = staff_visible_to(request.user)
    hours = selectors.training_hours_by_person(year=year, people=people)
    ranked = sorted(
        ((p, hours[p.pk]) for p in people.filter(pk__in=hours)), key=lambda row: (-row[1], row[0].name)
    )
    return _render(
        request,
        "workforce/training.html",
        {
            "title": _("Training"),
            "tab": "training",
            "year": year,
            "sessions": selectors.training_sessions(sessions=sessions_visible_to(request.user), year=year),
            "form": form,
            "hours": ranked,
            "total_hours": sum(hours.values()),
            "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1),
        },
    )


@staff_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        session = access_session(request.user, pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    form = forms.AttendanceForm(request.POST or None)
    can_record = user_can_manage_unit(request.user, session.unit)
    attended = selectors.session_attendances(session=session)
    present = set(attended.values_list("person_id", flat=True))
    choices = [
        (p.pk, p.name) for p in staff_visible_to(request.user).exclude(pk__in=present).order_by("name")
    ]
    form.fields["person"].widget.choices = choices
    if request.method == "POST" and form.is_valid():
        try:
            person = access_staff(request.user, form.cleaned_data["person"])
            services.attendance_record(
                actor=request.user, session=session, person=person, hours=form.cleaned_data["hours"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(name)s recorded.") % {"name": person.name})
            return redirect("workforce:session", pk=session.pk)
    if not sees_everything(request.user) and not can_record:
        attended = attended.filter(person__in=staff_visible_to(request.user))
    return _render(
        request,
        "workforce/session.html",
        {
            "title": session.topic,
            "tab": "training",
            "session": session,
            "attended": attended,
            "form": form,
            "can_record": can_record,
        },
    )
