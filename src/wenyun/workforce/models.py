"""Staff, their posts at the county's units, the subsidy standards and monthly rolls, and training.

A person (StaffMember) is not necessarily a login account; an Appointment puts a person in a post at
a unit for a span of days. Subsidy standards are dated rows (post × unit kind → yuan a month from a
day), so a raise is a new row and the months before it keep the old amount. A roll is computed from
appointments and standards for one month; once approved it is frozen, and a correction is an
adjustment line in a later open roll.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenyun.core.fields import EncryptedTextField
from wenyun.core.models import EventBase
from wenyun.network.models import UnitKind


class Post(models.TextChoices):
    STATION_HEAD = "station_head", _("Station head")
    FULL_TIME_WORKER = "full_time_worker", _("Full-time cultural worker")
    BOOKSTORE_MANAGER = "bookstore_manager", _("Bookstore manager")
    LIBRARIAN = "librarian", _("Librarian")
    OTHER = "other", _("Other post")


class EmploymentType(models.TextChoices):
    ESTABLISHED = "established", _("Established post")
    CONTRACT = "contract", _("Contract")
    COUNTY_HIRED = "county_hired", _("County-hired, township-used")
    RETIRED = "retired", _("Retired, re-employed")
    VOLUNTEER = "volunteer", _("Volunteer")


# Volunteers serve unpaid: they count for staffing but are never on a subsidy roll.
UNPAID_EMPLOYMENT = frozenset({EmploymentType.VOLUNTEER})


class StaffMember(models.Model):
    """One person in the register. The identity number is kept minimally (a keyed hash and its
    last 4); the bank account is kept whole because the subsidy is paid into it, encrypted with the field
    key (so not searchable), and shown masked."""

    name = models.CharField(_("full name"), max_length=60)
    gender = models.CharField(
        _("gender"), max_length=1, blank=True, choices=[("M", _("Male")), ("F", _("Female"))]
    )
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    id_number_last4 = models.CharField(max_length=4, blank=True)
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = EncryptedTextField(_("bank account"), blank=True)
    education = models.CharField(_("education"), max_length=40, blank=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff_member",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name"], name="workforce_staff_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return f"**************{self.id_number_last4}" if self.id_number_last4 else ""

    @property
    def bank_account_masked(self) -> str:
        if not self.bank_account:
            return ""
        return "*" * max(4, len(self.bank_account) - 4) + self.bank_account[-4:]


class Qualification(models.Model):
    """A title (职称), certificate or degree a person holds."""

    class Kind(models.TextChoices):
        TITLE = "title", _("Professional title")
        CERTIFICATE = "certificate", pgettext_lazy("workforce", "Certificate")
        DEGREE = "degree", _("Degree")

    person = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="qualifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=80)
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)

    class Meta:
        ordering = ["person", "kind", "awarded_on", "pk"]


class Appointment(models.Model):
    """A person in a post at a unit from a day until a day (open-ended while end_date is empty)."""

    person = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="appointments")
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="appointments")
    post = models.CharField(_("post"), max_length=20, choices=Post.choices)
    employment = models.CharField(_("employment type"), max_length=20, choices=EmploymentType.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["unit__path", "post", "start_date", "pk"]
        indexes = [models.Index(fields=["unit", "post", "start_date"], name="workforce_appt_unit_post")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="workforce_appointment_order",
            )
        ]


class StaffingRule(models.Model):
    """How many people a unit of a kind needs in a post (a village centre: one full-time worker and
    one bookstore manager). Data, because each province sets its own."""

    unit_kind = models.CharField(_("unit kind"), max_length=20, choices=UnitKind.choices)
    post = models.CharField(_("post"), max_length=20, choices=Post.choices)
    required = models.PositiveSmallIntegerField(_("required"), default=1)

    class Meta:
        ordering = ["unit_kind", "post"]
        constraints = [
            models.UniqueConstraint(fields=["unit_kind", "post"], name="workforce_rule_unique"),
        ]


class SubsidyStandard(models.Model):
    """Yuan a month for a post at a kind of unit, from a day on; the next row for the pair ends it."""

    post = models.CharField(_("post"), max_length=20, choices=Post.choices)
    unit_kind = models.CharField(_("unit kind"), max_length=20, choices=UnitKind.choices)
    monthly_amount = models.DecimalField(_("yuan a month"), max_digits=9, decimal_places=2)
    effective_from = models.DateField(_("from"))
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["post", "unit_kind", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "unit_kind", "effective_from"], name="workforce_standard_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(monthly_amount__gte=0), name="workforce_standard_not_negative"
            ),
        ]


class SubsidyRoll(models.Model):
    """Who is due how much for one month. Draft while the bureau reviews it; approved, it is frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("workforce", "Draft")
        APPROVED = "approved", pgettext_lazy("workforce", "Approved")

    month = models.DateField(_("month"), unique=True)  # the first day of the month
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=0)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    computed_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month"]

    @property
    def label(self) -> str:
        return self.month.strftime("%Y-%m")

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED


class RollLine(models.Model):
    """One payment on a roll. Regular lines are computed from an appointment and the standard in force
    (one line per standard when it changes within the month); adjustment lines correct a month
    already approved, or this one, and are entered by hand with a reason."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("Regular")
        ADJUSTMENT = "adjustment", _("Adjustment")

    roll = models.ForeignKey(SubsidyRoll, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.REGULAR)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="roll_lines"
    )
    person = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="roll_lines")
    # What was true when the line was made, so a later move or rename leaves the roll as it was.
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    person_name = models.CharField(max_length=60)
    post = models.CharField(max_length=20, choices=Post.choices)
    standard = models.DecimalField(max_digits=9, decimal_places=2, default=0)
    days = models.PositiveSmallIntegerField(default=0)
    days_in_month = models.PositiveSmallIntegerField(default=0)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    corrects_month = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["roll", "kind", "pk"]
        indexes = [models.Index(fields=["roll", "unit"], name="workforce_line_roll_unit")]


class TrainingSession(models.Model):
    """A training the county or a station held for its staff."""

    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("held by"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=120)
    date = models.DateField(_("date"))
    trainer = models.CharField(_("trainer"), max_length=80)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    place = models.CharField(_("place"), max_length=120, blank=True)

    class Meta:
        ordering = ["-date", "pk"]
        indexes = [models.Index(fields=["date"], name="workforce_training_date")]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="workforce_training_hours_positive")
        ]


class Attendance(models.Model):
    """A person at a training session, for the session's hours unless they left early."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="attendances")
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="workforce_attendance_once"),
            models.CheckConstraint(
                condition=models.Q(hours__gt=0), name="workforce_attendance_hours_positive"
            ),
        ]


class WorkforceEvent(EventBase):
    """Everything that changes the register, the standards, the rolls and training. Details never
    hold identity or bank numbers."""

    class Type(models.TextChoices):
        STAFF_ADDED = "staff_added"
        STAFF_UPDATED = "staff_updated"
        APPOINTMENT_STARTED = "appointment_started"
        APPOINTMENT_ENDED = "appointment_ended"
        QUALIFICATION_ADDED = "qualification_added"
        STANDARD_ADDED = "standard_added"
        RULE_SET = "rule_set"
        ROLL_OPENED = "roll_opened"
        ROLL_RECOMPUTED = "roll_recomputed"
        ROLL_APPROVED = "roll_approved"
        ADJUSTMENT_ADDED = "adjustment_added"
        TRAINING_RECORDED = "training_recorded"
        ATTENDANCE_RECORDED = "attendance_recorded"

    class Meta(EventBase.Meta):
        pass
