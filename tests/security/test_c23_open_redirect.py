"""Check 23 — no open redirect after signing in.

The check: signing in with `?next=https://evil.example/` or `?next=//evil.example` ends on the portal's home page.

How the tests show it: a citizen signs in with each hostile `next` (and variants: backslashes, another scheme) and
the redirects, followed to the end, stay on this host and end on `/`; a same-host `next` is followed. For staff
the `next` also passes through the TOTP step (`/accounts/otp/`), which applies the same rule.
"""

# ruff: noqa: F811 - fixtures imported from tests/security/auth_support.py and the stats tests

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import current_code
from tests.security.auth_support import demo_accounts, password_login  # noqa: F401

pytestmark = pytest.mark.django_db

HOSTILE = ["https://evil.example/", "//evil.example", "///evil.example", "/\\evil.example", "https:evil.example"]


@pytest.mark.parametrize("next_url", HOSTILE)
def test_a_hostile_next_ends_on_the_home_page(client, demo_accounts, next_url):
    response = password_login(client, "citizen", next_url=next_url)
    assert response.status_code == 302
    chain = client.get(response["Location"], follow=True).redirect_chain
    final = chain[-1][0] if chain else response["Location"]
    assert final == "/", (response["Location"], chain)
    assert all("evil.example" not in location for location, _status in [(response["Location"], 302), *chain])


def test_a_same_host_next_is_followed(client, demo_accounts):
    response = password_login(client, "citizen", next_url="/accounts/profile/")
    assert response["Location"] == "/accounts/profile/"


@pytest.mark.second_factor
@pytest.mark.parametrize("next_url", HOSTILE[:2])
def test_the_totp_step_follows_only_same_host_next(client, demo_accounts, next_url):
    password_login(client, "officer")
    code = current_code(TOTPDevice.objects.get(user__username="officer"))
    response = client.post(f"/accounts/otp/?next={next_url}", {"code": code, "next": next_url})
    assert response["Location"] == reverse("desk:after-login")
