from __future__ import annotations

import json

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wenyun.core.errors import DomainError
from wenyun.core.web import staff_required
from wenyun.network.access import access_unit, units_visible_to, user_can_manage_unit
from wenyun.network.models import INSTITUTION_KINDS

from . import exports, present, rules, selectors, services
from .access import (
    access_evidence,
    access_indicator,
    access_inspection,
    access_standard,
    access_survey,
    access_task,
)
from .evaluate import IndicatorResult, indicator_evaluate, scope_units, standard_evaluate
from .forms import (
    ChecklistForm,
    EvidenceForm,
    FindingForm,
    IndicatorForm,
    InspectionForm,
    PublishForm,
    StandardUploadForm,
    SurveyAnswerForm,
    SurveyForm,
    TaskActionForm,
    TaskEvidenceForm,
)
from .models import ChecklistItem, CheckResult, FormulaKind, Part, Scope, Standard, Survey


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or ""
    if not raw:
        return timezone.localdate().year
    try:
        return int(raw)
    except ValueError:
        raise DomainError(_("%(year)s is not a year.") % {"year": raw}, code="ledger_year_invalid") from None


def _standard(request: HttpRequest) -> Standard | None:
    code = request.GET.get("standard") or ""
    if code:
        return access_standard(code)
    standards = list(selectors.standards_list())
    user = request.user
    if not user.is_county_admin and getattr(user, "unit", None) is not None:
        # A manager starts with a standard that judges his own kind of unit (a village manager the
        # township-village rules), not the county-wide one.
        kind = str(user.unit.kind)
        scopes = [kind] + ([str(Scope.INSTITUTION)] if kind in {str(k) for k in INSTITUTION_KINDS} else [])
        own = [s for s in standards if s.indicators.filter(retired=False, scope__in=scopes).exists()]
        if own:
            return own[0]
    preferred = [s for s in standards if s.code.startswith("demo-zone")]
    chosen = preferred or standards
    return chosen[0] if chosen else None


def _visible(result: IndicatorResult, visible_ids: set[int]) -> IndicatorResult:
    """The result with only the units the user may see (a station manager sees his own township)."""
    result.rows = [row for row in result.rows if row.unit.pk in visible_ids]
    result.members = {
        code: [m for m in members if m.unit.pk in visible_ids]
        for code, members in result.members.items()
        if any(row.unit.code == code for row in result.rows)
    }
    return result


def _trend(history, unit_ids: set[int] | None) -> list[str]:
    """The last kept values for the same units as the value now: one unit's value, else units meeting it."""
    points = []
    for point in history[-6:]:
        if unit_ids is None:
            points.append(present.number(point.headline))
            continue
        values = {u: v for u, v in point.values.items() if u in unit_ids}
        if not values:
            continue
        if len(unit_ids) == 1:
            points.append(present.number(next(iter(values.values()))))
        else:
            points.append(present.number(sum(1 for u in values if point.met.get(u))))
    return points


def _row(
    result: IndicatorResult,
    history,
    evidence_count: int,
    *,
    unit_ids: set[int] | None = None,
    county_reference: bool = False,
) -> dict:
    css, words = present.status(result)
    return {
        "result": result,
        "indicator": result.indicator,
        "status_class": css,
        "status": words,
        "headline": present.number(result.headline),
        "single": len(result.rows) == 1,
        "sentence": _(
            "The county's figure, shown for reference: this indicator is judged for the county as a whole."
        )
        if county_reference
        else present.failing_sentence(result),
        "failing": 0 if county_reference else len(result.failing),
        "threshold": present.threshold_text(result.indicator),
        "formula": present.formula_text(result.indicator),
        "trend": _trend(history, unit_ids),
        "evidence": evidence_count,
        "county_reference": county_reference,
    }


@staff_required
def ledger(request: HttpRequest) -> HttpResponse:
    standard = _standard(request)
    year = _year(request)
    if standard is None:
        return render(request, "ledger/ledger.html", {"title": _("Acceptance ledger"), "standard": None})
    visible = units_visible_to(request.user)
    visible_ids = set(visible.values_list("pk", flat=True))
    history = selectors.standard_history(standard=standard, year=year)
    counts = selectors.evidence_counts(standard=standard, within=visible)
    shown: list[dict] = []
    elsewhere: list[dict] = []
    for result in standard_evaluate(standard=standard, year=year):
        item = result.indicator
        points = history.get(item.pk, [])
        everyone = all(row.unit.pk in visible_ids for row in result.rows)
        if everyone:
            shown.append(_row(result, points, counts.get(item.pk, 0)))
        elif any(row.unit.pk in visible_ids for row in result.rows):
            mine = _visible(result, visible_ids)
            unit_ids = {row.unit.pk for row in mine.rows}
            shown.append(_row(mine, points, counts.get(item.pk, 0), unit_ids=unit_ids))
        elif item.scope == Scope.COUNTY:
            shown.append(_row(result, points, counts.get(item.pk, 0), county_reference=True))
        else:
            elsewhere.append(
                {
                    "indicator": item,
                    "sentence": _("Judged for %(whom)s; not for your unit.")
                    % {"whom": present.scope_plural(item.scope)},
                }
            )
    parts = []
    for part, label in Part.choices:
        rows = [row for row in shown if row["indicator"].part == part]
        if rows:
            parts.append({"code": part, "label": label, "rows": rows})
    results = [row["result"] for row in shown]
    summary = {
        "met": sum(1 for r in results if r.met is True),
        "not_met": sum(1 for r in results if r.met is False),
        "not_computable": sum(1 for r in results if not r.computable),
        "no_data": sum(1 for r in results if r.computable and r.met is None),
        "total": len(results),
        "county_reference": sum(1 for row in shown if row["county_reference"]),
    }
    return render(
        request,
        "ledger/ledger.html",
        {
            "title": _("Acceptance ledger"),
            "standard": standard,
            "standards": selectors.standards_list(),
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "parts": parts,
            "summary": summary,
            "snapshots": selectors.snapshots_of(standard=standard)[:5],
            "elsewhere": elsewhere,
            "is_bureau": request.user.is_county_admin,
        },
    )


@staff_required
def indicator(request: HttpRequest, standard: str, code: str) -> HttpResponse:
    standard_row = access_standard(standard)
    item = access_indicator(standard_row, code)
    year = _year(request)
    visible = units_visible_to(request.user)
    visible_ids = set(visible.values_list("pk", flat=True))
    result = indicator_evaluate(indicator=item, year=year)
    everyone = all(row.unit.pk in visible_ids for row in result.rows)
    county_reference = (
        not everyone
        and item.scope == Scope.COUNTY
        and not any(row.unit.pk in visible_ids for row in result.rows)
    )
    unit_ids: set[int] | None = None
    if county_reference:
        # The county's own figure, for reference; of the units counted in a share, only the user's own.
        result.members = {
            code: [m for m in members if m.unit.pk in visible_ids] for code, members in result.members.items()
        }
    elif not everyone:
        result = _visible(result, visible_ids)
        unit_ids = {row.unit.pk for row in result.rows}
    history = selectors.indicator_history(indicator=item, year=year)
    row = _row(result, history, 0, unit_ids=unit_ids, county_reference=county_reference)
    if not everyone and not result.rows:
        row["sentence"] = _("Judged for %(whom)s; not for your unit.") % {
            "whom": present.scope_plural(item.scope)
        }
    rows = sorted(result.rows, key=lambda row: (row.met is not False, row.unit.code))
    members = sorted(
        (m for ms in result.members.values() for m in ms), key=lambda m: (m.met is not False, m.unit.code)
    )
    upload_units = [u for u in scope_units(item.scope) if user_can_manage_unit(request.user, u)]
    if item.scope == Scope.COUNTY and not upload_units:
        upload_units = []
    return render(
        request,
        "ledger/indicator.html",
        {
            "title": str(item),
            "standard": standard_row,
            "indicator": item,
            "year": year,
            "result": result,
            "row": row,
            "rows": rows,
            "members": members,
            "is_share": item.formula_kind == FormulaKind.SHARE,
            "history": [
                {
                    "snapshot": point.snapshot,
                    "headline": present.number(point.headline),
                    "met": point.met_count,
                    "total": len(point.values),
                }
                for point in history
            ],
            "evidence": selectors.evidence_of(indicator=item, within=visible),
            "evidence_form": EvidenceForm(units=upload_units) if upload_units else None,
            "is_bureau": request.user.is_county_admin,
        },
    )


@staff_required
def indicator_edit(request: HttpRequest, standard: str, code: str) -> HttpResponse:
    standard_row = access_standard(standard)
    item = access_indicator(standard_row, code)
    services.require_bureau(request.user)
    initial = {f: getattr(item, f) for f in IndicatorForm.base_fields}
    initial["formula"] = json.dumps(item.formula, ensure_ascii=False)
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(actor=request.user, indicator=item, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Saved: the ledger and its history are judged against the new values.")
            )
            return redirect("ledger:indicator", standard=standard_row.code, code=item.code)
    return render(
        request,
        "ledger/form.html",
        {
            "title": _("Edit %(indicator)s") % {"indicator": item},
            "form": form,
            "back": reverse("ledger:indicator", args=[standard_row.code, item.code]),
        },
    )


@staff_required
def standards(request: HttpRequest) -> HttpResponse:
    form = StandardUploadForm()
    if request.method == "POST":
        services.require_bureau(request.user)
        form = StandardUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                standard = services.standard_load(actor=request.user, raw=upload.read(), name=upload.name)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(request, _("%(standard)s loaded.") % {"standard": standard.display_name})
                return redirect("ledger:standards")
    return render(
        request,
        "ledger/standards.html",
        {
            "title": _("Indicator standards"),
            "standards": [
                {
                    "standard": s,
                    "indicators": [
                        {"indicator": i, "threshold": present.threshold_text(i)}
                        for i in selectors.indicators_of(standard=s)
                    ],
                }
                for s in selectors.standards_list()
            ],
            "form": form,
            "is_bureau": request.user.is_county_admin,
        },
    )


@staff_required
@require_POST
def snapshot(request: HttpRequest) -> HttpResponse:
    standard = access_standard(request.POST.get("standard", ""))
    raw = request.POST.get("year") or str(timezone.localdate().year)
    if not raw.isdigit():
        raise DomainError(_("%(year)s is not a year.") % {"year": raw}, code="ledger_year_invalid")
    year = int(raw)
    services.snapshot_take(actor=request.user, standard=standard, year=year)
    messages.success(request, _("The ledger's values of today are kept."))
    return redirect(f"{reverse('ledger:ledger')}?standard={standard.code}&year={year}")


@staff_required
@require_POST
def evidence_upload(request: HttpRequest, standard: str, code: str) -> HttpResponse:
    standard_row = access_standard(standard)
    item = access_indicator(standard_row, code)
    units = [u for u in scope_units(item.scope) if user_can_manage_unit(request.user, u)]
    form = EvidenceForm(request.POST, request.FILES, units=units)
    target = reverse("ledger:indicator", args=[standard_row.code, item.code])
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(target)
    unit = access_unit(request.user, form.cleaned_data["unit"], for_change=True)
    upload = form.cleaned_data["file"]
    try:
        services.evidence_add(
            actor=request.user,
            unit=unit,
            indicator=item,
            name=upload.name,
            content=upload.read(),
            description=form.cleaned_data["description"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(file)s attached.") % {"file": upload.name})
    return redirect(target)


@staff_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = access_evidence(request.user, pk)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )


@staff_required
def workbook(request: HttpRequest) -> HttpResponse:
    standard = _standard(request)
    if standard is None:
        raise DomainError(_("No standard is loaded yet."), code="standard_not_found")
    year = _year(request)
    content = exports.ledger_workbook(standard=standard, year=year, user=request.user)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="ledger-{standard.code}-{year}.xlsx"'
    return response


@staff_required
def report(request: HttpRequest) -> HttpResponse:
    services.require_bureau(request.user)
    standard = _standard(request)
    if standard is None:
        raise DomainError(_("No standard is loaded yet."), code="standard_not_found")
    year = _year(request)
    content = exports.work_report(standard=standard, year=year)
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = f'attachment; filename="work-report-{year}.docx"'
    return response


# --- inspections and rectification -------------------------------------------------------------------


@staff_required
def inspections(request: HttpRequest) -> HttpResponse:
    visible = units_visible_to(request.user)
    form = InspectionForm(request.POST or None, standards=selectors.standards_list())
    if request.method == "POST":
        services.require_bureau(request.user)
        if form.is_valid():
            try:
                unit = access_unit(request.user, form.cleaned_data["unit"].strip())
                inspection = services.inspection_record(
                    actor=request.user,
                    unit=unit,
                    standard=access_standard(form.cleaned_data["standard"]),
                    date=form.cleaned_data["date"],
                    inspectors=form.cleaned_data["inspectors"],
                    summary=form.cleaned_data["summary"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("ledger:inspection", pk=inspection.pk)
    return render(
        request,
        "ledger/inspections.html",
        {
            "title": _("Inspections"),
            "inspections": selectors.inspections_list(within=visible)[:100],
            "overdue": selectors.tasks_overdue(within=visible),
            "tasks": selectors.tasks_list(within=visible).exclude(state="closed")[:200],
            "today": timezone.localdate(),
            "form": form,
            "is_bureau": request.user.is_county_admin,
        },
    )


@staff_required
def inspection(request: HttpRequest, pk: int) -> HttpResponse:
    visit = access_inspection(request.user, pk)
    indicators = [item.indicator for item in visit.items.select_related("indicator")]
    finding_form = FindingForm(request.POST or None, indicators=indicators)
    if request.method == "POST" and finding_form.is_valid():
        chosen = finding_form.cleaned_data["indicator"]
        try:
            services.finding_add(
                actor=request.user,
                inspection=visit,
                indicator=access_indicator(visit.standard, chosen) if chosen else None,
                text=finding_form.cleaned_data["text"],
                owner=finding_form.cleaned_data["owner"],
                deadline=finding_form.cleaned_data["deadline"],
            )
        except DomainError as exc:
            finding_form.add_error(None, exc.message)
        else:
            messages.success(request, _("Finding recorded and its rectification task set."))
            return redirect("ledger:inspection", pk=visit.pk)
    return render(
        request,
        "ledger/inspection.html",
        {
            "title": _("Inspection of %(unit)s") % {"unit": visit.unit.display_name},
            "inspection": visit,
            "items": visit.items.select_related("indicator"),
            "findings": visit.findings.select_related("task", "indicator"),
            "finding_form": finding_form,
            "results": CheckResult.choices,
            "is_bureau": request.user.is_county_admin,
            "today": timezone.localdate(),
        },
    )


@staff_required
@require_POST
def checklist_mark(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    visit = access_inspection(request.user, pk)
    item = ChecklistItem.objects.filter(pk=item_id, inspection=visit).first()
    form = ChecklistForm(request.POST)
    if item is None or not form.is_valid():
        messages.error(request, _("Choose a result for the checklist item."))
    else:
        services.checklist_mark(actor=request.user, item=item, **form.cleaned_data)
    return redirect("ledger:inspection", pk=visit.pk)


@staff_required
def task(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_task(request.user, pk)
    action_form = TaskActionForm(request.POST or None)
    if request.method == "POST" and "action" in request.POST and action_form.is_valid():
        try:
            services.task_transition(actor=request.user, task=item, **action_form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
        return redirect("ledger:task", pk=item.pk)
    evidence_form = TaskEvidenceForm()
    if request.method == "POST" and "action" not in request.POST:
        evidence_form = TaskEvidenceForm(request.POST, request.FILES)
        if evidence_form.is_valid():
            upload = evidence_form.cleaned_data["file"]
            try:
                services.evidence_add(
                    actor=request.user,
                    unit=item.unit,
                    task=item,
                    name=upload.name,
                    content=upload.read(),
                    description=evidence_form.cleaned_data["description"],
                )
            except DomainError as exc:
                evidence_form.add_error("file", exc.message)
            else:
                messages.success(request, _("%(file)s attached.") % {"file": upload.name})
                return redirect("ledger:task", pk=item.pk)
    can_work = user_can_manage_unit(request.user, item.unit)
    actions = []
    for action in rules.actions_from(item.state):
        _target, who = rules.TASK_TRANSITIONS[(item.state, action)]
        if (who == rules.BUREAU and request.user.is_county_admin) or (who == rules.UNIT and can_work):
            actions.append((action, rules.ACTIONS[action]))
    return render(
        request,
        "ledger/task.html",
        {
            "title": _("Rectification task"),
            "task": item,
            "evidence": item.evidence.select_related("uploaded_by"),
            "actions": actions,
            "evidence_form": evidence_form if can_work and item.state != "closed" else None,
            "overdue": item.deadline < timezone.localdate() and item.state in rules.OVERDUE_STATES,
        },
    )


# --- performance and satisfaction --------------------------------------------------------------------


@staff_required
def performance(request: HttpRequest) -> HttpResponse:
    form = PublishForm(request.POST or None, standards=selectors.standards_list())
    if request.method == "POST":
        services.require_bureau(request.user)
        if form.is_valid():
            try:
                services.evaluation_publish(
                    actor=request.user,
                    standard=access_standard(form.cleaned_data["standard"]),
                    year=form.cleaned_data["year"],
                    scope=form.cleaned_data["scope"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The ranking is published."))
                return redirect("ledger:performance")
    evaluations = [
        {"evaluation": e, "scores": e.scores.select_related("unit", "unit__parent")}
        for e in selectors.evaluations_list()[:6]
    ]
    return render(
        request,
        "ledger/performance.html",
        {
            "title": _("Performance ranking"),
            "evaluations": evaluations,
            "form": form,
            "is_bureau": request.user.is_county_admin,
        },
    )


@staff_required
def surveys(request: HttpRequest) -> HttpResponse:
    visible = units_visible_to(request.user)
    units = list(visible.exclude(kind__in=["county", "district"]).order_by("code"))
    form = SurveyForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                actor=request.user,
                unit=access_unit(request.user, form.cleaned_data["unit"], for_change=True),
                title=form.cleaned_data["title"],
                opens=form.cleaned_data["opens"],
                closes=form.cleaned_data["closes"],
                questions=form.cleaned_data["questions"].splitlines(),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("ledger:survey", pk=survey.pk)
    return render(
        request,
        "ledger/surveys.html",
        {
            "title": _("Satisfaction surveys"),
            "surveys": [
                {"survey": s, "results": selectors.survey_results(survey=s)}
                for s in selectors.surveys_list(within=visible)[:50]
            ],
            "form": form,
        },
    )


@staff_required
def survey(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_survey(request.user, pk)
    url = request.build_absolute_uri(reverse("portal:ledger_public:survey_answer", args=[item.token]))
    return render(
        request,
        "ledger/survey.html",
        {
            "title": item.title,
            "survey": item,
            "results": selectors.survey_results(survey=item),
            "url": url,
            "qr": exports.qr_svg(url),
        },
    )


def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the page a phone opens from the survey's QR code."""
    item = Survey.objects.select_related("unit").filter(token=token).first()
    if item is None:
        raise DomainError(_("There is no such survey."), code="survey_not_found")
    form = SurveyAnswerForm(request.POST or None)
    scores = [request.POST.get(f"q{i}", "") for i in range(len(item.questions))]
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(
                survey=item,
                phone=form.cleaned_data["phone"],
                scores=scores,
                comment=form.cleaned_data["comment"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            done = True
    today = timezone.localdate()
    return render(
        request,
        "ledger/survey_answer.html",
        {
            "title": item.title,
            "survey": item,
            "form": form,
            "done": done,
            "open": item.opens <= today <= item.closes,
            "questions": [
                {"index": i, "text": text, "chosen": scores[i]} for i, text in enumerate(item.questions)
            ],
            "scale": [
                (1, _("Very dissatisfied")),
                (2, _("Dissatisfied")),
                (3, _("Neutral")),
                (4, _("Satisfied")),
                (5, _("Very satisfied")),
            ],
        },
    )
