from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "wenyun.portal"
    verbose_name = _("Public portal")
    nav: list = []
    # Links on the public portal's menu, added by apps that have public pages: (label, url name, order).
    portal_links: list = []
