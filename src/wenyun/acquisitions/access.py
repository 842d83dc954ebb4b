"""Who may buy, receive and distribute (统一采购: the county's hub), and who may see what."""

from __future__ import annotations

from django.utils.translation import gettext as _

from wenyun.core.errors import Forbidden
from wenyun.core.models import Role
from wenyun.network.access import user_can_manage_unit
from wenyun.network.models import Unit, UnitKind


def user_can_acquire(user) -> bool:
    """Buying is central: county administrators and the staff of a library (the hub) order, receive,
    invoice and send copies out, for every unit of the county."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_county_admin:
        return True
    unit = getattr(user, "unit", None)
    return user.role == Role.INSTITUTION_STAFF and unit is not None and unit.kind == UnitKind.LIBRARY


def require_acquirer(user) -> None:
    if not user_can_acquire(user):
        raise Forbidden(
            _(
                "Books are bought centrally: only the county library's staff and county administrators may do this."
            ),
            code="acquirer_only",
        )


def user_can_see_unit(user, unit: Unit) -> bool:
    return user_can_acquire(user) or user_can_manage_unit(user, unit)


def require_unit(user, unit: Unit) -> None:
    if not user_can_see_unit(user, unit):
        raise Forbidden(
            _("You may not act for %(unit)s: it is outside your unit.") % {"unit": unit.name},
            code="unit_forbidden",
        )
