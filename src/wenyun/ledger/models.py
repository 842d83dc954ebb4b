"""The acceptance ledger: standards and their indicators (data, loaded from files), snapshots of
computed values, evidence, inspections with rectification tasks, performance scores and
satisfaction surveys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wenyun.core.models import EventBase


class Part(models.TextChoices):
    FACILITIES = "facilities", _("Facility network")
    SERVICES = "services", _("Service supply")
    ORGANISATION = "organisation", _("Organisational support")
    RESOURCES = "resources", _("Funding, staff and technology")
    EVALUATION = "evaluation", _("Evaluation")
    OTHER = "other", _("Other")


class Scope(models.TextChoices):
    COUNTY = "county", _("The county")
    INSTITUTION = "institution", _("Each institution")
    LIBRARY = "library", _("Each library")
    CULTURAL_CENTRE = "cultural_centre", _("Each cultural centre")
    STATION = "station", _("Each township station")
    VILLAGE = "village", _("Each village centre")


class Comparison(models.TextChoices):
    AT_LEAST = ">=", _("at least")
    AT_MOST = "<=", _("at most")
    MORE_THAN = ">", _("more than")
    LESS_THAN = "<", _("less than")
    EQUAL = "==", _("equal to")


class FormulaKind(models.TextChoices):
    METRIC = "metric", _("A metric's value")
    RATIO = "ratio", _("A ratio of two metrics")
    SHARE = "share", _("Share of units meeting a condition")
    EVIDENCE = "evidence", _("Evidence only")


class Standard(models.Model):
    """A set of indicators the county is measured against (a creation standard, a grading standard)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    description = models.TextField(_("about the standard"), blank=True)
    source_file = models.CharField(max_length=200, blank=True)
    loaded_at = models.DateTimeField(null=True, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("standard")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return _bilingual(self.name, self.name_en)


def _bilingual(name: str, name_en: str) -> str:
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


class Indicator(models.Model):
    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    part = models.CharField(_("part"), max_length=20, choices=Part.choices)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    measure = models.CharField(_("unit of measure"), max_length=40, blank=True)
    comparison = models.CharField(_("comparison"), max_length=2, choices=Comparison.choices, default=">=")
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=4, null=True, blank=True)
    formula = models.JSONField(_("formula"), default=dict)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=0)
    note = models.TextField(_("note"), blank=True)
    position = models.PositiveIntegerField(default=0)
    retired = models.BooleanField(default=False)  # dropped from a reloaded file but kept for its evidence

    class Meta:
        ordering = ["standard", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="ledger_indicator_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self) -> str:
        return _bilingual(self.name, self.name_en)

    @property
    def formula_kind(self) -> str:
        return self.formula.get("kind", FormulaKind.EVIDENCE)


class Snapshot(models.Model):
    """Values of a standard's indicators as computed at one moment; judged later against the
    thresholds in force when read, so a changed threshold re-judges history without recomputing it."""

    standard = models.ForeignKey(Standard, on_delete=models.CASCADE, related_name="snapshots")
    year = models.PositiveSmallIntegerField()
    taken_at = models.DateTimeField(db_index=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=20, default="on_demand")  # on_demand | monthly

    class Meta:
        ordering = ["-taken_at"]


class SnapshotValue(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="snapshot_values")
    unit = models.ForeignKey("network.Unit", on_delete=models.CASCADE, related_name="+")
    value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "indicator", "unit"], name="ledger_snapshot_value")
        ]


def evidence_path(instance: Evidence, filename: str) -> str:
    at = instance.uploaded_at
    return f"ledger/evidence/{at:%Y/%m}/{instance.sha256[:16]}-{instance.stored_suffix}"


class Evidence(models.Model):
    """A document or photo proving an indicator for a unit, or closing a rectification task."""

    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    task = models.ForeignKey(
        "RectificationTask", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    stored_suffix = models.CharField(max_length=24)
    description = models.CharField(_("what it shows"), max_length=300)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["indicator", "unit"], name="ledger_evidence_ind_unit")]


class Inspection(models.Model):
    """A supervision visit (监督检查) to a unit with a checklist drawn from a standard's indicators."""

    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="inspections")
    date = models.DateField(_("date"))
    inspectors = models.CharField(_("inspectors"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "-pk"]


class CheckResult(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    PASS = "pass", _("Meets")
    FAIL = "fail", _("Falls short")
    NOT_APPLICABLE = "na", _("Not applicable")


class ChecklistItem(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(max_length=10, choices=CheckResult.choices, default=CheckResult.PENDING)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["indicator__position", "indicator__code"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "indicator"], name="ledger_checklist_indicator")
        ]


class Finding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("finding"))

    class Meta:
        ordering = ["pk"]


class TaskState(models.TextChoices):
    OPEN = "open", _("Awaiting rectification")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted with evidence")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


class RectificationTask(models.Model):
    """What a unit must put right after a finding; its lifecycle is the table in ledger.rules."""

    finding = models.OneToOneField(Finding, on_delete=models.CASCADE, related_name="task")
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    owner = models.CharField(_("owner"), max_length=80)
    deadline = models.DateField(_("deadline"))
    state = models.CharField(max_length=20, choices=TaskState.choices, default=TaskState.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_comment = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["deadline", "pk"]
        indexes = [models.Index(fields=["state", "deadline"], name="ledger_task_state_deadline")]


class PerformanceEvaluation(models.Model):
    """A year's published performance (效能) ranking of one kind of unit against a standard."""

    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="evaluations")
    year = models.PositiveSmallIntegerField()
    scope = models.CharField(max_length=20, choices=Scope.choices)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-year", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "year", "scope"], name="ledger_evaluation_year_scope")
        ]


class PerformanceScore(models.Model):
    evaluation = models.ForeignKey(PerformanceEvaluation, on_delete=models.CASCADE, related_name="scores")
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField()
    details = models.JSONField(default=list)  # [{indicator, weight, value, attainment}]

    class Meta:
        ordering = ["rank", "unit__code"]


class Survey(models.Model):
    """A satisfaction survey (群众满意度测评) of one unit, answered on a phone through a QR code."""

    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("survey title"), max_length=200)
    questions = models.JSONField(default=list)  # ["question text", ...] each answered 1-5
    token = models.CharField(max_length=32, unique=True)
    opens = models.DateField(_("open from"))
    closes = models.DateField(_("open until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opens", "pk"]


class SurveyAnswer(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    # A keyed digest of the respondent's phone number: one answer per person, no phone kept.
    respondent = models.CharField(max_length=64)
    scores = models.JSONField(default=list)  # one 1-5 per question
    comment = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["survey", "respondent"], name="ledger_survey_one_answer")
        ]


class LedgerEvent(EventBase):
    class Type(models.TextChoices):
        STANDARD_LOADED = "standard_loaded"
        INDICATOR_CHANGED = "indicator_changed"
        SNAPSHOT_TAKEN = "snapshot_taken"
        EVIDENCE_ADDED = "evidence_added"
        INSPECTION_RECORDED = "inspection_recorded"
        TASK_CHANGED = "task_changed"
        EVALUATION_PUBLISHED = "evaluation_published"
        SURVEY_CREATED = "survey_created"
        SURVEY_ANSWERED = "survey_answered"

    class Meta(EventBase.Meta):
        pass
