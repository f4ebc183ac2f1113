from django.urls import path, re_path
from django.views.generic import RedirectView

from procedures import views

app_name = "procedures"

# Codes hold dots (1.001193, 2.000488.000.00.00.H56): the same character set the importer accepts.
CODE = r"(?P<code>[0-9A-Za-z.]+)"

urlpatterns = [
    path("", views.procedure_list, name="list"),
    re_path(rf"^{CODE}/$", views.procedure_detail_view, name="detail"),
]

# The read-only JSON API is served under /api/v1/procedures/ (api/public.py). Its first address, /api/procedures/,
# answers a permanent redirect there (query string kept): procedures_api:list and procedures_api:detail.
api_redirects = [
    path("", RedirectView.as_view(pattern_name="api:procedure-list", permanent=True, query_string=True), name="list"),
    re_path(
        rf"^{CODE}/$",
        RedirectView.as_view(pattern_name="api:procedure-detail", permanent=True, query_string=True),
        name="detail",
    ),
]
