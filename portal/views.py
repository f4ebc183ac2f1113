import sys

from django.http import JsonResponse
from django.shortcuts import render
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
