"""Check 27 — error pages.

The check demands that a forced exception answers the 500 page with a reference id and shows nothing of the failure
(no traceback, no settings, no SQL), while the error log holds the traceback under the same id.

Views that fail on purpose are mounted beside the portal's own URLs: a page raising an exception whose message
plants a secret-looking string, a page running broken SQL (the database error quotes the statement), and an API view
under /api/v1/ through Django REST Framework. Each answer is searched for the planted text, the SQL, the exception's
type, the word Traceback and the secret key; the API answers the documented JSON body
`{"code": "server_error", "message", "reference"}`. The log record of `django.request` is formatted as an operator
would read it and must hold the traceback and the same reference.
"""

import logging
import re

import pytest
from django.conf import settings
from django.db import connection
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from portal.urls import handler500
from portal.urls import urlpatterns as portal_urlpatterns

PLANTED = "planted-secret-7f3a"
SQL = "SELECT password FROM no_such_table_c27"


def boom(request):
    raise RuntimeError(f"{PLANTED}: settings.SECRET_KEY={settings.SECRET_KEY}")


def bad_sql(request):
    with connection.cursor() as cursor:
        cursor.execute(SQL)


@api_view(["GET"])
@permission_classes([AllowAny])
def api_boom(request):
    raise KeyError(PLANTED)


urlpatterns = [
    *portal_urlpatterns,
    path("c27/boom/", boom),
    path("c27/sql/", bad_sql),
    path("api/v1/c27/boom/", api_boom),
]
__all__ = ["handler500"]

REFERENCE = re.compile(r'<strong class="error-reference">([0-9A-F]{12})</strong>')
LEAKS = (PLANTED, "Traceback", "RuntimeError", "KeyError", "ProgrammingError", "no_such_table_c27", "SELECT", "SECRET")


def logged_error(caplog) -> tuple[logging.LogRecord, str]:
    records = [r for r in caplog.records if r.name == "django.request" and r.levelno == logging.ERROR]
    assert len(records) == 1
    return records[0], logging.Formatter().format(records[0])


def assert_nothing_leaks(text: str) -> None:
    for leak in (*LEAKS, settings.SECRET_KEY):
        assert leak not in text, leak


@pytest.mark.django_db
@pytest.mark.urls(__name__)
@pytest.mark.parametrize(("page", "logged"), [("/c27/boom/", PLANTED), ("/c27/sql/", "no_such_table_c27")])
def test_a_forced_exception_shows_only_a_reference_that_the_log_repeats(client, caplog, page, logged):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get(page)

    assert response.status_code == 500
    html = response.content.decode()
    assert "Đã xảy ra lỗi hệ thống" in html
    reference = REFERENCE.search(html).group(1)
    assert_nothing_leaks(html)
    assert response["Cache-Control"] == "no-store"

    record, text = logged_error(caplog)
    assert record.error_reference == reference
    assert f"[ref {reference}]" in text
    assert "Traceback (most recent call last)" in text
    assert logged in text


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_api_answers_the_documented_json_with_the_reference(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/api/v1/c27/boom/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"code", "message", "field", "reference"}
    assert body["code"] == "server_error"
    assert body["message"].startswith("Đã xảy ra lỗi hệ thống")
    assert re.fullmatch(r"[0-9A-F]{12}", body["reference"])
    assert_nothing_leaks(response.content.decode())

    record, text = logged_error(caplog)
    assert record.error_reference == body["reference"]
    assert "Traceback (most recent call last)" in text
    assert PLANTED in text


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_each_failure_has_its_own_reference(client):
    client.raise_request_exception = False
    first = REFERENCE.search(client.get("/c27/boom/").content.decode()).group(1)
    second = REFERENCE.search(client.get("/c27/boom/").content.decode()).group(1)
    assert first != second
