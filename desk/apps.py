from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The staff's working screens: the one-stop desk's queue, the officers' inbox and the actions on a dossier.

    A room of its own: it reads through `dossiers.selectors` / `dossiers.permissions` and changes dossiers only through
    the engine's typed actions (`dossiers.services`).
    """

    name = "desk"
    verbose_name = _("Bộ phận Một cửa và xử lý hồ sơ")
