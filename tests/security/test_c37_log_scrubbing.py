"""Check 37 — nothing secret in logs, and no forged log lines.

Requests carry planted secrets: a failed sign-in with a password and a one-time code, an `Authorization: Bearer`
header and an API token of the `<prefix>.<secret>` shape, the session cookie, and a 12-digit CCCD in a form; a view
logs the form and the headers as careless code would, then fails with the token in the exception's message. The
test scans both pytest's captured records (caplog) and the text the portal's own console handler formats: none of
the planted values may appear, the CCCD appears only as `********` and its last four digits. A URL whose path
holds `\\r\\n` followed by a fake log line must not start a new line in the output (the filter of
portal/logging.py escapes CR and LF). The scrubbing functions get direct tests for each pattern.
"""

import io
import logging

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from accounts.models import User
from portal.logging import REDACTED, ScrubFilter, one_line, scrub

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.test_c37_log_scrubbing")]

PASSWORD = "Hunter2-planted-pw"
OTP = "493817"
BEARER = "eyJplantedBearerValue0123456789"
API_TOKEN = "mcp_ab12." + "Zq9" * 14  # the `<prefix>.<secret>` shape of api/models.py
CCCD = "038190004321"
FAKE_LINE = "2026-11-30 12:00:00 INFO portal forged entry"

logger = logging.getLogger("portal.c37")


def careless_view(request):
    """What a careless view might log: the whole form, every header, and an error quoting a credential."""
    logger.warning("form received %s", request.POST)
    logger.info("headers %s", {key: value for key, value in request.META.items() if key.startswith("HTTP_")})
    raise RuntimeError(f"upstream refused token {API_TOKEN} for citizen {CCCD}")


def echo_view(request, value):
    logger.warning("lookup for %s", value)
    return HttpResponse("ok")


urlpatterns = [
    path("careless/", careless_view),
    path("echo/<path:value>/", echo_view),
    *__import__("portal.urls", fromlist=["urlpatterns"]).urlpatterns,
]


@pytest.fixture
def console():
    """The text the portal's own console handler (portal/settings.py LOGGING) writes, captured."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, ScrubFilter) for f in h.filters)]
    assert handlers, "the LOGGING handlers carry the scrub filter"
    buffer = io.StringIO()
    previous = [handler.setStream(buffer) for handler in handlers]
    yield buffer
    for handler, stream in zip(handlers, previous, strict=True):
        handler.setStream(stream)


def _outputs(caplog, console) -> list[str]:
    records = "\n".join(f"{record.getMessage()}\n{record.exc_text or ''}" for record in caplog.records)
    return [caplog.text, records, console.getvalue()]


def test_planted_secrets_never_reach_the_logs(caplog, console):
    caplog.set_level(logging.INFO)
    User.objects.create_user(username="mai", password="right-password")
    client = Client(raise_request_exception=False)
    # A failed sign-in: the password and a one-time code in the form.
    failed = client.post("/accounts/login/", {"username": "mai", "password": PASSWORD, "otp_token": OTP})
    assert failed.status_code == 200
    client.login(request=HttpRequest(), username="mai", password="right-password")  # axes wants the request
    session_id = client.cookies["sessionid"].value
    response = client.post(
        "/careless/",
        {"personal_id": CCCD, "password": PASSWORD, "otp_token": OTP},
        HTTP_AUTHORIZATION=f"Bearer {BEARER}",
        HTTP_X_API_KEY=API_TOKEN,
    )
    assert response.status_code == 500

    outputs = _outputs(caplog, console)
    joined = "\n".join(outputs)
    assert "Internal Server Error: /careless/" in console.getvalue()  # the handler really wrote the records
    assert "RuntimeError: upstream refused token" in joined  # the traceback is kept, its secrets masked
    for output in outputs:
        for planted in (PASSWORD, OTP, BEARER, API_TOKEN, session_id, CCCD):
            assert planted not in output, planted
    assert "********4321" in console.getvalue()
    assert REDACTED in console.getvalue()


def test_a_value_with_crlf_cannot_forge_a_log_line(client, caplog, console):
    caplog.set_level(logging.INFO)
    client.get("/echo/x%0D%0A" + FAKE_LINE.replace(" ", "%20") + "/")
    client.get("/no-such-page%0A" + FAKE_LINE.replace(" ", "%20") + "/")  # Django's own "Not Found: <path>"
    for output in _outputs(caplog, console):
        assert FAKE_LINE in output  # the value is there...
        for line in output.splitlines():
            assert not line.startswith(FAKE_LINE)  # ...but never as a line of its own
    assert "\\r\\n" + FAKE_LINE in console.getvalue()


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("password=s3cret-Value&next=/", "s3cret-Value"),
        ("{'username': ['mai'], 'password': ['s3cret-Value']}", "s3cret-Value"),
        ('{"otp_token": "123456"}', "123456"),
        ("totp: 654321", "654321"),
        ("Authorization: Basic bWFpOnMzY3JldA==", "bWFpOnMzY3JldA=="),
        ("'HTTP_COOKIE': 'sessionid=abcdef0123456789abcdef0123456789; csrftoken=xyz'", "abcdef0123456789"),
        ("Cookie: sessionid=abcdef0123456789abcdef0123456789", "abcdef0123456789"),
        ("sent Bearer abc.def-ghi_jkl0123", "abc.def-ghi_jkl0123"),
        ("token mcp_ab12." + "x" * 40, "x" * 40),
        ("recovery_code=ABCD-EFGH", "ABCD-EFGH"),
        ("CCCD 038190004321 nộp", "03819000"),
    ],
)
def test_each_pattern_is_scrubbed(text, secret):
    assert secret not in scrub(text)
    assert scrub(scrub(text)) == scrub(text)  # idempotent: a filter may meet a record twice


def test_ordinary_values_are_left_alone():
    text = "Dossier 000.00.31.H56-260302-0001 received, 3 files, 1048576 bytes, phone 0912345678"
    assert scrub(text) == text
    assert scrub("JWS token verification failed") == "JWS token verification failed"
    assert scrub("CCCD 038190004321") == "CCCD ********4321"
    assert one_line("a\r\nb") == "a\\r\\nb"
