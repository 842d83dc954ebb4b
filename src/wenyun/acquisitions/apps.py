from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcquisitionsConfig(AppConfig):
    name = "wenyun.acquisitions"
    verbose_name = _("Acquisitions")

    @property
    def nav(self):
        from wenyun.core.nav import NavItem

        return [NavItem(_("Acquisitions"), "acquisitions:index", order=25)]
