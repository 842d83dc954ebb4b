from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "wenyun.workforce"
    verbose_name = _("Workforce")

    @property
    def nav(self):
        from wenyun.core.nav import NavItem

        return [
            NavItem(_("Staff"), "workforce:staff", order=60),
            NavItem(_("Subsidies"), "workforce:rolls", order=61),
        ]
