"""News and notices of a unit, with an optional photo."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from wenyun.core.errors import DomainError, Forbidden
from wenyun.network.access import require_staff_for
from wenyun.network.models import Unit

from ..models import News
from ._common import E, _clean_text, _now, _record

PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}
PHOTO_MAX_BYTES = 5 * 1024 * 1024


@transaction.atomic
def news_save(
    *,
    actor,
    unit: Unit,
    title: str,
    body: str,
    is_notice: bool = False,
    photo=None,
    news: News | None = None,
    publish: bool = False,
    at: dt.datetime | None = None,
) -> News:
    require_staff_for(actor, unit)
    title = _clean_text(title, label=_("The title"), max_length=120)
    body = _clean_text(body, label=_("The text"), max_length=20000)
    if photo is not None:
        content_type = getattr(photo, "content_type", "")
        if content_type not in PHOTO_TYPES:
            raise DomainError(_("A photo must be a JPEG, PNG, WebP or GIF image."), code="photo_invalid")
        if photo.size > PHOTO_MAX_BYTES:
            raise DomainError(_("A photo may be at most 5 MB."), code="photo_too_big")
    if news is None:
        news = News(unit=unit, author=actor if getattr(actor, "pk", None) else None)
    elif news.unit_id != unit.pk:
        raise Forbidden(_("This item belongs to another unit."), code="unit_forbidden")
    news.title, news.body, news.is_notice = title, body, is_notice
    if photo is not None:
        news.photo.save(f"photo{PHOTO_TYPES[photo.content_type]}", photo, save=False)
    news.save()
    if publish and news.status != News.Status.PUBLISHED:
        news.status, news.published_at = News.Status.PUBLISHED, _now(at)
        news.save(update_fields=["status", "published_at"])
        _record(unit=unit, actor=actor, type=E.NEWS_PUBLISHED, at=at, details={"news": news.pk})
    return news
