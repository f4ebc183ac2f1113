"""Check 13 — password policy.

The check: `12345678` and any 7-character password are refused; a 64-character passphrase is accepted.

How the tests show it: `validate_password` with the portal's validators, and the forms a person uses — the citizen
sign-up and the password change after a reset (Django's SetPasswordForm) — refuse both with a message and accept
the passphrase.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.forms import SignupForm
from accounts.models import User

pytestmark = pytest.mark.django_db

PASSPHRASE = "toi di cho mua rau muong va ca chep roi ve nha nau canh chua ngon"[:64]
REFUSED = ["12345678", "Ab3$xyz", "abcdefg", "1234567"]


def test_the_passphrase_is_64_characters():
    assert len(PASSPHRASE) == 64


@pytest.mark.parametrize("password", REFUSED)
def test_validate_password_refuses(password):
    with pytest.raises(ValidationError):
        validate_password(password, User(username="nguoidan"))


def test_validate_password_accepts_a_64_character_passphrase():
    assert validate_password(PASSPHRASE, User(username="nguoidan")) is None


def _signup(password: str) -> SignupForm:
    return SignupForm(
        {"identifier": "nguoidan@example.vn", "full_name": "Nguyễn Văn A", "password1": password, "password2": password}
    )


@pytest.mark.parametrize("password", REFUSED)
def test_sign_up_refuses(password):
    form = _signup(password)
    assert not form.is_valid()
    assert form.errors["password1"]


def test_sign_up_accepts_the_passphrase():
    assert _signup(PASSPHRASE).is_valid()


@pytest.mark.parametrize("password", REFUSED)
def test_password_change_refuses(password):
    user = User.objects.create_user(username="nguoidan", password="Demo@2026")
    form = SetPasswordForm(user, {"new_password1": password, "new_password2": password})
    assert not form.is_valid()
    assert form.errors["new_password2"]


def test_password_change_accepts_the_passphrase():
    user = User.objects.create_user(username="nguoidan", password="Demo@2026")
    form = SetPasswordForm(user, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})
    assert form.is_valid()
    form.save()
    user.refresh_from_db()
    assert user.check_password(PASSPHRASE)
