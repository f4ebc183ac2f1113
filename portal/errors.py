"""The portal's answers when something breaks: the 503 maintenance page and the 500 page with a reference.

Both pages are static templates rendered without the request's context processors: they must not touch the
database, the session or the signed-in user, since either may be what failed.
"""

import logging
import secrets

import redis.exceptions
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("portal.errors")

# The database errors that mean "the database cannot be reached" rather than "this code is wrong".
DATABASE_DOWN = (OperationalError, InterfaceError)
# How long a client should wait before trying again after a 503 (seconds).
RETRY_AFTER_SECONDS = 120


# Redis (cache, rate limits, API throttles) not answering: the request needed it, so it cannot be served now. A
# request that never touches Redis never meets these; submissions only kick the broker after commit and tolerate
# it being down (outbox/), so they still commit.
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def is_database_down(exception: BaseException | None) -> bool:
    return isinstance(exception, DATABASE_DOWN)


def is_service_down(exception: BaseException | None) -> bool:
    """The database or Redis cannot be reached: the maintenance page (503), not the 500 page."""
    return isinstance(exception, DATABASE_DOWN + REDIS_DOWN)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def maintenance_response(request: HttpRequest) -> HttpResponse:
    """503 with the Vietnamese maintenance page (JSON under /api/), built from nothing but the template."""
    if _is_api(request):
        response = JsonResponse(
            {
                "code": "service_unavailable",
                "message": _("Hệ thống đang bảo trì, vui lòng thử lại sau ít phút."),
                "field": None,
            },
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def error_reference_assign(request: HttpRequest) -> str:
    """A short id for this failure, kept on the request so the error log line carries the same one."""
    reference = secrets.token_hex(6).upper()
    request.error_reference = reference
    return reference


def server_error_response(request: HttpRequest) -> HttpResponse:
    """500 showing the reference id and nothing else of the failure (no traceback, settings or SQL)."""
    reference = error_reference_assign(request)
    if _is_api(request):
        response = JsonResponse(
            {
                "code": "server_error",
                "message": _("Đã xảy ra lỗi hệ thống. Khi liên hệ hỗ trợ, vui lòng cho biết mã tham chiếu."),
                "field": None,
                "reference": reference,
            },
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        response = HttpResponse(render_to_string("500.html", {"reference": reference}), status=500)
    response["Cache-Control"] = "no-store"
    return response


class ErrorReferenceFilter(logging.Filter):
    """On the `django.request` logger: puts the 500 page's reference into the log record beside its traceback.

    Django renders the 500 page (handler500 assigns the reference) before it logs "Internal Server Error" with
    the traceback and the request, so the record can name the id the visitor was shown. The id goes into the
    message, whatever the formatter, and onto the record as `error_reference`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        reference = getattr(request, "error_reference", "") if request is not None else ""
        if reference and getattr(record, "error_reference", "") != reference:
            record.msg = f"{record.msg} [ref {reference}]"
        record.error_reference = reference
        return True
