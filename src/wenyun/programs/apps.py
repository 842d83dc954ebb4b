from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "wenyun.programs"
    verbose_name = _("Programs")
    portal_links = [
        (_("Activities"), "portal:culture:calendar", 20),
        (_("Museum visits"), "portal:culture:visits", 30),
        (_("Book a room"), "portal:culture:venues", 40),
        (_("News"), "portal:culture:news", 50),
    ]

    @property
    def nav(self):
        from wenyun.core.nav import NavItem

        return [
            NavItem(_("Activities"), "programs:index", order=40),
            NavItem(_("Bookings"), "programs:bookings", order=41),
            NavItem(_("Service menu"), "programs:menu", order=42),
        ]
