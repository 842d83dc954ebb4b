"""Reads of kiosk accounts."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from wenyun.core.errors import NotFound

from .models import ItemProperties, KioskAccount


def item_properties_of(*, item_id: int) -> str:
    """What kiosks stored about the copy (Item Status Update), or "" when nothing."""
    row = ItemProperties.objects.filter(item_id=item_id).values_list("properties", flat=True).first()
    return row or ""


def kiosk_account_list() -> QuerySet[KioskAccount]:
    return KioskAccount.objects.select_related("unit").order_by("name")


def kiosk_account_get(*, name: str) -> KioskAccount:
    try:
        return KioskAccount.objects.select_related("unit").get(name=name)
    except KioskAccount.DoesNotExist:
        raise NotFound(
            _("There is no kiosk login named %(name)s.") % {"name": name}, code="kiosk_not_found"
        ) from None
