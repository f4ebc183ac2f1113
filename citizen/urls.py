"""The citizen's pages. Each part keeps its routes in its own module, included here."""

from django.urls import include, path

app_name = "citizen"

urlpatterns = [
    path("nop-ho-so/", include("citizen.urls_wizard")),
    path("ho-so-cua-toi/", include("citizen.urls_mine")),
]
