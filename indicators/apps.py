from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """Decision 766/QĐ-TTg indicators per agency and for the province, from versioned formula data
    (docs/indicators.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = _("Chỉ số Quyết định 766")
