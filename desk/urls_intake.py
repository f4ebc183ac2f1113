from django.urls import path

from desk import views_intake

urlpatterns = [
    path("desk/intake/", views_intake.intake, name="intake"),
]
