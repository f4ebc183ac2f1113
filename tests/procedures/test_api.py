"""The read-only catalogue API, served under /api/v1/procedures/ (api/public.py)."""

import pytest

pytestmark = [pytest.mark.django_db]


def test_list_searches_like_the_page(client, imported, django_assert_max_num_queries):
    # The count, "does a name match", the page, its fees and agencies: procedures.selectors.procedure_search.
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/procedures/", {"q": "DANG KY KHAI SINH"})
    assert response.status_code == 200
    body = response.json()
    assert body["results"][0]["code"] == "1.001193"
    assert body["results"][0]["time_text"] == "Trong ngày; sau 15:00 trả trong ngày làm việc tiếp theo"
    assert body["results"][0]["field"] == {"code": "HT", "name": "Hộ tịch"}


def test_list_filters(client, imported):
    body = client.get("/api/v1/procedures/", {"level": "department"}).json()
    assert [r["code"] for r in body["results"]] == ["2.000488"]
    assert body["results"][0]["fee_summary"] == "100.000 – 200.000 đồng"


def test_detail(client, imported, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        body = client.get("/api/v1/procedures/2.000488/").json()
    assert body["version"] == 1
    assert [f["amount"] for f in body["fees"]] == [200000, 100000]
    assert body["legal_basis"][0] == {
        "number": "28/2009/QH12",
        "title": "Luật Lý lịch tư pháp",
        "date": "2009-06-17",
    }
    assert body["documents"][0]["form_name"] == "Mẫu số 03/2013/TT-LLTP"


def test_detail_404(client, imported):
    assert client.get("/api/v1/procedures/9.999999/").status_code == 404


def test_schema_documents_the_catalogue_api_without_warnings(admin_client, capsys):
    response = admin_client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/procedures/" in paths
    assert "/api/v1/procedures/{code}/" in paths
    assert "Warning" not in capsys.readouterr().err


def test_list_refuses_a_query_over_200_characters(client, imported):
    response = client.get("/api/v1/procedures/", {"q": "khai sinh " * 21})
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "q"
    assert body["message"] == "Từ khóa tìm kiếm dài quá 200 ký tự: hãy nhập tên hoặc mã thủ tục ngắn hơn."
