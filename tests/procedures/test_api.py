"""The read-only JSON API, mounted for these tests only (the lead mounts it in portal/urls.py)."""

import pytest
from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns
from procedures.urls import api_urlpatterns

urlpatterns = [*portal_urlpatterns, path("api/procedures/", include((api_urlpatterns, "procedures_api")))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_list_searches_like_the_page(client, imported, django_assert_max_num_queries):
    # The count, "does a name match", the page, its fees and agencies: procedures.selectors.procedure_search.
    with django_assert_max_num_queries(6):
        response = client.get("/api/procedures/", {"q": "DANG KY KHAI SINH"})
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["code"] == "1.001193"
    assert body["results"][0]["time_text"] == "Trong ngày; sau 15:00 trả trong ngày làm việc tiếp theo"
    assert body["results"][0]["field"] == {"code": "HT", "name": "Hộ tịch"}


def test_list_filters(client, imported):
    body = client.get("/api/procedures/", {"level": "department"}).json()
    assert [r["code"] for r in body["results"]] == ["2.000488"]
    assert body["results"][0]["fee_summary"] == "100.000 – 200.000 đồng"


def test_detail(client, imported, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        body = client.get("/api/procedures/2.000488/").json()
    assert body["version"] == 1
    assert [f["amount"] for f in body["fees"]] == [200000, 100000]
    assert body["legal_basis"][0] == {
        "number": "28/2009/QH12",
        "title": "Luật Lý lịch tư pháp",
        "date": "2009-06-17",
    }
    assert body["documents"][0]["form_name"] == "Mẫu số 03/2013/TT-LLTP"


def test_detail_404(client, imported):
    assert client.get("/api/procedures/9.999999/").status_code == 404


def test_schema_documents_the_catalogue_api_without_warnings(admin_client, capsys):
    response = admin_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/procedures/" in paths
    assert "/api/procedures/{code}/" in paths
    assert "Warning" not in capsys.readouterr().err


def test_list_refuses_a_query_over_200_characters(client, imported):
    response = client.get("/api/procedures/", {"q": "khai sinh " * 21})
    assert response.status_code == 400
    assert response.json() == {"q": ["Từ khóa tìm kiếm dài quá 200 ký tự: hãy nhập tên hoặc mã thủ tục ngắn hơn."]}
