"""Reads of readers, loans, holds and transits."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from wenyun.core.errors import NotFound

from .models import Reader


def reader_get(*, card: str) -> Reader:
    try:
        return Reader.objects.select_related("category", "home_unit").get(card=card.strip())
    except Reader.DoesNotExist:
        raise NotFound(
            _("There is no reader with the card %(card)s.") % {"card": card}, code="reader_not_found"
        ) from None


def reader_search(*, q: str, limit: int = 50) -> QuerySet[Reader]:
    """Readers by card number, name or phone, as a desk types them."""
    q = q.strip()
    if not q:
        return Reader.objects.none()
    return (
        Reader.objects.select_related("category", "home_unit")
        .filter(Q(card=q) | Q(phone=q) | Q(name__startswith=q))
        .order_by("name", "card")[:limit]
    )
