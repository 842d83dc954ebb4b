"""Writes to the ledger. Each is atomic, checks who asks first, and leaves a LedgerEvent behind."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from wenyun.core.errors import Conflict, DomainError, Refused
from wenyun.network.access import require_bureau, require_staff_for
from wenyun.network.models import INSTITUTION_KINDS, Unit, UnitKind

from . import rules
from .evaluate import scope_units, standard_evaluate
from .formulas import StandardFileError, indicator_clean, standard_parse
from .models import (
    ChecklistItem,
    CheckResult,
    Evidence,
    Finding,
    Indicator,
    Inspection,
    LedgerEvent,
    PerformanceEvaluation,
    PerformanceScore,
    RectificationTask,
    Scope,
    Snapshot,
    SnapshotValue,
    Standard,
    Survey,
    SurveyAnswer,
    TaskState,
)

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Extension -> (content type, how the file starts). Office files are ZIP containers.
EVIDENCE_TYPES: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
}


def _record(*, type: str, unit: Unit, actor, details: dict | None = None) -> None:
    LedgerEvent.objects.create(
        type=type,
        at=timezone.now(),
        unit=unit,
        actor=actor if getattr(actor, "pk", None) else None,
        details=details or {},
    )


def _county() -> Unit:
    return Unit.objects.filter(parent__isnull=True).order_by("pk").first()  # type: ignore[return-value]


def _as_bureau(actor) -> None:
    # actor None is the system itself (the demo builder, a command run from the shell).
    if actor is not None:
        require_bureau(actor)


# --- standards --------------------------------------------------------------------------------------


@transaction.atomic
def standard_load(*, actor, raw: bytes | str, name: str) -> Standard:
    """Load a standard file (create it, or update the standard with the same code).

    Indicators are matched by code: changed ones are updated in place (their history and evidence
    stay), new ones added; those no longer in the file are retired, not deleted, and come back if a
    later file has them again. The file is checked whole before anything is saved."""
    _as_bureau(actor)
    data = standard_parse(raw, name=name)
    standard, _created = Standard.objects.select_for_update().get_or_create(
        code=data["code"], defaults={"name": data["name"]}
    )
    for field in ("name", "name_en", "issuer", "description"):
        setattr(standard, field, data[field])
    standard.source_file = Path(name).name[:200]
    standard.loaded_at = timezone.now()
    standard.loaded_by = actor if getattr(actor, "pk", None) else None
    standard.save()
    existing = {i.code: i for i in standard.indicators.all()}
    for position, item in enumerate(data["indicators"], start=1):
        indicator = existing.pop(item["code"], None) or Indicator(standard=standard, code=item["code"])
        for field, value in item.items():
            setattr(indicator, field, value)
        indicator.position = position
        indicator.retired = False
        indicator.save()
    for indicator in existing.values():
        indicator.retired = True
        indicator.save(update_fields=["retired"])
    _record(
        type=LedgerEvent.Type.STANDARD_LOADED,
        unit=_county(),
        actor=actor,
        details={
            "standard": standard.code,
            "file": standard.source_file,
            "indicators": len(data["indicators"]),
        },
    )
    return standard


def standard_load_file(*, actor, path: Path) -> Standard:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise StandardFileError(
            _("%(file)s cannot be read: %(problem)s") % {"file": str(path), "problem": exc.strerror}
        ) from None
    return standard_load(actor=actor, raw=raw, name=str(path))


def standard_files() -> list[Path]:
    """The standard files shipped with Wenyun (ledger/standards/*.json)."""
    return sorted((Path(__file__).resolve().parent / "standards").glob("*.json"))


@transaction.atomic
def indicator_update(*, actor, indicator: Indicator, **changes) -> Indicator:
    """Change an indicator's name, threshold, comparison, weight, scope, part, measure or formula.

    A changed threshold re-judges every stored snapshot when it is next read: values are kept, the
    judgement is made against the threshold in force."""
    _as_bureau(actor)
    allowed = {
        "name",
        "name_en",
        "part",
        "scope",
        "measure",
        "comparison",
        "threshold",
        "weight",
        "formula",
        "note",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(
            _("%(fields)s cannot be changed on an indicator.") % {"fields": ", ".join(sorted(unknown))},
            code="indicator_field_invalid",
        )
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    current = {
        "code": indicator.code,
        "name": indicator.name,
        "name_en": indicator.name_en,
        "part": indicator.part,
        "scope": indicator.scope,
        "measure": indicator.measure,
        "comparison": indicator.comparison,
        "threshold": indicator.threshold,
        "weight": indicator.weight,
        "formula": indicator.formula,
        "note": indicator.note,
    }
    merged = {**current, **changes}
    try:
        cleaned = indicator_clean(merged, where=indicator.code)
    except StandardFileError as exc:
        raise DomainError(exc.message, code="indicator_field_invalid") from None
    changed = {k: v for k, v in cleaned.items() if k != "code" and current.get(k) != v}
    if not changed:
        return indicator
    before = {k: str(current[k]) for k in changed if k != "formula"}
    for field, value in changed.items():
        setattr(indicator, field, value)
    indicator.save(update_fields=list(changed))
    _record(
        type=LedgerEvent.Type.INDICATOR_CHANGED,
        unit=_county(),
        actor=actor,
        details={
            "standard": indicator.standard.code,
            "indicator": indicator.code,
            "before": before,
            "after": {k: str(v) for k, v in changed.items() if k != "formula"},
        },
    )
    return indicator


# --- snapshots --------------------------------------------------------------------------------------


@transaction.atomic
def snapshot_take(
    *, actor, standard: Standard, year: int, reason: str = "on_demand", today: dt.date | None = None
) -> Snapshot:
    """Compute every indicator now and keep the values (not the judgements: those follow thresholds)."""
    _as_bureau(actor)
    results = standard_evaluate(standard=standard, year=year, today=today)
    snapshot = Snapshot.objects.create(
        standard=standard,
        year=year,
        taken_at=timezone.now(),
        taken_by=actor if getattr(actor, "pk", None) else None,
        reason=reason,
    )
    SnapshotValue.objects.bulk_create(
        SnapshotValue(snapshot=snapshot, indicator=result.indicator, unit=row.unit, value=row.value)
        for result in results
        if result.computable
        for row in result.rows
    )
    _record(
        type=LedgerEvent.Type.SNAPSHOT_TAKEN,
        unit=_county(),
        actor=actor,
        details={"standard": standard.code, "year": year, "reason": reason},
    )
    return snapshot


# --- evidence ---------------------------------------------------------------------------------------


def _check_file(*, name: str, content: bytes) -> tuple[str, str]:
    suffix = Path(name or "").suffix.lower()
    if suffix not in EVIDENCE_TYPES:
        raise DomainError(
            _("%(file)s is not a kind of file the ledger keeps: send a PDF, PNG, JPEG, DOCX or XLSX file.")
            % {"file": name},
            code="evidence_type_invalid",
        )
    if not content:
        raise DomainError(_("%(file)s is empty.") % {"file": name}, code="evidence_empty")
    if len(content) > EVIDENCE_MAX_BYTES:
        raise DomainError(
            _("%(file)s is %(size)s MB: the largest file the ledger keeps is %(limit)s MB.")
            % {
                "file": name,
                "size": f"{len(content) / 1024 / 1024:.1f}",
                "limit": EVIDENCE_MAX_BYTES // 1024 // 1024,
            },
            code="evidence_too_large",
        )
    content_type, magic = EVIDENCE_TYPES[suffix]
    if not content.startswith(magic):
        raise DomainError(
            _("%(file)s is not really a %(kind)s file: its content does not match its name.")
            % {"file": name, "kind": suffix[1:].upper()},
            code="evidence_type_invalid",
        )
    return content_type, suffix


@transaction.atomic
def evidence_add(
    *,
    actor,
    unit: Unit,
    name: str,
    content: bytes,
    description: str,
    indicator: Indicator | None = None,
    task: RectificationTask | None = None,
) -> Evidence:
    """Keep an original document or photo for an indicator (or a rectification task) and a unit."""
    require_staff_for(actor, unit)
    if (indicator is None) == (task is None):
        raise DomainError(
            _("Evidence belongs to an indicator or to a rectification task."), code="evidence_invalid"
        )
    if task is not None and task.unit_id != unit.pk:
        raise DomainError(_("Closing evidence belongs to the task's own unit."), code="evidence_invalid")
    description = (description or "").strip()
    if not description:
        raise DomainError(_("Say what the document shows."), code="evidence_description_missing")
    if len(description) > 300:
        raise DomainError(
            _("The description is longer than 300 characters."), code="evidence_description_missing"
        )
    content_type, suffix = _check_file(name=name, content=content)
    evidence = Evidence(
        indicator=indicator,
        task=task,
        unit=unit,
        original_name=Path(name).name[:200],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        stored_suffix=secrets.token_hex(6) + suffix,
        description=description,
        uploaded_by=actor,
        uploaded_at=timezone.now(),
    )
    evidence.file.save(evidence.original_name, ContentFile(content), save=False)
    # The file is written before the row; if the row cannot be saved the file goes too.
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    _record(
        type=LedgerEvent.Type.EVIDENCE_ADDED,
        unit=unit,
        actor=actor,
        details={
            "evidence": evidence.pk,
            "indicator": indicator.code if indicator else None,
            "task": task.pk if task else None,
            "file": evidence.original_name,
            "size": evidence.size,
        },
    )
    return evidence


# --- inspections and rectification -------------------------------------------------------------------


def _indicators_for(unit: Unit, standard: Standard) -> list[Indicator]:
    scopes: set[str] = {Scope.COUNTY.value} if unit.kind == UnitKind.COUNTY else {unit.kind}
    if unit.kind in INSTITUTION_KINDS:
        scopes.add(Scope.INSTITUTION.value)
    return list(standard.indicators.filter(retired=False, scope__in=scopes))


@transaction.atomic
def inspection_record(
    *, actor, unit: Unit, standard: Standard, date: dt.date, inspectors: str, summary: str = ""
) -> Inspection:
    """A visit to a unit, with a checklist of the standard's indicators that apply to its kind."""
    require_bureau(actor)
    inspectors = (inspectors or "").strip()
    if not inspectors:
        raise DomainError(_("Name who inspected."), code="inspection_invalid")
    if date > timezone.localdate():
        raise DomainError(_("An inspection cannot be recorded before it happens."), code="inspection_invalid")
    indicators = _indicators_for(unit, standard)
    if not indicators:
        raise DomainError(
            _("%(standard)s has no indicator for a unit of this kind.") % {"standard": standard.display_name},
            code="inspection_invalid",
        )
    inspection = Inspection.objects.create(
        unit=unit,
        standard=standard,
        date=date,
        inspectors=inspectors[:200],
        summary=(summary or "").strip(),
        created_by=actor,
        created_at=timezone.now(),
    )
    ChecklistItem.objects.bulk_create(ChecklistItem(inspection=inspection, indicator=i) for i in indicators)
    _record(
        type=LedgerEvent.Type.INSPECTION_RECORDED,
        unit=unit,
        actor=actor,
        details={"inspection": inspection.pk, "standard": standard.code, "date": date.isoformat()},
    )
    return inspection


@transaction.atomic
def checklist_mark(*, actor, item: ChecklistItem, result: str, note: str = "") -> ChecklistItem:
    require_bureau(actor)
    if result not in CheckResult.values:
        raise DomainError(
            _("%(result)s is not a checklist result.") % {"result": result}, code="checklist_invalid"
        )
    item.result = result
    item.note = (note or "").strip()[:300]
    item.save(update_fields=["result", "note"])
    return item


@transaction.atomic
def finding_add(
    *,
    actor,
    inspection: Inspection,
    text: str,
    owner: str,
    deadline: dt.date,
    indicator: Indicator | None = None,
) -> RectificationTask:
    """A finding of the inspection and the rectification task it sets the unit."""
    require_bureau(actor)
    text = (text or "").strip()
    owner = (owner or "").strip()
    if not text:
        raise DomainError(_("Write down what was found."), code="finding_invalid")
    if not owner:
        raise DomainError(_("Name who must put it right."), code="finding_invalid")
    if deadline < inspection.date:
        raise DomainError(_("The deadline falls before the inspection."), code="finding_invalid")
    if indicator is not None and indicator.standard_id != inspection.standard_id:
        raise DomainError(_("The indicator is not in the inspection's standard."), code="finding_invalid")
    finding = Finding.objects.create(inspection=inspection, indicator=indicator, text=text)
    task = RectificationTask.objects.create(
        finding=finding, unit=inspection.unit, owner=owner[:80], deadline=deadline
    )
    _record(
        type=LedgerEvent.Type.TASK_CHANGED,
        unit=inspection.unit,
        actor=actor,
        details={"task": task.pk, "action": "create", "state": task.state},
    )
    return task


@transaction.atomic
def task_transition(*, actor, task: RectificationTask, action: str, comment: str = "") -> RectificationTask:
    """Move a rectification task along its lifecycle (ledger.rules.TASK_TRANSITIONS)."""
    task = RectificationTask.objects.select_for_update().select_related("unit").get(pk=task.pk)
    step = rules.TASK_TRANSITIONS.get((task.state, action))
    if step is None:
        raise Refused(
            _("A task that is %(state)s cannot be given “%(action)s”.")
            % {"state": TaskState(task.state).label, "action": rules.ACTIONS.get(action, action)},
            code="task_transition_invalid",
        )
    target, who = step
    if who == rules.BUREAU:
        require_bureau(actor)
    else:
        require_staff_for(actor, task.unit)
    if action in rules.NEEDS_EVIDENCE and not task.evidence.exists():
        raise Refused(
            _("Attach the evidence that the finding is put right before submitting the task."),
            code="task_evidence_missing",
        )
    before = task.state
    task.state = target
    task.closed_at = timezone.now() if target == TaskState.CLOSED else None
    task.last_comment = (comment or "").strip()[:300]
    task.save(update_fields=["state", "closed_at", "last_comment"])
    _record(
        type=LedgerEvent.Type.TASK_CHANGED,
        unit=task.unit,
        actor=actor,
        details={
            "task": task.pk,
            "action": action,
            "from": before,
            "to": target,
            "comment": task.last_comment,
        },
    )
    return task


# --- performance ------------------------------------------------------------------------------------


def _attainment(value: Decimal | None, comparison: str, threshold: Decimal | None) -> Decimal:
    """How much of the indicator a unit achieves, 0 to 1: met is 1, otherwise the share of the way."""
    if value is None or threshold is None:
        return Decimal(0)
    if comparison in (">=", ">"):
        if value >= threshold and (comparison == ">=" or value > threshold):
            return Decimal(1)
        return max(Decimal(0), value / threshold) if threshold > 0 else Decimal(0)
    if comparison in ("<=", "<"):
        if value <= threshold and (comparison == "<=" or value < threshold):
            return Decimal(1)
        return threshold / value if value > 0 else Decimal(0)
    return Decimal(1) if value == threshold else Decimal(0)


def performance_compute(
    *, standard: Standard, year: int, scope: str, today: dt.date | None = None
) -> list[dict]:
    """Each unit of the scope's weighted score out of 100 over the weighted indicators of that scope,
    best first: [{unit, score, rank, details}]."""
    indicators = list(standard.indicators.filter(retired=False, scope=scope, weight__gt=0))
    if not indicators:
        raise DomainError(
            _("%(standard)s has no weighted indicator for %(scope)s.")
            % {"standard": standard.display_name, "scope": Scope(scope).label},
            code="performance_no_indicators",
        )
    results = standard_evaluate(standard=standard, year=year, indicators=indicators, today=today)
    total_weight = sum((i.weight for i in indicators), start=Decimal(0))
    scores: dict[int, dict] = {}
    for unit in scope_units(scope):
        scores[unit.pk] = {"unit": unit, "points": Decimal(0), "details": []}
    for result in results:
        indicator = result.indicator
        for row in result.rows:
            entry = scores.get(row.unit.pk)
            if entry is None:
                continue
            share = (
                _attainment(row.value, indicator.comparison, indicator.threshold)
                if result.computable
                else Decimal(0)
            )
            entry["points"] += share * indicator.weight
            entry["details"].append(
                {
                    "indicator": indicator.code,
                    "weight": str(indicator.weight),
                    "value": None if row.value is None else str(row.value),
                    "attainment": str(share.quantize(Decimal("0.0001"))),
                    "computable": result.computable,
                }
            )
    ranked = sorted(
        (
            {
                "unit": e["unit"],
                "score": (Decimal(100) * e["points"] / total_weight).quantize(Decimal("0.01")),
                "details": e["details"],
            }
            for e in scores.values()
        ),
        key=lambda row: (-row["score"], row["unit"].code),
    )
    previous, rank = None, 0
    for position, entry in enumerate(ranked, start=1):
        if entry["score"] != previous:
            rank, previous = position, entry["score"]
        entry["rank"] = rank
    return ranked


@transaction.atomic
def evaluation_publish(
    *, actor, standard: Standard, year: int, scope: str, today: dt.date | None = None
) -> PerformanceEvaluation:
    """Publish (or publish again) the year's ranking of a kind of unit."""
    _as_bureau(actor)
    if scope not in (Scope.STATION, Scope.VILLAGE, Scope.INSTITUTION, Scope.LIBRARY, Scope.CULTURAL_CENTRE):
        raise DomainError(
            _("Performance is ranked for stations, village centres or institutions."),
            code="performance_scope_invalid",
        )
    ranked = performance_compute(standard=standard, year=year, scope=scope, today=today)
    evaluation, _created = PerformanceEvaluation.objects.update_or_create(
        standard=standard,
        year=year,
        scope=scope,
        defaults={
            "published_at": timezone.now(),
            "published_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    evaluation.scores.all().delete()
    PerformanceScore.objects.bulk_create(
        PerformanceScore(
            evaluation=evaluation,
            unit=row["unit"],
            score=row["score"],
            rank=row["rank"],
            details=row["details"],
        )
        for row in ranked
    )
    _record(
        type=LedgerEvent.Type.EVALUATION_PUBLISHED,
        unit=_county(),
        actor=actor,
        details={"standard": standard.code, "year": year, "scope": scope, "units": len(ranked)},
    )
    return evaluation


# --- satisfaction surveys ---------------------------------------------------------------------------

DEFAULT_QUESTIONS = [
    gettext_noop("How satisfied are you with the opening hours?"),
    gettext_noop("How satisfied are you with the books and materials?"),
    gettext_noop("How satisfied are you with the activities held here?"),
    gettext_noop("How satisfied are you with the staff's service?"),
    gettext_noop("How satisfied are you overall?"),
]


@transaction.atomic
def survey_create(
    *, actor, unit: Unit, title: str, opens: dt.date, closes: dt.date, questions: list[str] | None = None
) -> Survey:
    if actor is not None:
        require_staff_for(actor, unit)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("A survey needs a title."), code="survey_invalid")
    if closes < opens:
        raise DomainError(_("A survey cannot close before it opens."), code="survey_invalid")
    questions = [q.strip() for q in (questions or []) if q and q.strip()] or [_(q) for q in DEFAULT_QUESTIONS]
    if len(questions) > 12:
        raise DomainError(_("A short questionnaire has at most 12 questions."), code="survey_invalid")
    survey = Survey.objects.create(
        unit=unit,
        title=title[:200],
        questions=questions,
        token=secrets.token_urlsafe(12),
        opens=opens,
        closes=closes,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _record(type=LedgerEvent.Type.SURVEY_CREATED, unit=unit, actor=actor, details={"survey": survey.pk})
    return survey


def respondent_key(*, survey: Survey, phone: str) -> str:
    """A keyed digest of the phone number: the same person gives the same key, the number is not kept."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{survey.pk}:{digits}".encode(), hashlib.sha256
    ).hexdigest()


def _phone_ok(phone: str) -> bool:
    digits = "".join(ch for ch in phone if ch.isdigit())
    return len(digits) == 11 and digits.startswith("1") and len(phone.strip()) <= 20


@transaction.atomic
def survey_answer(
    *, survey: Survey, phone: str, scores: list, comment: str = "", today: dt.date | None = None
) -> SurveyAnswer:
    """One person's answer (one per phone number per survey), each question scored 1 to 5."""
    today = today or timezone.localdate()
    if not survey.opens <= today <= survey.closes:
        raise Refused(_("This survey is not open for answers today."), code="survey_closed")
    phone = (phone or "").strip()
    if not _phone_ok(phone):
        raise DomainError(_("Enter an 11-digit mobile number."), code="survey_phone_invalid")
    if len(scores) != len(survey.questions):
        raise DomainError(_("Answer every question."), code="survey_incomplete")
    cleaned = []
    for score in scores:
        try:
            number = int(score)
        except (TypeError, ValueError):
            raise DomainError(_("Answer every question."), code="survey_incomplete") from None
        if not 1 <= number <= 5:
            raise DomainError(_("Each answer is a score from 1 to 5."), code="survey_incomplete")
        cleaned.append(number)
    key = respondent_key(survey=survey, phone=phone)
    if SurveyAnswer.objects.filter(survey=survey, respondent=key).exists():
        raise Conflict(
            _("This phone number has already answered this survey. Thank you!"), code="survey_answered"
        )
    try:
        with transaction.atomic():
            answer = SurveyAnswer.objects.create(
                survey=survey,
                respondent=key,
                scores=cleaned,
                comment=(comment or "").strip()[:500],
                at=timezone.now(),
            )
    except IntegrityError:
        raise Conflict(
            _("This phone number has already answered this survey. Thank you!"), code="survey_answered"
        ) from None
    _record(
        type=LedgerEvent.Type.SURVEY_ANSWERED, unit=survey.unit, actor=None, details={"survey": survey.pk}
    )
    return answer
