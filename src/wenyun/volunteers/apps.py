from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "wenyun.volunteers"
    verbose_name = _("Volunteers")
    portal_links = [(_("Volunteering"), "portal:volunteer:projects", 60)]

    @property
    def nav(self):
        from wenyun.core.nav import NavItem

        return [NavItem(_("Volunteers"), "volunteers:index", order=45)]
