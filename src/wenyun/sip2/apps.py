from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Sip2Config(AppConfig):
    name = "wenyun.sip2"
    verbose_name = _("Sip2")

    @property
    def nav(self):
        from wenyun.core.nav import NavItem

        from .access import KIOSK_ROLES

        return [NavItem(_("Kiosk accounts"), "sip2:accounts", roles=frozenset(KIOSK_ROLES), order=88)]
