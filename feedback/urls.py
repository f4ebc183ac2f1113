"""Rating and feedback pages (issue 9, part 8): the citizen's under /danh-gia/ and /phan-anh-kien-nghi/, the
agency's under /phan-anh/xu-ly/."""

from django.urls import path, re_path

from dossiers.urls import CODE
from feedback import views

app_name = "feedback"

# Bounded so an absurd id is a 404, not an integer overflow in the database driver.
FEEDBACK_ID = r"(?P<feedback_id>[0-9]{1,18})"

urlpatterns = [
    re_path(rf"^danh-gia/{CODE}/$", views.rate, name="rate"),
    path("phan-anh-kien-nghi/", views.feedback_new, name="new"),
    path("phan-anh-kien-nghi/cua-toi/", views.feedback_mine, name="mine"),
    re_path(rf"^phan-anh-kien-nghi/cua-toi/{FEEDBACK_ID}/$", views.feedback_detail, name="detail"),
    path("phan-anh/xu-ly/", views.agency_inbox, name="inbox"),
    re_path(rf"^phan-anh/xu-ly/{FEEDBACK_ID}/$", views.agency_answer, name="answer"),
]
