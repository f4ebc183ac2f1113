from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Thủ tục hành chính")

    def ready(self) -> None:
        """Drop the search filters' cached lists whenever what they are made of changes (procedures/selectors.py)."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from agencies.models import Agency
        from procedures.models import Field, Procedure, ProcedureVersion
        from procedures.selectors import catalogue_changed

        for model in (Procedure, ProcedureVersion, Field, Agency):
            post_save.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-changed-save-{model.__name__}")
            post_delete.connect(catalogue_changed, sender=model, dispatch_uid=f"catalogue-changed-del-{model.__name__}")
        m2m_changed.connect(
            catalogue_changed, sender=ProcedureVersion.agencies.through, dispatch_uid="catalogue-changed-agencies"
        )
