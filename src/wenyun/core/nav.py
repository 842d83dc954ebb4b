"""The staff navigation, gathered from each app's AppConfig.nav so an app adds its own links."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)  # empty: every staff role
    order: int = 100


def nav_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False) or not user.is_staff_member:
        return []
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        items.extend(getattr(config, "nav", []) or [])
    visible = []
    for item in sorted(items, key=lambda i: (i.order, str(i.label))):
        if item.roles and user.role not in item.roles and not user.is_superuser:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "url_name": item.url_name})
    return visible
