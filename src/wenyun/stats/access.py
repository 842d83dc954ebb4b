"""Which unit a statistics page or API call is about, checked against who asks."""

from __future__ import annotations

from wenyun.network.access import access_unit, units_visible_to
from wenyun.network.models import Unit
from wenyun.network.selectors import unit_root


def stats_unit(user, code: str | None) -> Unit:
    """The unit asked for if the user may see it; without a code, the user's own unit (the county for
    an administrator without one). Raises NotFound for a unit outside the user's subtree."""
    if code:
        return access_unit(user, code)
    if user.unit_id is not None:
        return user.unit
    root = unit_root()
    if root is None or not units_visible_to(user).filter(pk=root.pk).exists():
        from django.utils.translation import gettext as _

        from wenyun.core.errors import NotFound

        raise NotFound(_("Your account has no unit: ask the county administrator."), code="unit_not_found")
    return root


def stats_units_for(user):
    return units_visible_to(user).order_by("path")
