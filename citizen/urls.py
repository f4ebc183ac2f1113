"""The citizen's pages. Each part keeps its routes in its own module, included here."""

from django.urls import include, path, re_path

from citizen import views_pay
from dossiers.urls import CODE

app_name = "citizen"

urlpatterns = [
    path("nop-ho-so/", include("citizen.urls_wizard")),
    path("ho-so-cua-toi/", include("citizen.urls_mine")),
    re_path(rf"^ho-so-cua-toi/{CODE}/thanh-toan/$", views_pay.pay, name="pay"),
]
