"""Digital resources: each unit's monthly usage figures."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError, Refused
from wenyun.network.access import require_staff_for
from wenyun.network.models import Unit

from ..models import DigitalResource, DigitalUsage
from ._common import E, _record


@transaction.atomic
def digital_usage_record(
    *, actor, resource: DigitalResource, unit: Unit, month: dt.date, visits: int, downloads: int = 0, at=None
) -> DigitalUsage:
    """A month's figures for one unit; entering them again replaces the month."""
    require_staff_for(actor, unit)
    if visits < 0 or downloads < 0:
        raise DomainError(_("Usage figures cannot be negative."), code="usage_invalid")
    if not resource.units.filter(pk=unit.pk).exists():
        raise Refused(
            _("%(resource)s is not offered at %(unit)s.") % {"resource": resource.title, "unit": unit.name},
            code="resource_not_offered",
        )
    month = month.replace(day=1)
    usage, _created = DigitalUsage.objects.update_or_create(
        resource=resource, unit=unit, month=month, defaults={"visits": visits, "downloads": downloads}
    )
    _record(
        unit=unit,
        actor=actor,
        type=E.DIGITAL_USAGE,
        at=at,
        details={
            "resource": resource.pk,
            "month": month.isoformat()[:7],
            "visits": visits,
            "downloads": downloads,
        },
    )
    return usage
