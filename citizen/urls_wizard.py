"""The submission wizard (issue 9, part 2): start, resume, its steps, files, submit, done."""

from django.urls import path

from citizen import views_wizard

urlpatterns = [
    path("thu-tuc/<str:procedure_code>/", views_wizard.start, name="wizard-start"),
    path("<int:pk>/", views_wizard.resume, name="wizard-resume"),
    path("<int:pk>/buoc/<slug:step>/", views_wizard.step, name="wizard-step"),
    path("<int:pk>/tai-len/", views_wizard.upload, name="wizard-upload"),
    path("<int:pk>/xoa-tep/", views_wizard.file_remove, name="wizard-file-remove"),
    path("<int:pk>/dung-lai/", views_wizard.reuse, name="wizard-reuse"),
    path("<int:pk>/nop/", views_wizard.submit, name="wizard-submit"),
    path("<int:pk>/da-nop/", views_wizard.done, name="wizard-done"),
]
