from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    """Statistics rolled up per day into summary tables, read by the leaders' dashboard (docs/statistics.md)."""

    name = "stats"
    verbose_name = _("Thống kê")
