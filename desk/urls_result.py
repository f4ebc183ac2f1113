"""The head's screen for issuing a dossier's result (T15)."""

from django.urls import re_path

from desk import views_result

# Dossier codes hold dots and dashes (docs/domain.md §7.1), as in desk/urls_actions.py.
urlpatterns = [
    re_path(r"^dossiers/(?P<code>[0-9A-Za-z.\-]{1,64})/result/$", views_result.result, name="result"),
]
