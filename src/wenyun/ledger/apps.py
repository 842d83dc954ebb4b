from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "wenyun.ledger"
    verbose_name = _("Ledger")
    # Links this app adds to the staff navigation: wenyun.core.nav.NavItem entries.
    nav: list = []
