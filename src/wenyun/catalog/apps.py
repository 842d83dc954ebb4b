from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "wenyun.catalog"
    verbose_name = _("Catalog")
    # Links this app adds to the staff navigation: wenyun.core.nav.NavItem entries.
    nav: list = []
