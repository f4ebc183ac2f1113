"""The lockout after repeated wrong passwords (django-axes, docs/authentication.md, docs/security.md check 8).

Axes counts failures per username and client address; at `AXES_FAILURE_LIMIT` that pair is refused for
`AXES_COOLOFF_TIME`. These are the hooks its settings name: which address and username are counted, and the answer
given while locked — the sign-in form again, with a message, never a bare error page.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.otp import parse_identifier
from dossiers.audit import request_client


def client_address(request) -> str | None:
    """The address the read log records: REMOTE_ADDR, or the last X-Forwarded-For hop of a trusted proxy."""
    return request_client(request)["ip_address"]


def username_of(request, credentials: dict | None) -> str | None:
    """The username as the sign-in form reads it (an e-mail address or phone number normalised, case folded), so
    `0912 345 678`, `+84912345678` and `0912345678` count as one username."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = getattr(request, "POST", {}).get("username")
    if typed is None:
        return None
    identifier = parse_identifier(typed)
    return (identifier.value if identifier is not None else typed.strip()).lower()


def cooloff_minutes() -> int:
    return max(1, math.ceil(float(settings.AXES_COOLOFF_TIME) * 60))


def lockout_message() -> str:
    return _(
        "Tài khoản tạm thời bị khóa do nhập sai mật khẩu {limit} lần. Vui lòng thử lại sau {minutes} phút "
        "hoặc dùng chức năng “Quên mật khẩu?”."
    ).format(limit=settings.AXES_FAILURE_LIMIT, minutes=cooloff_minutes())


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again (status 429) with the lockout message and the typed username, no password."""
    from accounts.forms import LoginForm

    form = LoginForm(request, initial={"username": (credentials or {}).get("username", "")})
    next_url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    context = {"form": form, "next": next_url, "locked_out": lockout_message()}
    return render(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
