"""Check 9 — no account enumeration.

The check: the sign-in error and the password-reset answer are the same, in status, body and (within 100 ms)
timing, for an unknown e-mail or phone and for a known one.

How the tests show it: a wrong password for a known e-mail address or phone number, and any password for an unknown
one, give the same status and the same page (the CSRF token, which differs on every page, and the typed identifier
set aside); the reset request by e-mail and by phone answers the same redirect for both, and the page it leads to is
the same. Timing: several runs of each, medians compared, with the production password hasher (PBKDF2) so the
unknown path is seen doing the same hashing work (Django's ModelBackend hashes the password for an unknown user too).
"""

from __future__ import annotations

import re
import statistics
import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

KNOWN_EMAIL, UNKNOWN_EMAIL = "an.nguyen@example.vn", "khong.co@example.vn"
KNOWN_PHONE, UNKNOWN_PHONE = "0912345678", "0987654321"
PRODUCTION_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
RUNS = 5
_address = iter(f"192.0.2.{n}" for n in range(1, 250))  # one address per attempt: the lockout is not in the way


@pytest.fixture
def accounts(db):
    with PRODUCTION_HASHER:
        by_email = User.objects.create_user(username=KNOWN_EMAIL, email=KNOWN_EMAIL, password="Mat-khau-dung-2026")
        by_phone = User.objects.create_user(username=KNOWN_PHONE, phone=KNOWN_PHONE, password="Mat-khau-dung-2026")
    return by_email, by_phone


def _normalised(body: str, *typed: str) -> str:
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', body)
    for value in typed:
        body = body.replace(value, "IDENTIFIER")
    return body


def _sign_in(identifier: str):
    client = Client(REMOTE_ADDR=next(_address))
    started = time.perf_counter()
    response = client.post(reverse("login"), {"username": identifier, "password": "Sai-mat-khau-99"})
    return response, time.perf_counter() - started


def _reset(identifier: str):
    client = Client(REMOTE_ADDR=next(_address))
    started = time.perf_counter()
    response = client.post(reverse("password_reset"), {"email": identifier})
    elapsed = time.perf_counter() - started
    follow = client.get(response["Location"]) if response.status_code == 302 else None
    return response, elapsed, follow


def _median_gap(known: list[float], unknown: list[float]) -> float:
    return abs(statistics.median(known) - statistics.median(unknown))


@pytest.mark.parametrize(("known", "unknown"), [(KNOWN_EMAIL, UNKNOWN_EMAIL), (KNOWN_PHONE, UNKNOWN_PHONE)])
def test_the_sign_in_error_is_the_same(accounts, known, unknown):
    with PRODUCTION_HASHER:
        runs = [(_sign_in(known), _sign_in(unknown)) for _ in range(RUNS)]
    (first_known, _t), (first_unknown, _u) = runs[0]
    assert first_known.status_code == first_unknown.status_code == 200
    assert _normalised(first_known.content.decode(), known) == _normalised(first_unknown.content.decode(), unknown)
    gap = _median_gap([k[1] for k, _ in runs], [u[1] for _, u in runs])
    assert gap < 0.1, f"medians differ by {gap * 1000:.0f} ms"


@pytest.mark.parametrize(("known", "unknown"), [(KNOWN_EMAIL, UNKNOWN_EMAIL), (KNOWN_PHONE, UNKNOWN_PHONE)])
def test_the_password_reset_answer_is_the_same(accounts, known, unknown):
    runs = [(_reset(known), _reset(unknown)) for _ in range(RUNS)]
    (known_answer, _t, known_page), (unknown_answer, _u, unknown_page) = runs[0]
    assert known_answer.status_code == unknown_answer.status_code == 302
    assert known_answer["Location"] == unknown_answer["Location"]
    assert known_answer.content == unknown_answer.content
    assert known_page.status_code == unknown_page.status_code
    assert _normalised(known_page.content.decode(), known) == _normalised(unknown_page.content.decode(), unknown)
    gap = _median_gap([k[1] for k, _ in runs], [u[1] for _, u in runs])
    assert gap < 0.1, f"medians differ by {gap * 1000:.0f} ms"


def test_the_unknown_sign_in_does_the_hashing_work(accounts, monkeypatch):
    """The reason the timing holds: the password is hashed for an unknown identifier as for a known one."""
    from django.contrib.auth import hashers

    calls = []
    real = hashers.PBKDF2PasswordHasher.encode
    monkeypatch.setattr(
        hashers.PBKDF2PasswordHasher, "encode", lambda self, *a, **k: calls.append(1) or real(self, *a, **k)
    )
    with PRODUCTION_HASHER:
        _sign_in(UNKNOWN_EMAIL)
    assert calls
