"""The leaders' dashboard (docs/dashboard.md): figures of the reader's scope, drill-down, exports, why late."""

from django.urls import path

from stats import views

app_name = "dashboard"

urlpatterns = [
    path("", views.dashboard, name="home"),
]
