from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "wenyun.workforce"
    verbose_name = _("Workforce")
    # Links this app adds to the staff navigation: wenyun.core.nav.NavItem entries.
    nav: list = []
