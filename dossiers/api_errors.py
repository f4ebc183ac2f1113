"""The DRF exception handler: every API refusal has the body `{"code", "message", "field"}` (api/schema.py).

An engine error keeps its own code and Vietnamese message; DRF's own errors (validation, authentication,
permission, throttling, 404) are reshaped to the same body, with DRF's status code and headers (`Retry-After`,
`WWW-Authenticate`). A validation error names its first field in `field` and keeps every message in `errors`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from dossiers.errors import DossierError

_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "forbidden",
    exceptions.NotFound: "not_found",
    exceptions.Throttled: "throttled",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.ParseError: "parse_error",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.NotAcceptable: "not_acceptable",
}


def _first(detail) -> tuple[str | None, object]:
    """(field, first error) of a ValidationError's detail, depth-first; `non_field_errors` names no field."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            field, error = _first(value)
            name = None if key in ("non_field_errors", "detail") else str(key)
            return (f"{name}.{field}" if name and field else name or field), error
        return None, ""
    if isinstance(detail, list):
        return _first(detail[0]) if detail else (None, "")
    return None, detail


def exception_handler(exc, context):
    if isinstance(exc, DossierError):
        body = exc.as_dict()
        body.setdefault("field", None)
        return Response(body, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, exceptions.ValidationError):
        field, error = _first(exc.detail)
        code = getattr(error, "code", None) or "invalid"
        body = {"code": code, "message": str(error) or _("Dữ liệu không hợp lệ."), "field": field}
        body["errors"] = exc.detail
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else ""
        code = getattr(detail, "code", None)
        if code in (None, exc.default_code if isinstance(exc, exceptions.APIException) else None):
            code = next((name for kind, name in _CODES.items() if isinstance(exc, kind)), code or "error")
        message = str(detail)
        if isinstance(exc, exceptions.NotAuthenticated) and message == str(exc.default_detail):
            message = _("Vui lòng đăng nhập, hoặc gửi mã truy cập API trong tiêu đề Authorization: Bearer.")
        elif isinstance(exc, exceptions.Throttled) and message.startswith(str(exc.default_detail)):
            message = _("Quá nhiều yêu cầu; vui lòng thử lại sau {seconds} giây.").format(
                seconds=int((exc.wait or 1) + 0.999)
            )
        body = {"code": code, "message": message, "field": None}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            body["retry_after"] = int(exc.wait + 0.999)
    response.data = body
    return response
