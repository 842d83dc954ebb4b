from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "wenyun.volunteers"
    verbose_name = _("Volunteers")
    # Links this app adds to the staff navigation: wenyun.core.nav.NavItem entries.
    nav: list = []
