from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcquisitionsConfig(AppConfig):
    name = "wenyun.acquisitions"
    verbose_name = _("Acquisitions")
    portal_links = [(_("Suggest a book"), "portal:suggest:suggest", 55)]

    @property
    def nav(self):
        from wenyun.core.nav import NavItem

        return [NavItem(_("Acquisitions"), "acquisitions:index", order=25)]
