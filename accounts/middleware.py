"""Session rules applied to every request (docs/authentication.md, docs/security.md checks 10 and 11).

- `SessionIdleMiddleware`: a session unused for longer than its allowance ends — staff after
  `STAFF_SESSION_IDLE_SECONDS` (15 minutes), citizens after `CITIZEN_SESSION_IDLE_SECONDS`. The time of the last
  request is kept in the session, written at most once a minute so most requests do not save the session.
- `SecondFactorMiddleware`: a signed-in staff account whose session has not passed the TOTP step reaches nothing
  but that step (and signing out): pages redirect to it, `/api/` answers 403 with the API's error body.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.second_factor import is_staff_account, session_verified
from portal import errors

LAST_ACTIVITY = "accounts.last_activity"
ACTIVITY_STEP_SECONDS = 60
API_PREFIX = "/api/"


def _is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "field": None}, status=status)


def idle_allowance(user) -> int:
    """Seconds a session may stay unused; 0: no limit."""
    return settings.STAFF_SESSION_IDLE_SECONDS if is_staff_account(user) else settings.CITIZEN_SESSION_IDLE_SECONDS


@receiver(user_logged_in, dispatch_uid="accounts.session_activity_at_login")
def _activity_at_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


class _SessionRule:
    """A rule read from the session and the user before the view; a database that cannot be reached while reading
    them gives the maintenance page (portal.errors), as it would inside the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            answer = self.check(request)
        except Exception as exception:
            if not errors.is_database_down(exception):
                raise
            errors.logger.error("Cơ sở dữ liệu không phản hồi / database unavailable: %s", request.path)
            return errors.maintenance_response(request)
        return answer or self.get_response(request)

    def check(self, request):
        raise NotImplementedError


class SessionIdleMiddleware(_SessionRule):
    def check(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            allowance = idle_allowance(request.user)
            if allowance and last is not None and now - last > allowance:
                logout(request)
                message = _("Phiên làm việc đã hết hạn do không hoạt động. Vui lòng đăng nhập lại.")
                if _is_api(request):
                    return _api_error("session_expired", message, 401)
                messages.warning(request, message)
                return redirect_to_login(request.get_full_path())
            if last is None or now - last >= ACTIVITY_STEP_SECONDS:
                request.session[LAST_ACTIVITY] = now
        return None


def _exempt_paths() -> tuple[str, ...]:
    """What a staff account may open before the TOTP step: the step itself, signing in and out, static files, the
    language switch and the health check."""
    return (
        reverse("accounts:otp"),
        reverse("login"),
        reverse("logout"),
        reverse("set_language"),
        reverse("healthz"),
        settings.STATIC_URL,
    )


class SecondFactorMiddleware(_SessionRule):
    def check(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not session_verified(request)
            and not request.path.startswith(_exempt_paths())
            and is_staff_account(user)
        ):
            if _is_api(request):
                message = _("Tài khoản cán bộ cần xác thực hai lớp (mã TOTP) trước khi dùng API.")
                return _api_error("second_factor_required", message, 403)
            return redirect(f"{reverse('accounts:otp')}?{urlencode({'next': request.get_full_path()})}")
        return None
