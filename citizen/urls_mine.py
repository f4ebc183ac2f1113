"""My dossiers: list, detail, supplement answer, withdrawal (issue 9, parts 4-6)."""

urlpatterns = []
