from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Data protection (Law 91/2025, docs/privacy.md): the denied-access log, a citizen's "export my data" and
    erasure requests, and the retention rule that keeps dossiers from being erased."""

    name = "privacy"
    verbose_name = _("Bảo vệ dữ liệu cá nhân")
