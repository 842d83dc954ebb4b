from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CirculationConfig(AppConfig):
    name = "wenyun.circulation"
    verbose_name = _("Circulation")
    portal_links = [(_("My account"), "portal:account:home", 50)]

    @property
    def nav(self):
        from wenyun.core.nav import NavItem

        return [
            NavItem(_("Circulation desk"), "circulation:desk", order=20),
            NavItem(pgettext_lazy("circulation", "Check in"), "circulation:checkin", order=21),
            NavItem(_("Holds and transits"), "circulation:lists", order=22),
            NavItem(_("Van runs"), "circulation:van", order=23),
            NavItem(_("Circulation rules"), "circulation:matrix", order=24),
            NavItem(
                _("Reader access log"), "circulation:access_log", roles=frozenset({"county_admin"}), order=25
            ),
        ]
