from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "wenyun.core"
    label = "core"
    verbose_name = _("Accounts and shared base")

    @property
    def nav(self):
        from .nav import NavItem

        return [
            NavItem(
                _("Staff accounts"),
                "core:accounts",
                roles=frozenset({"county_admin", "institution_staff", "station_manager"}),
                order=90,
            )
        ]
