from __future__ import annotations

from django.db.models import QuerySet

from .models import STAFF_ROLES, User


def accounts_visible_to(user: User) -> QuerySet[User]:
    """Staff accounts of the units within the user's subtree."""
    from wenyun.network.access import units_visible_to

    return (
        User.objects.select_related("unit")
        .filter(role__in=STAFF_ROLES, unit__in=units_visible_to(user))
        .order_by("unit__code", "username")
    )
