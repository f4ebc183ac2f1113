"""The citizen's personal-data page (docs/privacy.md). Included at the site root."""

from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("du-lieu-cua-toi/", views.my_data, name="my-data"),
    path("du-lieu-cua-toi/tai-ve/", views.export, name="export"),
    path("du-lieu-cua-toi/yeu-cau-xoa/", views.erasure, name="erasure"),
]
