"""Returning a result (T16): /dossiers/<code>/return/ (docs/domain.md §4.1 T16)."""

from django.urls import re_path

from desk import views_return

# Dossier codes hold dots and dashes (docs/domain.md §7.1).
urlpatterns = [
    re_path(r"^dossiers/(?P<code>[0-9A-Za-z.\-]{1,64})/return/$", views_return.result_return, name="return"),
]
