"""What a visitor sees when the portal breaks: a 503 maintenance page with the database down, a 500 page whose
reference id is in the log beside the traceback."""

import logging
import re

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpResponse
from django.urls import path

from portal.urls import handler500
from portal.urls import urlpatterns as portal_urlpatterns


def boom(request):
    raise RuntimeError("planted failure: SELECT secret FROM settings")


def boom_api(request):
    raise RuntimeError("planted API failure")


def fine(request):
    return HttpResponse("ok")


# A test-only URLconf: the portal's own URLs and handler, plus views that fail on purpose.
urlpatterns = [
    *portal_urlpatterns,
    path("test-boom/", boom),
    path("api/test-boom/", boom_api),
    path("test-fine/", fine),
]
__all__ = ["handler500"]

REFERENCE = re.compile(r'<strong class="error-reference">([0-9A-F]{12})</strong>')


@pytest.fixture
def database_down(monkeypatch):
    """Every new cursor fails as it does when PostgreSQL does not answer."""

    def refuse(self):
        raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


# --- 503 ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/procedures/", "/procedures/1.001193/", "/tra-cuu/?ma=H56-1"])
def test_pages_answer_503_with_the_maintenance_page_when_the_database_is_down(client, database_down, path):
    response = client.get(path)
    assert response.status_code == 503
    html = response.content.decode()
    assert "Hệ thống đang bảo trì" in html
    assert '<html lang="vi">' in html
    assert response["Retry-After"] == "120"
    assert response["Cache-Control"] == "no-store"
    assert "OperationalError" not in html
    assert "Connection refused" not in html


@pytest.mark.django_db
def test_a_signed_in_visitor_gets_the_page_without_the_session_being_read(client, django_user_model, monkeypatch):
    user = django_user_model.objects.create_user(username="mai", password="x")
    client.force_login(user)

    def refuse(self):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    response = client.get("/dossiers/")  # login_required reads the session: that read is what fails
    assert response.status_code == 503
    assert "Hệ thống đang bảo trì" in response.content.decode()
    assert "sessionid" not in response.cookies  # neither saved nor cleared


@pytest.mark.django_db
def test_the_maintenance_page_is_in_english_for_a_visitor_who_chose_english(client, database_down):
    client.cookies["django_language"] = "en"
    response = client.get("/procedures/")
    assert response.status_code == 503
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.django_db
def test_the_api_answers_json_503(client, database_down):
    response = client.get("/api/v1/procedures/")
    assert response.status_code == 503
    assert response.json() == {
        "code": "service_unavailable",
        "message": "Hệ thống đang bảo trì, vui lòng thử lại sau ít phút.",
        "field": None,
    }


@pytest.mark.django_db
def test_healthz_keeps_its_json_503(client, database_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["down"][0] == "database"


@pytest.mark.django_db
def test_the_outage_is_logged_with_its_cause(client, database_down, caplog):
    with caplog.at_level(logging.ERROR, logger="portal.errors"):
        client.get("/procedures/")
    record = next(r for r in caplog.records if r.name == "portal.errors")
    assert "/procedures/" in record.getMessage()
    assert record.exc_info[0] is OperationalError


@pytest.mark.urls(__name__)
def test_a_database_error_outside_a_view_also_gets_the_maintenance_page(client, monkeypatch):
    """A failure in a middleware (here the session save) reaches handler500, which answers 503 too."""
    from django.contrib.sessions.middleware import SessionMiddleware

    def fail(self, request, response):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionMiddleware, "process_response", fail)
    client.raise_request_exception = False
    response = client.get("/test-fine/")
    assert response.status_code == 503
    assert "Hệ thống đang bảo trì" in response.content.decode()


# --- 500 ------------------------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_a_500_shows_a_reference_that_the_log_repeats_beside_the_traceback(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/test-boom/")

    assert response.status_code == 500
    html = response.content.decode()
    reference = REFERENCE.search(html).group(1)
    assert "Đã xảy ra lỗi hệ thống" in html
    # Nothing of the failure itself reaches the visitor.
    assert "planted failure" not in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html

    records = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert len(records) == 1
    record = records[0]
    assert record.error_reference == reference
    assert f"[ref {reference}]" in record.getMessage()
    assert "/test-boom/" in record.getMessage()
    assert record.exc_info[0] is RuntimeError
    assert "planted failure" in caplog.text  # the traceback is logged, under the same record


@pytest.mark.urls(__name__)
def test_each_failure_gets_its_own_reference(client):
    client.raise_request_exception = False
    first = REFERENCE.search(client.get("/test-boom/").content.decode()).group(1)
    second = REFERENCE.search(client.get("/test-boom/").content.decode()).group(1)
    assert first != second


@pytest.mark.urls(__name__)
def test_an_api_500_is_json_with_the_reference(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/test-boom/")
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "server_error"
    assert body["message"].startswith("Đã xảy ra lỗi hệ thống.")
    assert re.fullmatch(r"[0-9A-F]{12}", body["reference"])
    assert any(getattr(r, "error_reference", "") == body["reference"] for r in caplog.records)


@pytest.mark.urls(__name__)
def test_a_404_log_line_carries_no_reference(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get("/no-such-page/").status_code == 404
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.error_reference == ""
    assert "[ref" not in record.getMessage()
