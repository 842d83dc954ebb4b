"""The public portal's menu: each app may add its public pages through `portal_links` on its AppConfig."""

from __future__ import annotations

from django.apps import apps
from django.urls import NoReverseMatch, reverse


def portal_links() -> list[dict]:
    links = []
    for config in apps.get_app_configs():
        for label, url_name, order in getattr(config, "portal_links", []) or []:
            try:
                links.append((order, {"label": label, "url": reverse(url_name), "url_name": url_name}))
            except NoReverseMatch:
                continue
    return [link for _order, link in sorted(links, key=lambda pair: pair[0])]
