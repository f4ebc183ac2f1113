from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CitizenConfig(AppConfig):
    """The citizen's pages: the submission wizard with its server-side drafts, "my dossiers", answering a
    supplement request, withdrawing, paying. Dossiers change only through the engine's typed actions (dossiers/)."""

    name = "citizen"
    verbose_name = _("Trang của người dân")
