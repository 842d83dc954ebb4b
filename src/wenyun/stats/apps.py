from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "wenyun.stats"
    verbose_name = _("Stats")
    # Links this app adds to the staff navigation: wenyun.core.nav.NavItem entries.
    nav: list = []
