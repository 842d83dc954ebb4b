from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirculationConfig(AppConfig):
    name = "wenyun.circulation"
    verbose_name = _("Circulation")
    # Links this app adds to the staff navigation: wenyun.core.nav.NavItem entries.
    nav: list = []
