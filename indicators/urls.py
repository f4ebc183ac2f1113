"""Decision 766 indicators (docs/indicators.md)."""

from django.urls import path

from indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicators, name="home"),
]
