"""The submission wizard (issue 9, part 2)."""

from django.urls import path

from citizen import views_wizard

urlpatterns = [
    path("thu-tuc/<str:procedure_code>/", views_wizard.start, name="wizard-start"),
    path("<int:pk>/", views_wizard.resume, name="wizard-resume"),
]
