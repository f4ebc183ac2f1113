"""The second factor for staff (docs/authentication.md, docs/security.md check 10).

After the password, every staff account — anyone with a staff profile, and Django's `is_staff` / superusers — proves
a time-based code (TOTP, RFC 6238) from an authenticator app, or one of ten single-use recovery codes. django-otp
keeps the devices: its TOTP device refuses a code whose time step is not later than the last one accepted (`last_t`),
so a code works once; a recovery code is deleted when used. The session remembers the device that verified it under
django-otp's own key, the way `django_otp.login` does, and `accounts.middleware.SecondFactorMiddleware` lets no staff
request through without it. Citizens have no second factor.
"""

from __future__ import annotations

import hashlib
import io
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

TOTP_NAME = "Ứng dụng xác thực"
RECOVERY_NAME = "Mã khôi phục"


def is_staff_account(user) -> bool:
    """Whether the account must pass the second factor: staff of any role, or a Django staff/superuser account."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or user.is_superuser or getattr(user, "staff_profile", None) is not None)


def session_verified(request) -> bool:
    """Whether this session passed the second factor (django-otp's session key, set by `django_otp.login`)."""
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


def demo_session_verified(session, user) -> None:
    """Record in `session` that `user` passed the step with its demo device, as `django_otp.login` does after a
    code: for tests, the load bench and the backup drill, which sign demo staff in without typing a code."""
    session[DEVICE_ID_SESSION_KEY] = demo_device(user).persistent_id
    session.save()


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_totp(user) -> TOTPDevice:
    """The device being enrolled: the same secret while the person has not confirmed a code yet."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode("ascii")


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no image request, nothing sent to a third party)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode("utf-8")
    return svg[svg.index("<svg") :]  # without the XML declaration, to sit inside the page


def verify(request, code: str) -> bool:
    """Check a code against the signed-in user's confirmed devices; on success mark the session verified.

    A TOTP code is accepted once (django-otp's `last_t`); a recovery code is deleted when it is used; both devices
    slow down repeated failures (django-otp's throttling)."""
    code = "".join(code.split()).lower()
    user = request.user
    with transaction.atomic():
        devices = [
            *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *StaticDevice.objects.select_for_update().filter(user=user, confirmed=True),
        ]
        matched = next((device for device in devices if device.verify_token(code)), None)
    if matched is None:
        return False
    otp_login(request, matched)
    return True


def enrol(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the pending device with a first code: the device becomes the account's, ten recovery codes replace any
    earlier ones (returned to be shown once), and the session is verified. None when the code is wrong."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user, confirmed=False)
        if not device.verify_token("".join(code.split())):
            return None
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_replace(request.user)
    otp_login(request, device)
    return codes


def recovery_codes_replace(user) -> list[str]:
    """Ten new single-use recovery codes for the account; the old ones stop working. django-otp stores them as
    given (not hashed): the page shows them once, and only administrators can read them in the admin."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.STAFF_RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


# --- Demo accounts (demo/, docs/authentication.md "Demo accounts") -------------------------------------------------

DEMO_SECRET_SALT = "mot-cua-demo-totp:"


def demo_key_hex(username: str) -> str:
    """The demo account's fixed TOTP secret: the first 20 bytes of SHA-256("mot-cua-demo-totp:" + username), so a
    newcomer (and the browser tests) can compute it. Demo data only: real accounts enrol with a random secret."""
    return hashlib.sha256((DEMO_SECRET_SALT + username).encode("utf-8")).digest()[:20].hex()


def demo_device(user) -> TOTPDevice:
    """The demo account's confirmed TOTP device with its fixed secret (created or reset to it)."""
    TOTPDevice.objects.filter(user=user).exclude(key=demo_key_hex(user.username)).delete()
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, key=demo_key_hex(user.username), defaults={"name": TOTP_NAME, "confirmed": True}
    )
    return device


def current_code(device: TOTPDevice) -> str:
    """The device's code for the current time step (what the authenticator app shows now)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"
