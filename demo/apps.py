from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for `make run` and the volume benchmark: `manage.py seed_demo`. No models of its own."""

    name = "demo"
    verbose_name = _("Dữ liệu mẫu")
