"""Who may see and change which units. Every view and API handler fetches units through here.

Staff act within the subtree of their own unit: a county administrator's unit is the county, a
station manager's is his station (and so its villages), a village manager's is his village.
Creating, moving and re-parenting units is for county administrators only.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wenyun.core.errors import Forbidden, NotFound

from .models import Unit
from .selectors import unit_get


def units_visible_to(user) -> QuerySet[Unit]:
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        return Unit.objects.none()
    if user.is_superuser and user.unit_id is None:
        return Unit.objects.all()
    if user.unit_id is None:
        return Unit.objects.none()
    return Unit.objects.filter(path__startswith=user.unit.path)


def user_can_manage_unit(user, unit: Unit) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        return False
    if user.is_superuser and user.unit_id is None:
        return True
    return user.unit_id is not None and unit.path.startswith(user.unit.path)


def access_unit(user, code: str, *, for_change: bool = False) -> Unit:
    """The unit with this code if the user may see it (and change it, with for_change)."""
    unit = unit_get(code=code)
    if not user_can_manage_unit(user, unit):
        if for_change:
            require_manage(user, unit)
        raise NotFound(_("There is no unit with the code %(code)s.") % {"code": code}, code="unit_not_found")
    return unit


def require_manage(user, unit: Unit) -> None:
    if not user_can_manage_unit(user, unit):
        raise Forbidden(
            _("You may not change %(unit)s: it is outside your unit.") % {"unit": unit.name},
            code="unit_forbidden",
        )


def require_staff_for(actor, unit: Unit) -> None:
    """The actor may act for the unit (actor None is the system itself: the demo builder, an import
    run from the shell)."""
    if actor is not None and not user_can_manage_unit(actor, unit):
        raise Forbidden(
            _("You may not act for %(unit)s: it is outside your unit.") % {"unit": unit.name},
            code="unit_forbidden",
        )


def require_bureau(user) -> None:
    """What the county bureau alone decides (standards, subsidies, rolls): a county administrator, or
    the system itself (actor None: the demo builder, a command run from the shell)."""
    if user is not None:
        require_county_admin(user)


def require_county_admin(user) -> None:
    if not (getattr(user, "is_authenticated", False) and user.is_county_admin):
        raise Forbidden(_("Only a county administrator may do this."), code="county_admin_only")
