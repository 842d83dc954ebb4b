"""What every write of cultural services shares: the event log, who may act, row locks, the lifecycle
check and the cleaning of names and phone numbers."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError, Refused
from wenyun.network.models import Unit

from ..models import ProgramEvent

E = ProgramEvent.Type
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _record(*, unit: Unit, actor, type: str, details: dict, at: dt.datetime | None = None) -> None:
    ProgramEvent.objects.create(
        unit=unit,
        actor=actor if getattr(actor, "pk", None) else None,
        type=type,
        at=_now(at),
        details=details,
    )


def _lock(model, pk: int):
    return model.objects.select_for_update().get(pk=pk)


def _local(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "Y-m-d H:i")


def clean_phone(phone: str) -> str:
    digits = re.sub(r"[\s-]", "", phone or "")
    if not MOBILE.match(digits):
        raise DomainError(
            _("%(phone)s is not a mobile phone number: give the 11 digits starting with 1.")
            % {"phone": phone},
            code="phone_invalid",
        )
    return digits


def _clean_text(value: str, *, label: str, max_length: int) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(_("%(field)s is missing.") % {"field": label}, code="field_missing")
    if len(text) > max_length:
        raise DomainError(
            _("%(field)s is too long: at most %(n)s characters.") % {"field": label, "n": max_length},
            code="field_too_long",
        )
    return text


def _transition(table: dict, *, action: str, obj, what: str) -> str:
    """The state `action` moves obj to, or a refusal naming the state it is in."""
    allowed_from, target = table[action]
    if obj.status not in allowed_from:
        raise Refused(
            _("%(what)s is %(status)s: that cannot be done now.")
            % {"what": what, "status": obj.get_status_display()},
            code="wrong_status",
        )
    return target
