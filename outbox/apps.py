from importlib import import_module

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Hộp thư đi")

    def ready(self) -> None:
        # Every process that may deliver (web in eager mode, worker, beat) registers the same topic handlers.
        for module in settings.OUTBOX_HANDLER_MODULES:
            import_module(module)
