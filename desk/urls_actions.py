from django.urls import re_path

from desk import views_actions

# Dossier codes hold dots and dashes (docs/domain.md §7.1); action keys are those of dossiers/workflow.py.
urlpatterns = [
    re_path(
        r"^dossiers/(?P<code>[0-9A-Za-z.\-]{1,64})/actions/(?P<action>[a-z_]{1,40})/$",
        views_actions.dossier_action,
        name="action",
    ),
]
