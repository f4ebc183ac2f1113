"""Check 11 — the session's lifecycle.

The check: the session cookie changes at sign-in; after sign-out the old cookie is refused; a staff session idle for
15 minutes must sign in again (with a frozen clock).

How the tests show it: the session key before and after signing in differ (and the anonymous one no longer exists);
after signing out, the old cookie replayed is anonymous — a page sends it to sign in and the API refuses it. With
the clock moved by time_machine, a staff session unused for more than `STAFF_SESSION_IDLE_SECONDS` (900) is
flushed and sent to sign in with "Phiên làm việc đã hết hạn…", one used within the allowance stays; a citizen's
allowance is `CITIZEN_SESSION_IDLE_SECONDS`. Marked `idle_timeout` (the harness keeps the timeout on).
"""

# ruff: noqa: F811 - fixtures imported from tests/security/auth_support.py and the stats tests

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.security.auth_support import demo_accounts, password_login  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.idle_timeout]

START = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
COOKIE = settings.SESSION_COOKIE_NAME


def test_the_session_key_changes_at_sign_in(client, demo_accounts):
    client.get(reverse("login"))
    session = client.session
    session["probe"] = 1
    session.save()
    before = client.cookies[COOKIE].value

    password_login(client, "citizen")
    after = client.cookies[COOKIE].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_after_sign_out_the_old_cookie_is_refused(client, demo_accounts):
    password_login(client, "citizen")
    old = client.cookies[COOKIE].value
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.post(reverse("logout"))

    client.cookies[COOKIE] = old  # replayed
    page = client.get(reverse("accounts:profile"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))
    assert not Session.objects.filter(session_key=old).exists()


def test_a_staff_session_idle_for_15_minutes_must_sign_in_again(client, demo_accounts):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(demo_accounts["officer"])
        assert client.get(reverse("desk:inbox")).status_code == 200
        clock.shift(dt.timedelta(minutes=14))
        assert client.get(reverse("desk:inbox")).status_code == 200  # activity refreshes the allowance
        clock.shift(dt.timedelta(minutes=14))
        assert client.get(reverse("desk:inbox")).status_code == 200
        clock.shift(dt.timedelta(seconds=settings.STAFF_SESSION_IDLE_SECONDS + 1))
        old = client.cookies[COOKIE].value
        expired = client.get(reverse("desk:inbox"))
        assert expired.status_code == 302
        assert expired["Location"].startswith(reverse("login"))
        assert not Session.objects.filter(session_key=old).exists()
        page = client.get(expired["Location"])
        assert "Phiên làm việc đã hết hạn" in page.content.decode()
        assert client.get(reverse("desk:inbox")).status_code == 302


def test_an_idle_staff_session_gets_401_on_the_api(client, demo_accounts):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(demo_accounts["officer"])
        clock.shift(dt.timedelta(minutes=16))
        response = client.get("/api/v1/procedures/")
        assert response.status_code == 401
        assert response.json()["code"] == "session_expired"


def test_a_citizen_has_a_longer_allowance(client, demo_accounts):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(demo_accounts["citizen"])
        clock.shift(dt.timedelta(minutes=30))
        assert client.get(reverse("accounts:profile")).status_code == 200
        clock.shift(dt.timedelta(seconds=settings.CITIZEN_SESSION_IDLE_SECONDS + 1))
        assert client.get(reverse("accounts:profile")).status_code == 302


def test_the_cookie_lives_no_longer_than_the_longer_allowance():
    assert settings.SESSION_COOKIE_AGE == max(
        settings.STAFF_SESSION_IDLE_SECONDS, settings.CITIZEN_SESSION_IDLE_SECONDS
    )
    assert settings.STAFF_SESSION_IDLE_SECONDS == 900
