"""The engine's errors reach people as one status code each — on pages and in the API — never as a 500."""

import pytest
from django.urls import include, path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from dossiers.errors import DossierChanged, DossierForbidden, DossierNotFound, DossierRefused

ERRORS = {
    "refused": DossierRefused(
        "Cần nêu rõ lý do cho thao tác “Từ chối tiếp nhận”.", code="reason_required", field="note"
    ),
    "forbidden": DossierForbidden("Bạn không có quyền thực hiện thao tác “Trả kết quả”."),
    "changed": DossierChanged("Hồ sơ H56 vừa được Desk thay đổi lúc 09:05 03/03/2026.", changed_by="Desk"),
    "missing": DossierNotFound("Không tìm thấy hồ sơ."),
}


def page(request, kind):
    raise ERRORS[kind]


@api_view(["POST"])
@permission_classes([AllowAny])
def api(request, kind):
    raise ERRORS[kind]


# The portal's own URLs too: the error page extends the site's base template.
urlpatterns = [path("page/<str:kind>/", page), path("api/<str:kind>/", api), path("", include("portal.urls"))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.mark.parametrize(
    ("kind", "status", "text"),
    [
        ("refused", 400, "Cần nêu rõ lý do"),
        ("forbidden", 403, "không có quyền"),
        ("changed", 409, "vừa được Desk thay đổi"),
    ],
)
def test_a_page_shows_the_refusal_with_its_status(client, kind, status, text):
    response = client.get(f"/page/{kind}/", HTTP_REFERER="http://testserver/")
    assert response.status_code == status
    body = response.content.decode()
    assert text in body
    assert 'href="http://testserver/"' in body


def test_a_foreign_referer_is_not_offered_as_the_way_back(client):
    response = client.get("/page/refused/", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 400
    assert "evil.example" not in response.content.decode()


def test_a_dossier_not_found_is_the_ordinary_404(client):
    response = client.get("/page/missing/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("kind", "status", "body"),
    [
        (
            "refused",
            400,
            {
                "code": "reason_required",
                "message": "Cần nêu rõ lý do cho thao tác “Từ chối tiếp nhận”.",
                "field": "note",
            },
        ),
        (
            "forbidden",
            403,
            {
                "code": "forbidden",
                "message": "Bạn không có quyền thực hiện thao tác “Trả kết quả”.",
                "field": None,
            },
        ),
        (
            "changed",
            409,
            {
                "code": "changed",
                "message": "Hồ sơ H56 vừa được Desk thay đổi lúc 09:05 03/03/2026.",
                "changed_by": "Desk",
                "field": None,
            },
        ),
        ("missing", 404, {"code": "not_found", "message": "Không tìm thấy hồ sơ.", "field": None}),
    ],
)
def test_the_api_answers_with_the_status_a_stable_code_and_the_message(client, kind, status, body):
    response = client.post(f"/api/{kind}/", content_type="application/json", data={})
    assert response.status_code == status
    assert response.json() == body
