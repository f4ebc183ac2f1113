from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Người dùng và vai trò")

    def ready(self) -> None:
        from accounts.roles import sync_role_groups

        # Permissions exist only after post_migrate; the role groups are (re)built from roles.py then.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
