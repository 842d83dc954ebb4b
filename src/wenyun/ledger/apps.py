from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "wenyun.ledger"
    verbose_name = _("Ledger")

    @property
    def nav(self):
        from wenyun.core.nav import NavItem

        return [
            NavItem(_("Ledger"), "ledger:ledger", order=85),
            NavItem(_("Inspections"), "ledger:inspections", order=86),
        ]
