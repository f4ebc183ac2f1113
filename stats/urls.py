"""The leaders' dashboard (docs/dashboard.md): figures of the reader's scope, drill-down, exports, why late."""

from django.urls import path

from stats import views, views_late

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("ho-so/", views.drill, name="drill"),
    path("xuat/", views.export, name="export"),
    path("tre-han/", views_late.why_late, name="late"),
]
