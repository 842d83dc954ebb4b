from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNTY_ADMIN = "county_admin", _("County administrator")
    INSTITUTION_STAFF = "institution_staff", _("Institution staff")
    STATION_MANAGER = "station_manager", _("Station manager")
    VILLAGE_MANAGER = "village_manager", _("Village manager")
    READER = "reader", _("Reader")


STAFF_ROLES = frozenset(
    {Role.COUNTY_ADMIN, Role.INSTITUTION_STAFF, Role.STATION_MANAGER, Role.VILLAGE_MANAGER}
)


class User(AbstractUser):
    """A person who logs in. Staff act within the subtree of their unit; readers only for themselves."""

    display_name = models.CharField(_("full name"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.READER)
    unit = models.ForeignKey(
        "network.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    @property
    def is_staff_member(self) -> bool:
        return self.is_superuser or self.role in STAFF_ROLES

    @property
    def is_county_admin(self) -> bool:
        return self.is_superuser or self.role == Role.COUNTY_ADMIN

    def __str__(self) -> str:
        return self.display_name or self.username


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 is kept, the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=60, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return "wy_" + secrets.token_urlsafe(32)


class FailedLogin(models.Model):
    """One failed password attempt, counted to slow down guessing (see core.services.login_throttled)."""

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "at"], name="core_failedlogin_user_at")]


class DemoStep(models.Model):
    """Which parts of the demo county were built, so `wenyun demo` builds each once."""

    name = models.CharField(max_length=40, unique=True)
    built_at = models.DateTimeField(auto_now_add=True)
    details = models.JSONField(default=dict)


class EventBase(models.Model):
    """The shape of every domain's append-only event log.

    The acting account (staff or kiosk) is kept apart from the affected person; details hold what
    the type needs. Rows are only ever inserted: statistics read from these tables.
    """

    type = models.CharField(max_length=40)
    at = models.DateTimeField(db_index=True)
    unit = models.ForeignKey("network.Unit", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["unit", "type", "at"], name="%(app_label)s_%(class)s_uta")]


class Version(models.Model):
    """The version of something every process caches, bumped by each writer of it (see core.versions)."""

    name = models.CharField(max_length=40, primary_key=True)
    n = models.BigIntegerField(default=0)  # how many changes: for people reading the table
    token = models.BigIntegerField(default=0)  # drawn at random with each change: what caches compare

    def __str__(self) -> str:
        return f"{self.name} #{self.n}"


class JobRun(models.Model):
    """One run of a periodic job: when it started and ended, how it ended and what it did.

    A run still going is also its job's lock: one "running" row per job (see core.jobs).
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        ABANDONED = "abandoned", _("abandoned (stopped without finishing)")

    job = models.CharField(_("job"), max_length=60)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    runner = models.CharField(_("run by"), max_length=120, blank=True)  # host and process id

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        constraints = [
            models.UniqueConstraint(
                fields=["job"], condition=models.Q(outcome="running"), name="core_jobrun_one_running"
            )
        ]
        indexes = [models.Index(fields=["job", "started_at"], name="core_jobrun_job_started")]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"
