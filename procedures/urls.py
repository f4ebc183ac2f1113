from django.urls import path, re_path

from procedures import views
from procedures.api import views as api_views

app_name = "procedures"

# Codes hold dots (1.001193, 2.000488.000.00.00.H56): the same character set the importer accepts.
CODE = r"(?P<code>[0-9A-Za-z.]+)"

urlpatterns = [
    path("", views.procedure_list, name="list"),
    re_path(rf"^{CODE}/$", views.procedure_detail_view, name="detail"),
]

# Read-only JSON API, mounted by portal/urls.py under /api/procedures/ in its own namespace:
#   path("api/procedures/", include((api_urlpatterns, "procedures_api")))
# giving the names procedures_api:list and procedures_api:detail.
api_urlpatterns = [
    path("", api_views.ProcedureListAPI.as_view(), name="list"),
    re_path(rf"^{CODE}/$", api_views.ProcedureDetailAPI.as_view(), name="detail"),
]
