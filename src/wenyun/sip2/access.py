"""Who may see and change which kiosk accounts: county administrators all of them, staff of a library
or a township station (a hub) those of the units they manage; village managers none."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wenyun.core.errors import Forbidden, NotFound
from wenyun.core.models import Role
from wenyun.network.access import units_visible_to, user_can_manage_unit

from .models import KioskAccount
from .selectors import kiosk_account_get, kiosk_account_list

KIOSK_ROLES = frozenset({Role.COUNTY_ADMIN, Role.INSTITUTION_STAFF, Role.STATION_MANAGER})


def may_manage_kiosks(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_county_admin or (user.is_staff_member and user.role in KIOSK_ROLES))
    )


def require_kiosk_staff(user) -> None:
    if not may_manage_kiosks(user):
        raise Forbidden(
            _(
                "Kiosk accounts are managed by the county and by the libraries and stations where kiosks stand."
            ),
            code="kiosk_forbidden",
        )


def kiosk_accounts_visible_to(user) -> QuerySet[KioskAccount]:
    require_kiosk_staff(user)
    return kiosk_account_list().filter(unit__in=units_visible_to(user))


def access_kiosk_account(user, name: str) -> KioskAccount:
    """The kiosk account with this name if the user may change it; else NotFound, as if it did not exist."""
    require_kiosk_staff(user)
    account = kiosk_account_get(name=name)
    if not user_can_manage_unit(user, account.unit):
        raise NotFound(_("There is no kiosk login named %(name)s.") % {"name": name}, code="kiosk_not_found")
    return account
