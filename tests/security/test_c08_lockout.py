"""Check 8 — lockout after repeated wrong passwords.

The check: six wrong passwords for one username from one address lock it with a Vietnamese message; the real user
signing in from another address is not locked; the lockout and each failure are logged.

How the tests show it: five wrong passwords from 203.0.113.7, then the sixth attempt — even with the right
password — gets the sign-in form back (status 429) with the Vietnamese lockout message and no session; the same
username from 198.51.100.9 signs in. Each failure is an `AccessFailureLog` row and a log line, the lockout a
WARNING line; no log line and no stored row holds the password. After the cool-off the pair may try again.
"""

# ruff: noqa: F811 - fixtures imported from tests/security/auth_support.py and the stats tests

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings

from tests.security.auth_support import PASSWORD, demo_accounts, password_login  # noqa: F401

pytestmark = pytest.mark.django_db

ATTACKER = {"REMOTE_ADDR": "203.0.113.7"}
ELSEWHERE = {"REMOTE_ADDR": "198.51.100.9"}
WRONG = "Sai-mat-khau-99"
LOCKED = "Tài khoản tạm thời bị khóa do nhập sai mật khẩu 5 lần."


def _fail(client, username: str, times: int):
    return [password_login(client, username, WRONG, **ATTACKER) for _ in range(times)]


def test_five_failures_lock_the_username_and_address_with_a_vietnamese_message(client, demo_accounts, caplog):
    caplog.set_level(logging.INFO)
    answers = _fail(client, "officer", 5)

    assert [a.status_code for a in answers[:4]] == [200] * 4  # the form again, "wrong username or password"
    sixth = password_login(client, "officer", PASSWORD, **ATTACKER)
    body = sixth.content.decode()
    assert sixth.status_code == 429
    assert LOCKED in body
    assert 'name="username"' in body
    assert "_auth_user_id" not in client.session
    assert AccessFailureLog.objects.filter(username="officer", ip_address="203.0.113.7").count() >= 5
    assert any("Locking out" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    failures = [r for r in caplog.records if "login failure" in r.getMessage()]
    assert len(failures) >= 5
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert WRONG not in caplog.text
    assert PASSWORD not in caplog.text
    assert WRONG not in stored


def test_the_real_user_from_another_address_still_signs_in(client, demo_accounts):
    _fail(client, "officer", 6)
    response = password_login(client, "officer", PASSWORD, **ELSEWHERE)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(demo_accounts["officer"].pk)


def test_another_username_from_the_same_address_is_not_locked(client, demo_accounts):
    _fail(client, "officer", 6)
    assert password_login(client, "citizen", PASSWORD, **ATTACKER).status_code == 302


def test_the_username_is_counted_as_typed_in_any_form(client, demo_accounts):
    """Case and spacing do not open a fresh counter: `OFFICER` and ` officer ` are the same username."""
    for typed in ("officer", "OFFICER", " Officer ", "officer", "OfFiCeR"):
        password_login(client, typed, WRONG, **ATTACKER)
    assert password_login(client, "officer", PASSWORD, **ATTACKER).status_code == 429


def test_after_the_cool_off_the_pair_may_try_again(client, demo_accounts):
    start = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        _fail(client, "officer", 5)
        assert password_login(client, "officer", PASSWORD, **ATTACKER).status_code == 429
    later = start + dt.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    with time_machine.travel(later, tick=False):
        assert password_login(client, "officer", PASSWORD, **ATTACKER).status_code == 302
