"""The demo staff accounts' TOTP devices (docs/authentication.md "Demo accounts") and the step's open doors."""

import base64
import datetime as dt
import hashlib
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2026, 11, 30, 3, 0, 10, tzinfo=dt.UTC)


def _documented_secret(username: str) -> bytes:
    return hashlib.sha256(f"mot-cua-demo-totp:{username}".encode()).digest()[:20]


def test_seed_demo_enrols_every_staff_account_with_its_documented_secret_and_prints_it():
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)
    printed = out.getvalue()
    for username in ("desk", "officer", "head", "leader", "leader_xa", "supervisor", "admin"):
        device = TOTPDevice.objects.get(user__username=username)
        assert device.confirmed
        assert device.bin_key == _documented_secret(username)
        secret = base64.b32encode(_documented_secret(username)).decode()
        assert f"oathtool --totp -b {secret}" in printed
    assert not TOTPDevice.objects.filter(user__username="citizen").exists()
    call_command("seed_demo", force=True, verbosity=0)  # again: still one device each
    assert TOTPDevice.objects.filter(user__username="desk").count() == 1


def test_demo_totp_prints_the_current_code(settings):
    settings.DEBUG = True
    call_command("seed_demo", force=True, verbosity=0)
    with time_machine.travel(MOMENT, tick=False):
        out = StringIO()
        call_command("demo_totp", "desk", stdout=out)
        expected = TOTP(_documented_secret("desk")).token()
    assert out.getvalue().strip() == f"{expected:06d}"


def test_demo_totp_never_prints_a_real_account_s_code(settings):
    settings.DEBUG = True
    user = User.objects.create_user(username="thật", password="x")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)  # a random secret
    with pytest.raises(CommandError):
        call_command("demo_totp", "thật")
    settings.DEBUG = False
    call_command("seed_demo", force=True, verbosity=0)
    with pytest.raises(CommandError):
        call_command("demo_totp", "desk")


@pytest.mark.second_factor
def test_before_the_step_staff_may_still_sign_out_and_switch_language(client, make_staff):
    client.force_login(make_staff("canbo", role="officer"))
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    assert client.get(reverse("healthz")).status_code in {200, 503}
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
