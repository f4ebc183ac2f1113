"""My dossiers: list, detail, supplement answer, withdrawal (issue 9, parts 4-7). Included at /ho-so-cua-toi/."""

from django.urls import path, re_path

from citizen import views_mine
from dossiers.urls import CODE

urlpatterns = [
    path("", views_mine.my_dossiers, name="my-dossiers"),
    re_path(rf"^{CODE}/$", views_mine.dossier, name="dossier"),
    re_path(rf"^{CODE}/bo-sung/$", views_mine.supplement, name="supplement"),
    re_path(rf"^{CODE}/rut-ho-so/$", views_mine.withdraw, name="withdraw"),
]
