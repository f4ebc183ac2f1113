from django.urls import re_path

from desk import views_review

# Dossier codes hold dots and dashes (docs/domain.md §7.1).
urlpatterns = [
    re_path(r"^desk/review/(?P<code>[0-9A-Za-z.\-]{1,64})/$", views_review.review, name="review"),
]
