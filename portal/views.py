import sys

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import errors
from portal.health import broker_state, database_state
from procedures.selectors import procedure_featured_list


@require_GET
def home(request):
    return render(request, "portal/home.html", {"featured": procedure_featured_list()})


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker answer; 503 naming what is down."""
    checks = {"database": database_state(), "broker": broker_state()}
    down = [name for name, (ok, _detail) in checks.items() if not ok]
    body = {
        "status": "ok" if not down else "down",
        "checks": {name: {"ok": ok, "detail": detail} for name, (ok, detail) in checks.items()},
        "down": down,
    }
    return JsonResponse(body, status=200 if not down else 503)


def server_error(request):
    """handler500: the page with a reference id that the error log repeats; 503 when the database or Redis is down."""
    if errors.is_service_down(sys.exc_info()[1]):
        # Raised outside a view (a middleware, the session save): the same maintenance page as in a view.
        return errors.maintenance_response(request)
    return errors.server_error_response(request)


def bad_request(request, exception):
    """handler400: the static error frame (JSON under /api/). A request with more files than
    DATA_UPLOAD_MAX_NUMBER_FILES is refused by Django's parser before any view: the page says what the limit is."""
    from django.core.exceptions import TooManyFilesSent

    from dossiers.files import too_many_files_message

    if isinstance(exception, TooManyFilesSent):
        message = too_many_files_message()
    else:
        message = _("Yêu cầu không hợp lệ. Vui lòng kiểm tra lại và thử lại.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponse(render_to_string("400.html", {"message": message}), status=400)
