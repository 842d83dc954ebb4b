from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "wenyun.stats"
    verbose_name = _("Statistics")

    @property
    def nav(self):
        from wenyun.core.nav import NavItem

        return [NavItem(_("Statistics"), "stats:dashboard", order=80)]

    def ready(self):
        from wenyun.core.signals import serving

        from .dashboard import warm_on_serving

        serving.connect(warm_on_serving, dispatch_uid="stats-warm-dashboards")
