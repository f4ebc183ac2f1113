from django.urls import path, re_path

from desk import views_register

# Dossier codes hold dots and dashes (docs/domain.md §7.1).
urlpatterns = [
    path("desk/register/", views_register.register, name="register"),
    re_path(
        r"^dossiers/(?P<code>[0-9A-Za-z.\-]{1,64})/control-sheet/$",
        views_register.control_sheet,
        name="control-sheet",
    ),
]
