"""Writes for volunteers. Each is atomic, checks who acts, and leaves a VolunteerEvent.

A shift moves signed_up → signed_in → signed_out → confirmed (or signed_up → cancelled), as the
table SHIFT_TRANSITIONS says; only confirmed hours count toward a volunteer's year.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wenyun.core.errors import Conflict, DomainError, Refused
from wenyun.network.access import require_staff_for
from wenyun.network.models import Unit
from wenyun.programs.services import clean_phone

from .models import Availability, Project, Shift, Team, Volunteer, VolunteerEvent

E = VolunteerEvent.Type
MAX_SHIFT_HOURS = Decimal("24")

SHIFT_TRANSITIONS = {
    "cancel": ({Shift.Status.SIGNED_UP}, Shift.Status.CANCELLED),
    "sign_in": ({Shift.Status.SIGNED_UP}, Shift.Status.SIGNED_IN),
    "sign_out": ({Shift.Status.SIGNED_IN}, Shift.Status.SIGNED_OUT),
    "confirm": ({Shift.Status.SIGNED_OUT}, Shift.Status.CONFIRMED),
}


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _record(*, unit_id: int, actor, type: str, details: dict, at: dt.datetime | None = None) -> None:
    VolunteerEvent.objects.create(
        unit_id=unit_id,
        actor=actor if getattr(actor, "pk", None) else None,
        type=type,
        at=_now(at),
        details=details,
    )


def _text(value: str, *, label: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(_("%(field)s is missing.") % {"field": label}, code="field_missing")
    if len(text) > max_length:
        raise DomainError(
            _("%(field)s is too long: at most %(n)s characters.") % {"field": label, "n": max_length},
            code="field_too_long",
        )
    return text


def _move(shift: Shift, action: str) -> str:
    allowed, target = SHIFT_TRANSITIONS[action]
    if shift.status not in allowed:
        raise Refused(
            _("%(name)s's shift is %(status)s: that cannot be done now.")
            % {"name": shift.volunteer.name, "status": shift.get_status_display()},
            code="wrong_status",
        )
    return target


def _details(shift: Shift) -> dict:
    return {"volunteer": shift.volunteer_id, "project": shift.project_id, "shift": shift.pk}


@transaction.atomic
def team_create(*, actor, unit: Unit, name: str, brand: str = "", description: str = "") -> Team:
    require_staff_for(actor, unit)
    name = _text(name, label=_("The team's name"), max_length=80)
    if Team.objects.filter(name=name).exists():
        raise Conflict(_("There is already a team called %(name)s.") % {"name": name}, code="team_name_taken")
    return Team.objects.create(unit=unit, name=name, brand=brand.strip(), description=description.strip())


@transaction.atomic
def volunteer_register(
    *,
    actor,
    unit: Unit,
    name: str,
    phone: str,
    skills: str = "",
    availability: list[str] | None = None,
    teams: list[Team] | None = None,
    reader=None,
    account=None,
    joined_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Volunteer:
    """Register a volunteer, a reader or not; actor None is the volunteer signing himself up."""
    require_staff_for(actor, unit)
    name = _text(name, label=_("The name"), max_length=60)
    phone = clean_phone(phone)
    unknown = set(availability or []) - set(Availability.values)
    if unknown:
        raise DomainError(
            _("%(value)s is not a kind of availability.") % {"value": ", ".join(sorted(unknown))},
            code="availability_invalid",
        )
    if Volunteer.objects.filter(phone=phone).exists():
        raise Conflict(
            _("A volunteer with the phone %(phone)s is already registered.") % {"phone": phone},
            code="volunteer_exists",
        )
    volunteer = Volunteer.objects.create(
        unit=unit,
        name=name,
        phone=phone,
        skills=skills.strip()[:200],
        availability=sorted(set(availability or [])),
        reader=reader,
        account=account if getattr(account, "pk", None) else None,
        joined_on=joined_on or timezone.localdate(),
    )
    if teams:
        volunteer.teams.set(teams)
    _record(
        unit_id=unit.pk, actor=actor, type=E.VOLUNTEER_REGISTERED, at=at, details={"volunteer": volunteer.pk}
    )
    return volunteer


@transaction.atomic
def project_post(
    *,
    actor,
    unit: Unit,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    places: int,
    team: Team | None = None,
    description: str = "",
) -> Project:
    require_staff_for(actor, unit)
    title = _text(title, label=_("The title"), max_length=120)
    if starts_at >= ends_at:
        raise DomainError(_("A project must end after it starts."), code="project_times_invalid")
    if places < 1:
        raise DomainError(_("A project needs at least one volunteer."), code="places_invalid")
    return Project.objects.create(
        unit=unit,
        team=team,
        title=title,
        description=description.strip()[:300],
        starts_at=starts_at,
        ends_at=ends_at,
        places=places,
    )


@transaction.atomic
def shift_sign_up(
    *, volunteer: Volunteer, project: Project, actor=None, at: dt.datetime | None = None
) -> Shift:
    now = _now(at)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not volunteer.active:
        raise Refused(
            _("%(name)s is no longer an active volunteer.") % {"name": volunteer.name}, code="inactive"
        )
    if project.starts_at <= now:
        raise Refused(_("%(title)s has already begun.") % {"title": project.title}, code="project_begun")
    if (
        Shift.objects.filter(project=project, volunteer=volunteer)
        .exclude(status=Shift.Status.CANCELLED)
        .exists()
    ):
        raise Conflict(
            _("%(name)s has already signed up for %(title)s.")
            % {"name": volunteer.name, "title": project.title},
            code="already_signed_up",
        )
    if project.signed_up >= project.places:
        raise Refused(
            _("%(title)s has all the volunteers it needs.") % {"title": project.title}, code="project_full"
        )
    try:
        with transaction.atomic():
            shift = Shift.objects.create(project=project, volunteer=volunteer, signed_up_at=now)
    except IntegrityError:
        raise Conflict(
            _("%(name)s has already signed up for %(title)s.")
            % {"name": volunteer.name, "title": project.title},
            code="already_signed_up",
        ) from None
    Project.objects.filter(pk=project.pk).update(signed_up=F("signed_up") + 1)
    _record(unit_id=project.unit_id, actor=actor, type=E.SIGNED_UP, at=now, details=_details(shift))
    return shift


def _lock_shift(shift: Shift) -> Shift:
    return Shift.objects.select_for_update().select_related("volunteer", "project__unit").get(pk=shift.pk)


@transaction.atomic
def shift_cancel(*, shift: Shift, actor=None, at: dt.datetime | None = None) -> Shift:
    shift = _lock_shift(shift)
    if actor is not None and actor.is_staff_member:
        require_staff_for(actor, shift.project.unit)
    shift.status = _move(shift, "cancel")
    shift.save(update_fields=["status"])
    Project.objects.filter(pk=shift.project_id).update(signed_up=F("signed_up") - 1)
    _record(
        unit_id=shift.project.unit_id, actor=actor, type=E.SIGN_UP_CANCELLED, at=at, details=_details(shift)
    )
    return shift


@transaction.atomic
def shift_sign_in(*, actor, shift: Shift, at: dt.datetime | None = None) -> Shift:
    now = _now(at)
    shift = _lock_shift(shift)
    require_staff_for(actor, shift.project.unit)
    shift.status = _move(shift, "sign_in")
    if timezone.localtime(now).date() != timezone.localtime(shift.project.starts_at).date():
        raise Refused(
            _("%(title)s is on %(day)s: sign in on that day.")
            % {
                "title": shift.project.title,
                "day": timezone.localtime(shift.project.starts_at).date().isoformat(),
            },
            code="wrong_day",
        )
    shift.signed_in_at = now
    shift.save(update_fields=["status", "signed_in_at"])
    _record(unit_id=shift.project.unit_id, actor=actor, type=E.SIGNED_IN, at=now, details=_details(shift))
    return shift


def hours_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    """Hours served, rounded down to the half hour, as volunteer platforms count them."""
    halves = int((end - start).total_seconds() // 1800)
    return Decimal(halves) / 2


@transaction.atomic
def shift_sign_out(*, actor, shift: Shift, at: dt.datetime | None = None) -> Shift:
    now = _now(at)
    shift = _lock_shift(shift)
    require_staff_for(actor, shift.project.unit)
    shift.status = _move(shift, "sign_out")
    shift.signed_out_at = now
    shift.hours = min(hours_between(shift.signed_in_at or now, now), MAX_SHIFT_HOURS)
    shift.save(update_fields=["status", "signed_out_at", "hours"])
    _record(unit_id=shift.project.unit_id, actor=actor, type=E.SIGNED_OUT, at=now, details=_details(shift))
    return shift


@transaction.atomic
def shift_confirm(
    *, actor, shift: Shift, hours: Decimal | str | None = None, at: dt.datetime | None = None
) -> Shift:
    """Staff confirm the hours (as signed, or corrected); only confirmed hours count."""
    now = _now(at)
    shift = _lock_shift(shift)
    require_staff_for(actor, shift.project.unit)
    shift.status = _move(shift, "confirm")
    if hours is not None and str(hours).strip() != "":
        try:
            value = Decimal(str(hours).strip()).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
        except InvalidOperation:
            raise DomainError(
                _("%(value)s is not a number of hours.") % {"value": hours}, code="hours_invalid"
            ) from None
        if not Decimal("0") < value <= MAX_SHIFT_HOURS:
            raise DomainError(_("Hours must be more than 0 and at most 24."), code="hours_invalid")
        shift.hours = value
    shift.confirmed_by, shift.confirmed_at = actor, now
    shift.save(update_fields=["status", "hours", "confirmed_by", "confirmed_at"])
    year = timezone.localtime(shift.project.starts_at).year
    _record(
        unit_id=shift.project.unit_id,
        actor=actor,
        type=E.HOURS_CONFIRMED,
        at=now,
        details={
            **_details(shift),
            "hours": str(shift.hours),
            "year": year,
            "teams": sorted(shift.volunteer.teams.values_list("pk", flat=True)),
        },
    )
    return shift
