"""Issuing, checking and revoking API tokens (api.models.ApiToken).

A token is `<prefix>.<secret>`: the prefix (8 hex characters) names it in lists and logs, the secret (43 URL-safe
characters from `secrets`) is what proves it. Only the SHA-256 digest of the whole token is stored, so a copy of
the database gives no usable token; the token itself is shown once, when it is issued.

A staff member's token carries their role and scope, and so the same second factor: it is issued only from a
session that passed the TOTP step (`request.user.is_verified()`, django-otp's OTPMiddleware), or by an operator
on the server (`manage.py api_token_issue`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken, Integration
from dossiers.errors import DossierForbidden, DossierNotFound, DossierRefused

MAX_DAYS = 365
DEFAULT_DAYS = 90
# last_used_at is written at most this often per token: a busy integration does not write a row per request.
LAST_USED_EVERY = dt.timedelta(minutes=1)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def second_factor_passed(user) -> bool:
    """Whether this signed-in person may be given a token: a staff member only after the second factor.

    django-otp's middleware gives the session's user `is_verified()`; where it is not installed there is no second
    factor to pass, and the rule is the session's alone."""
    if getattr(user, "staff_profile", None) is None:
        return True
    is_verified = getattr(user, "is_verified", None)
    return not callable(is_verified) or bool(is_verified())


def token_issue(
    *, user, name: str, days: int = DEFAULT_DAYS, integration: Integration | None = None, now: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `user` (or for an integration's service account) valid `days` days; returns the row and
    the token, which is not stored and cannot be shown again."""
    if not 1 <= days <= MAX_DAYS:
        raise DossierRefused(
            _("Thời hạn của mã truy cập phải từ 1 đến {max} ngày.").format(max=MAX_DAYS), code="invalid", field="days"
        )
    if not user.is_active:
        raise DossierRefused(_("Tài khoản đã bị khóa."), code="inactive", field="user")
    if integration is not None and integration.account_id != user.pk:
        raise DossierRefused(
            _("Mã truy cập của hệ thống tích hợp được cấp cho tài khoản dịch vụ của hệ thống đó."),
            code="invalid",
            field="integration",
        )
    name = (name or "").strip()[:100] or _("Mã truy cập API")
    now = now or timezone.now()
    prefix = secrets.token_hex(4)
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        integration=integration,
        name=name,
        prefix=prefix,
        digest=token_digest(raw),
        expires_at=now + dt.timedelta(days=days),
    )
    return token, raw


def token_issue_for_session(*, request_user, name: str, days: int = DEFAULT_DAYS) -> tuple[ApiToken, str]:
    """Self-service: a signed-in person issues a token for themselves; staff only after the second factor."""
    if not second_factor_passed(request_user):
        raise DossierForbidden(
            _("Cán bộ cần xác thực hai lớp (mã OTP) trước khi tạo mã truy cập API."), code="second_factor_required"
        )
    return token_issue(user=request_user, name=name, days=days)


def token_revoke(*, token: ApiToken, now: dt.datetime | None = None) -> ApiToken:
    """Revoke at once (the next request with it is refused); revoking twice keeps the first moment."""
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_revoke_own(*, user, token_id: int, now: dt.datetime | None = None) -> ApiToken:
    """Revoke one of the user's own tokens; anyone else's is the same 404 as a missing one."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
        if token is None:
            raise DossierNotFound(_("Không tìm thấy mã truy cập."))
        return token_revoke(token=token, now=now)


class TokenRefused(Exception):
    """Why a presented token is not accepted; `code` is stable for programs, the message is for people."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def token_check(raw: str, *, now: dt.datetime | None = None) -> ApiToken:
    """The token row behind `raw` with its user and integration, or `TokenRefused` (unknown, revoked, expired, a
    locked account, an inactive integration). Checked on every request: a deactivation counts at once."""
    now = now or timezone.now()
    prefix, dot, _secret = (raw or "").partition(".")
    token = None
    if dot and prefix:
        token = (
            ApiToken.objects.select_related("user", "integration")
            .filter(prefix=prefix[:12], digest=token_digest(raw))
            .first()
        )
    if token is None:
        raise TokenRefused(_("Mã truy cập không hợp lệ."), "token_invalid")
    if token.revoked_at is not None:
        raise TokenRefused(_("Mã truy cập đã bị thu hồi."), "token_revoked")
    if token.expires_at <= now:
        raise TokenRefused(_("Mã truy cập đã hết hạn."), "token_expired")
    if not token.user.is_active:
        raise TokenRefused(_("Tài khoản đã bị khóa."), "user_inactive")
    if token.integration is not None and not token.integration.is_active:
        raise TokenRefused(_("Hệ thống tích hợp đã bị ngừng."), "integration_inactive")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        # One UPDATE guarded by the same condition: concurrent requests of one token write it once a minute.
        since = now - LAST_USED_EVERY
        ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=since), pk=token.pk).update(
            last_used_at=now
        )
        token.last_used_at = now
    return token
