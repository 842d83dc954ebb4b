from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Sip2Config(AppConfig):
    name = "wenyun.sip2"
    verbose_name = _("Sip2")
    # Links this app adds to the staff navigation: wenyun.core.nav.NavItem entries.
    nav: list = []
