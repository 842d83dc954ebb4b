"""The portal front page's cultural section: the next activities and the latest news of every unit."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from wenyun.programs import selectors

register = template.Library()


@register.inclusion_tag("programs/portal/_front.html")
def culture_front(activities: int = 6, news: int = 5) -> dict:
    today = timezone.localdate()
    upcoming = selectors.calendar_sessions(first_day=today, last_day=today + dt.timedelta(days=14))
    seen: set[int] = set()
    sessions = []
    for session in upcoming.filter(starts_at__gte=timezone.now())[:50]:
        if session.activity_id not in seen:
            seen.add(session.activity_id)
            sessions.append(session)
        if len(sessions) == activities:
            break
    return {"sessions": sessions, "news": selectors.news_latest(limit=news)}
