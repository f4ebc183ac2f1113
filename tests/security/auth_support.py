"""Helpers shared by the sign-in checks (tests/security/test_c07_… to test_c13_…, test_c23_…)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User

PASSWORD = "Demo@2026"


@pytest.fixture
def demo_accounts(db) -> dict[str, User]:
    """The demo accounts of `seed_demo` (staff with their demo TOTP devices, and `citizen`), no dossiers."""
    call_command("seed_demo", force=True, verbosity=0)
    return {user.username: user for user in User.objects.all()}


def password_login(client, username: str, password: str = PASSWORD, *, next_url: str = "", **extra):
    """POST the sign-in form as a person would (extra: REMOTE_ADDR and other request META)."""
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(url, data, **extra)
