"""Cultural volunteers (文化志愿者): who they are, their teams and service brands, the projects units
post, and the hours served, signed in and out and confirmed by staff.

Hours count only once confirmed; VolunteerEvent is the log the statistics read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wenyun.core.models import EventBase


class Availability(models.TextChoices):
    WEEKDAYS = "weekdays", _("Weekdays")
    WEEKENDS = "weekends", _("Weekends")
    EVENINGS = "evenings", _("Evenings")
    HOLIDAYS = "holidays", _("Holidays")


class Team(models.Model):
    """A volunteer team, often carrying a service brand (服务品牌) such as a reading-aloud programme."""

    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80, unique=True)
    brand = models.CharField(_("service brand"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("registered with"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("full name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, unique=True)
    reader = models.ForeignKey(
        "circulation.Reader", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="volunteer"
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.JSONField(_("availability"), default=list, blank=True)
    teams = models.ManyToManyField(Team, verbose_name=_("teams"), blank=True, related_name="volunteers")
    joined_on = models.DateField(_("joined"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A piece of volunteer work a unit posts: a date, a time, how many hands it needs."""

    unit = models.ForeignKey(
        "network.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    title = models.CharField(pgettext_lazy("culture", "title"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    places = models.PositiveIntegerField(_("volunteers needed"))
    signed_up = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="volunteers_project_order"
            ),
            models.CheckConstraint(
                condition=Q(signed_up__lte=models.F("places")), name="volunteers_project_not_over"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    """A volunteer's part in a project: signed up, signed in and out, the hours confirmed by staff."""

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        SIGNED_IN = "signed_in", _("Signed in")
        SIGNED_OUT = "signed_out", _("Signed out")
        CONFIRMED = "confirmed", _("Hours confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="shifts")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="shifts")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SIGNED_UP)
    signed_up_at = models.DateTimeField()
    signed_in_at = models.DateTimeField(null=True, blank=True)
    signed_out_at = models.DateTimeField(null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["project__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "volunteer"],
                condition=~Q(status="cancelled"),
                name="volunteers_shift_once",
            )
        ]


class VolunteerEvent(EventBase):
    """What happened with volunteers; statistics count from here.

    details by type:
      volunteer_registered {volunteer}
      signed_up {volunteer, project, shift}; sign_up_cancelled {volunteer, project, shift}
      signed_in / signed_out {volunteer, project, shift}
      hours_confirmed {volunteer, project, shift, hours, year, teams: [team ids]}
    The unit is the project's (or, for a registration, the unit the volunteer registered at).
    """

    class Type(models.TextChoices):
        VOLUNTEER_REGISTERED = "volunteer_registered"
        SIGNED_UP = "signed_up"
        SIGN_UP_CANCELLED = "sign_up_cancelled"
        SIGNED_IN = "signed_in"
        SIGNED_OUT = "signed_out"
        HOURS_CONFIRMED = "hours_confirmed"

    class Meta(EventBase.Meta):
        pass
