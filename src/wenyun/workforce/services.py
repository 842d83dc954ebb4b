"""Writes to the workforce: the register, standards and rules, the monthly rolls, training.

Each is atomic and leaves one WorkforceEvent behind; no event holds an identity or bank number.
`actor=None` is the system itself (the demo builder, a command run from the shell).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wenyun.core.errors import Conflict, DomainError, Forbidden, Refused
from wenyun.network.access import require_bureau, require_staff_for
from wenyun.network.models import Unit, UnitKind
from wenyun.network.selectors import unit_root

from . import rules, selectors
from .access import require_person_manager, staff_visible_to
from .models import (
    Appointment,
    Attendance,
    EmploymentType,
    Post,
    Qualification,
    RollLine,
    StaffingRule,
    StaffMember,
    SubsidyRoll,
    SubsidyStandard,
    TrainingSession,
    WorkforceEvent,
)

MAX_MONTHLY = Decimal("100000")


def _record(*, unit: Unit | None, actor, type: str, details: dict | None = None) -> None:
    where = unit or unit_root()
    if where is None:
        return  # no county yet: nothing to hang the event on
    WorkforceEvent.objects.create(
        unit=where,
        actor=actor if getattr(actor, "pk", None) else None,
        type=type,
        at=timezone.now(),
        details=details or {},
    )


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _id_number_hash(number: str) -> str:
    return salted_hmac("wenyun.workforce.id_number", number).hexdigest()


def _text(value, *, field: str, required: bool = False, max_length: int = 200) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise DomainError(_("%(field)s is required.") % {"field": field}, code="field_required")
    if len(text) > max_length:
        raise DomainError(
            _("%(field)s is longer than %(max)s characters.") % {"field": field, "max": max_length},
            code="field_too_long",
        )
    return text


def _amount(value, *, field: str, allow_negative: bool = False) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", "")).quantize(rules.CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise DomainError(
            _("%(field)s must be an amount in yuan, not %(value)s.") % {"field": field, "value": value},
            code="amount_invalid",
        ) from None
    if not amount.is_finite() or abs(amount) >= MAX_MONTHLY:
        raise DomainError(
            _("%(field)s must be less than %(max)s yuan.") % {"field": field, "max": MAX_MONTHLY},
            code="amount_invalid",
        )
    if amount < 0 and not allow_negative:
        raise DomainError(_("%(field)s cannot be negative.") % {"field": field}, code="amount_invalid")
    return amount


def _choice(value: str, choices, *, field: str) -> str:
    if value not in choices.values:
        raise DomainError(
            _("%(value)s is not a valid %(field)s.") % {"value": value, "field": field}, code="choice_invalid"
        )
    return value


# --- the register --------------------------------------------------------------------------------


def _person_fields(
    *,
    name=None,
    gender=None,
    birth_year=None,
    phone=None,
    id_number=None,
    bank_name=None,
    bank_account=None,
    education=None,
) -> dict:
    fields: dict = {}
    if name is not None:
        fields["name"] = _text(name, field=pgettext("workforce", "Name"), required=True, max_length=60)
    if gender is not None:
        if gender not in ("", "M", "F"):
            raise DomainError(_("Gender must be M, F or left empty."), code="choice_invalid")
        fields["gender"] = gender
    if birth_year is not None:
        if birth_year == "":
            fields["birth_year"] = None
        else:
            try:
                year = int(birth_year)
            except (TypeError, ValueError):
                year = 0
            if not 1900 <= year <= timezone.localdate().year:
                raise DomainError(
                    _("%(value)s is not a year of birth.") % {"value": birth_year}, code="birth_year_invalid"
                )
            fields["birth_year"] = year
    if phone is not None:
        fields["phone"] = _text(phone, field=_("Mobile phone"), max_length=20)
    if id_number is not None:
        if id_number.strip():
            number = rules.id_number_clean(id_number)
            fields["id_number_hash"] = _id_number_hash(number)
            fields["id_number_last4"] = number[-4:]
        else:
            fields["id_number_hash"] = fields["id_number_last4"] = ""
    if bank_name is not None:
        fields["bank_name"] = _text(bank_name, field=_("Bank"), max_length=60)
    if bank_account is not None:
        fields["bank_account"] = rules.bank_account_clean(bank_account)
    if education is not None:
        fields["education"] = _text(education, field=_("Education"), max_length=40)
    return fields


def _check_id_unique(fields: dict, *, exclude: int | None = None) -> None:
    digest = fields.get("id_number_hash")
    others = StaffMember.objects.filter(id_number_hash=digest)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    if digest and others.exists():
        raise Conflict(
            _("A person with this identity number is already in the register."), code="staff_id_taken"
        )


@transaction.atomic
def staff_add(
    *,
    actor,
    name: str,
    unit: Unit,
    post: str,
    employment: str,
    start_date: dt.date,
    gender: str = "",
    birth_year: int | str | None = None,
    phone: str = "",
    id_number: str = "",
    bank_name: str = "",
    bank_account: str = "",
    education: str = "",
    account=None,
    note: str = "",
) -> StaffMember:
    """A new person in the register together with their first post."""
    require_staff_for(actor, unit)
    fields = _person_fields(
        name=name,
        gender=gender,
        birth_year=birth_year if birth_year is not None else "",
        phone=phone,
        id_number=id_number,
        bank_name=bank_name,
        bank_account=bank_account,
        education=education,
    )
    _check_id_unique(fields)
    if account is not None and StaffMember.objects.filter(account=account).exists():
        raise Conflict(
            _("The login %(username)s already belongs to a person in the register.")
            % {"username": account.username},
            code="staff_account_taken",
        )
    person = StaffMember.objects.create(account=account, **fields)
    _record(unit=unit, actor=actor, type=WorkforceEvent.Type.STAFF_ADDED, details={"person": person.pk})
    appointment_start(
        actor=actor,
        person=person,
        unit=unit,
        post=post,
        employment=employment,
        start_date=start_date,
        note=note,
    )
    return person


@transaction.atomic
def staff_update(*, actor, person: StaffMember, **changes) -> StaffMember:
    """Change a person's own facts (not their posts). Identity and bank numbers are never logged."""
    require_person_manager(actor, person)
    try:
        fields = _person_fields(**changes)
    except TypeError:
        raise DomainError(_("Only a person's own facts can be changed here."), code="field_invalid") from None
    _check_id_unique(fields, exclude=person.pk)
    person = StaffMember.objects.select_for_update().get(pk=person.pk)
    changed = [name for name, value in fields.items() if getattr(person, name) != value]
    if not changed:
        return person
    for name in changed:
        setattr(person, name, fields[name])
    person.save(update_fields=changed)
    first = person.appointments.select_related("unit").order_by("-start_date").first()
    logged = sorted({"id_number" if n.startswith("id_number") else n for n in changed})
    _record(
        unit=first.unit if first else None,
        actor=actor,
        type=WorkforceEvent.Type.STAFF_UPDATED,
        details={"person": person.pk, "fields": logged},
    )
    return person


@transaction.atomic
def appointment_start(
    *,
    actor,
    person: StaffMember,
    unit: Unit,
    post: str,
    employment: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    note: str = "",
) -> Appointment:
    require_staff_for(actor, unit)
    _choice(post, Post, field=_("post"))
    _choice(employment, EmploymentType, field=_("employment type"))
    if not isinstance(start_date, dt.date):
        raise DomainError(_("A post needs a start date."), code="date_required")
    if end_date is not None and end_date < start_date:
        raise DomainError(_("A post cannot end before it starts."), code="appointment_dates_invalid")
    StaffMember.objects.select_for_update().filter(pk=person.pk).first()
    overlapping = Appointment.objects.filter(
        person=person, unit=unit, post=post, start_date__lte=end_date or dt.date.max
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
    if overlapping.exists():
        raise Conflict(
            _("%(name)s already holds the post of %(post)s at %(unit)s in that time.")
            % {"name": person.name, "post": Post(post).label, "unit": unit.name},
            code="appointment_overlaps",
        )
    appointment = Appointment.objects.create(
        person=person,
        unit=unit,
        post=post,
        employment=employment,
        start_date=start_date,
        end_date=end_date,
        note=_text(note, field=_("Note")),
    )
    _record(
        unit=unit,
        actor=actor,
        type=WorkforceEvent.Type.APPOINTMENT_STARTED,
        details={
            "person": person.pk,
            "appointment": appointment.pk,
            "post": post,
            "employment": employment,
            "start": start_date.isoformat(),
        },
    )
    return appointment


@transaction.atomic
def appointment_end(*, actor, appointment: Appointment, end_date: dt.date) -> Appointment:
    """A person leaves a post: the last day they held it."""
    require_staff_for(actor, appointment.unit)
    appointment = (
        Appointment.objects.select_for_update().select_related("person", "unit").get(pk=appointment.pk)
    )
    if appointment.end_date is not None:
        raise Refused(
            _("This post already ended on %(day)s.") % {"day": appointment.end_date.isoformat()},
            code="appointment_ended",
        )
    if not isinstance(end_date, dt.date) or end_date < appointment.start_date:
        raise DomainError(
            _("A post cannot end before it starts (%(day)s).") % {"day": appointment.start_date.isoformat()},
            code="appointment_dates_invalid",
        )
    appointment.end_date = end_date
    appointment.save(update_fields=["end_date"])
    _record(
        unit=appointment.unit,
        actor=actor,
        type=WorkforceEvent.Type.APPOINTMENT_ENDED,
        details={"person": appointment.person_id, "appointment": appointment.pk, "end": end_date.isoformat()},
    )
    return appointment


@transaction.atomic
def qualification_add(
    *, actor, person: StaffMember, kind: str, name: str, awarded_on: dt.date | None = None
) -> Qualification:
    require_person_manager(actor, person)
    _choice(kind, Qualification.Kind, field=_("kind"))
    qualification = Qualification.objects.create(
        person=person,
        kind=kind,
        name=_text(name, field=pgettext("workforce", "Name"), required=True, max_length=80),
        awarded_on=awarded_on,
    )
    _record(
        unit=None,
        actor=actor,
        type=WorkforceEvent.Type.QUALIFICATION_ADDED,
        details={"person": person.pk, "kind": kind, "name": qualification.name},
    )
    return qualification


# --- standards and rules -------------------------------------------------------------------------


def _last_approved_month() -> dt.date | None:
    roll = SubsidyRoll.objects.filter(status=SubsidyRoll.Status.APPROVED).order_by("-month").first()
    return roll.month if roll else None


@transaction.atomic
def standard_add(
    *, actor, post: str, unit_kind: str, monthly_amount, effective_from: dt.date, basis: str = ""
) -> SubsidyStandard:
    """A new standard from a day on. Months already approved keep what they paid: a standard may not
    start inside or before them."""
    require_bureau(actor)
    _choice(post, Post, field=_("post"))
    _choice(unit_kind, UnitKind, field=_("unit kind"))
    amount = _amount(monthly_amount, field=_("Yuan a month"))
    if not isinstance(effective_from, dt.date):
        raise DomainError(_("A standard needs the day it applies from."), code="date_required")
    approved = _last_approved_month()
    if approved is not None and effective_from <= rules.month_last_day(approved):
        raise Refused(
            _("The roll for %(month)s is approved, so a new standard can apply from %(day)s at the earliest.")
            % {"month": approved.strftime("%Y-%m"), "day": rules.next_month(approved).isoformat()},
            code="standard_in_approved_month",
        )
    if SubsidyStandard.objects.filter(post=post, unit_kind=unit_kind, effective_from=effective_from).exists():
        raise Conflict(
            _("There is already a standard for %(post)s at a %(kind)s from %(day)s.")
            % {
                "post": Post(post).label,
                "kind": UnitKind(unit_kind).label,
                "day": effective_from.isoformat(),
            },
            code="standard_exists",
        )
    standard = SubsidyStandard.objects.create(
        post=post,
        unit_kind=unit_kind,
        monthly_amount=amount,
        effective_from=effective_from,
        basis=_text(basis, field=_("Basis")),
        created_by=_actor(actor),
    )
    _record(
        unit=None,
        actor=actor,
        type=WorkforceEvent.Type.STANDARD_ADDED,
        details={
            "post": post,
            "unit_kind": unit_kind,
            "amount": str(amount),
            "from": effective_from.isoformat(),
        },
    )
    return standard


@transaction.atomic
def staffing_rule_set(*, actor, unit_kind: str, post: str, required: int) -> StaffingRule:
    require_bureau(actor)
    _choice(unit_kind, UnitKind, field=_("unit kind"))
    _choice(post, Post, field=_("post"))
    if not isinstance(required, int) or not 0 <= required <= 50:
        raise DomainError(_("The number required must be from 0 to 50."), code="rule_invalid")
    rule, _created = StaffingRule.objects.update_or_create(
        unit_kind=unit_kind, post=post, defaults={"required": required}
    )
    _record(
        unit=None,
        actor=actor,
        type=WorkforceEvent.Type.RULE_SET,
        details={"unit_kind": unit_kind, "post": post, "required": required},
    )
    return rule


# --- the monthly roll ----------------------------------------------------------------------------


def _frozen(roll: SubsidyRoll) -> Refused:
    return Refused(
        _(
            "The roll for %(month)s was approved on %(day)s and is frozen; enter a correction as an adjustment on an open roll."
        )
        % {"month": roll.label, "day": date_format(timezone.localtime(roll.approved_at), "Y-m-d")},
        code="roll_frozen",
    )


def _write_regular_lines(*, roll: SubsidyRoll, actor) -> None:
    RollLine.objects.bulk_create(
        RollLine(
            roll=roll,
            kind=RollLine.Kind.REGULAR,
            appointment=due.appointment,
            person=due.appointment.person,
            unit=due.appointment.unit,
            person_name=due.appointment.person.name,
            post=due.appointment.post,
            standard=due.standard,
            days=due.days,
            days_in_month=due.days_in_month,
            amount=due.amount,
            created_by=_actor(actor),
        )
        for due in selectors.roll_compute(month=roll.month)
    )


def _refresh_total(roll: SubsidyRoll) -> None:
    roll.total = (roll.lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)).quantize(rules.CENT)
    roll.save(update_fields=["total", "computed_at"])


@transaction.atomic
def roll_open(*, actor, month: dt.date) -> SubsidyRoll:
    """Open a month's roll: compute who is due how much from the register and the standards."""
    require_bureau(actor)
    month = month.replace(day=1)
    today = timezone.localdate()
    if month > today:
        raise Refused(
            _("%(month)s has not begun; its roll can be opened from %(day)s.")
            % {"month": month.strftime("%Y-%m"), "day": month.isoformat()},
            code="roll_month_future",
        )
    if SubsidyRoll.objects.filter(month=month).exists():
        raise Conflict(
            _("The roll for %(month)s is already open.") % {"month": month.strftime("%Y-%m")},
            code="roll_exists",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            roll = SubsidyRoll.objects.create(
                month=month, opened_at=now, opened_by=_actor(actor), computed_at=now
            )
    except IntegrityError:
        raise Conflict(
            _("The roll for %(month)s is already open.") % {"month": month.strftime("%Y-%m")},
            code="roll_exists",
        ) from None
    _write_regular_lines(roll=roll, actor=actor)
    _refresh_total(roll)
    _record(
        unit=None,
        actor=actor,
        type=WorkforceEvent.Type.ROLL_OPENED,
        details={"month": roll.label, "total": str(roll.total), "lines": roll.lines.count()},
    )
    return roll


def _locked(roll: SubsidyRoll) -> SubsidyRoll:
    return SubsidyRoll.objects.select_for_update().get(pk=roll.pk)


@transaction.atomic
def roll_recompute(*, actor, roll: SubsidyRoll) -> SubsidyRoll:
    """Compute a draft roll again after the register changed; adjustment lines stay."""
    require_bureau(actor)
    roll = _locked(roll)
    if roll.is_frozen:
        raise _frozen(roll)
    before = roll.total
    roll.lines.filter(kind=RollLine.Kind.REGULAR).delete()
    _write_regular_lines(roll=roll, actor=actor)
    roll.computed_at = timezone.now()
    _refresh_total(roll)
    _record(
        unit=None,
        actor=actor,
        type=WorkforceEvent.Type.ROLL_RECOMPUTED,
        details={"month": roll.label, "before": str(before), "total": str(roll.total)},
    )
    return roll


@transaction.atomic
def roll_approve(*, actor, roll: SubsidyRoll, expected_total: Decimal | None = None) -> SubsidyRoll:
    """The bureau approves the roll it reviewed; from now on it is frozen."""
    if actor is not None and not (getattr(actor, "is_authenticated", False) and actor.is_county_admin):
        raise Forbidden(
            _("Only the county bureau may approve a subsidy roll."), code="roll_approve_forbidden"
        )
    roll = _locked(roll)
    if roll.is_frozen:
        raise Refused(
            _("The roll for %(month)s was already approved on %(day)s.")
            % {"month": roll.label, "day": date_format(timezone.localtime(roll.approved_at), "Y-m-d")},
            code="roll_already_approved",
        )
    if not roll.lines.exists():
        raise Refused(
            _("The roll for %(month)s has no lines to approve.") % {"month": roll.label}, code="roll_empty"
        )
    if expected_total is not None and Decimal(expected_total).quantize(rules.CENT) != roll.total:
        raise Conflict(
            _("The roll for %(month)s changed while you reviewed it (now %(total)s yuan); review it again.")
            % {"month": roll.label, "total": roll.total},
            code="roll_changed",
        )
    roll.status = SubsidyRoll.Status.APPROVED
    roll.approved_at = timezone.now()
    roll.approved_by = _actor(actor)
    roll.save(update_fields=["status", "approved_at", "approved_by"])
    _record(
        unit=None,
        actor=actor,
        type=WorkforceEvent.Type.ROLL_APPROVED,
        details={"month": roll.label, "total": str(roll.total), "lines": roll.lines.count()},
    )
    return roll


@transaction.atomic
def roll_adjust(
    *, actor, roll: SubsidyRoll, appointment: Appointment, amount, corrects_month: dt.date, reason: str
) -> RollLine:
    """A correction as its own line on an open roll: back pay (positive) or a clawback (negative) for
    a person's post, for this month or one before it."""
    require_bureau(actor)
    roll = _locked(roll)
    if roll.is_frozen:
        raise _frozen(roll)
    value = _amount(amount, field=_("Adjustment"), allow_negative=True)
    if value == 0:
        raise DomainError(_("An adjustment of 0 yuan changes nothing."), code="amount_invalid")
    reason = _text(reason, field=_("Reason"), required=True)
    corrects_month = corrects_month.replace(day=1)
    if corrects_month > roll.month:
        raise DomainError(
            _("An adjustment on the roll for %(month)s can only correct that month or one before it.")
            % {"month": roll.label},
            code="adjustment_month_invalid",
        )
    span = rules.span_in_month(start=appointment.start_date, end=appointment.end_date, month=corrects_month)
    if span is None:
        raise DomainError(
            _("%(name)s did not hold this post in %(month)s.")
            % {"name": appointment.person.name, "month": corrects_month.strftime("%Y-%m")},
            code="adjustment_month_invalid",
        )
    line = RollLine.objects.create(
        roll=roll,
        kind=RollLine.Kind.ADJUSTMENT,
        appointment=appointment,
        person=appointment.person,
        unit=appointment.unit,
        person_name=appointment.person.name,
        post=appointment.post,
        amount=value,
        corrects_month=corrects_month,
        reason=reason,
        created_by=_actor(actor),
    )
    _refresh_total(roll)
    _record(
        unit=appointment.unit,
        actor=actor,
        type=WorkforceEvent.Type.ADJUSTMENT_ADDED,
        details={
            "month": roll.label,
            "person": appointment.person_id,
            "amount": str(value),
            "corrects": corrects_month.strftime("%Y-%m"),
            "reason": reason,
        },
    )
    return line


# --- training ------------------------------------------------------------------------------------


@transaction.atomic
def training_record(
    *, actor, unit: Unit, topic: str, date: dt.date, trainer: str, hours, place: str = ""
) -> TrainingSession:
    require_staff_for(actor, unit)
    value = _amount(hours, field=_("Hours"))
    if not 0 < value <= 200:
        raise DomainError(
            _("A training session lasts more than 0 and at most 200 hours."), code="hours_invalid"
        )
    if not isinstance(date, dt.date):
        raise DomainError(_("A training session needs a date."), code="date_required")
    session = TrainingSession.objects.create(
        unit=unit,
        topic=_text(topic, field=_("Topic"), required=True, max_length=120),
        date=date,
        trainer=_text(trainer, field=_("Trainer"), required=True, max_length=80),
        hours=value.quantize(Decimal("0.1")),
        place=_text(place, field=_("Place"), max_length=120),
    )
    _record(
        unit=unit,
        actor=actor,
        type=WorkforceEvent.Type.TRAINING_RECORDED,
        details={"session": session.pk, "topic": session.topic, "hours": str(session.hours)},
    )
    return session


@transaction.atomic
def attendance_record(*, actor, session: TrainingSession, person: StaffMember, hours=None) -> Attendance:
    """A person attended; for the session's hours unless fewer are given."""
    require_staff_for(actor, session.unit)
    if actor is not None and not staff_visible_to(actor).filter(pk=person.pk).exists():
        raise Forbidden(
            _("%(name)s is not among your staff.") % {"name": person.name}, code="staff_forbidden"
        )
    value = session.hours if hours in (None, "") else _amount(hours, field=_("Hours"))
    if not 0 < value <= session.hours:
        raise DomainError(
            _("Hours attended must be more than 0 and at most the session's %(hours)s hours.")
            % {"hours": session.hours},
            code="hours_invalid",
        )
    if Attendance.objects.filter(session=session, person=person).exists():
        raise Conflict(
            _("%(name)s is already recorded at this session.") % {"name": person.name},
            code="attendance_exists",
        )
    attendance = Attendance.objects.create(
        session=session, person=person, hours=Decimal(value).quantize(Decimal("0.1"))
    )
    _record(
        unit=session.unit,
        actor=actor,
        type=WorkforceEvent.Type.ATTENDANCE_RECORDED,
        details={"session": session.pk, "person": person.pk, "hours": str(attendance.hours)},
    )
    return attendance
