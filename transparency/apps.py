from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TransparencyConfig(AppConfig):
    """The public transparency page: on-time shares and real processing times per procedure and agency
    (docs/transparency.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "transparency"
    verbose_name = _("Công khai kết quả giải quyết")
