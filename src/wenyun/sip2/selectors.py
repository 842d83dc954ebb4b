"""Reads of kiosk accounts."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wenyun.core.errors import NotFound

from .models import KioskAccount


def kiosk_account_list() -> QuerySet[KioskAccount]:
    return KioskAccount.objects.select_related("unit").order_by("name")


def kiosk_account_get(*, name: str) -> KioskAccount:
    try:
        return KioskAccount.objects.select_related("unit").get(name=name)
    except KioskAccount.DoesNotExist:
        raise NotFound(
            _("There is no kiosk login named %(name)s.") % {"name": name}, code="kiosk_not_found"
        ) from None
