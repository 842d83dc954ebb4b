from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "wenyun.programs"
    verbose_name = _("Programs")
    # Links this app adds to the staff navigation: wenyun.core.nav.NavItem entries.
    nav: list = []
