from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "wenyun.catalog"
    verbose_name = _("Catalog")
    portal_links = [(_("Catalogue"), "portal:opac:search", 10)]

    @property
    def nav(self):
        from wenyun.core.models import Role
        from wenyun.core.nav import NavItem

        return [
            NavItem(_("Catalogue"), "catalog:search", order=20),
            NavItem(_("Item types"), "catalog:item_types", roles=frozenset({Role.COUNTY_ADMIN}), order=21),
        ]
