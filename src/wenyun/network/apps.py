from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "wenyun.network"
    verbose_name = _("County network")

    @property
    def nav(self):
        from wenyun.core.nav import NavItem

        return [NavItem(_("Network"), "network:tree", order=10)]
