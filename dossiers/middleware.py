"""One mapping from the engine's errors to pages: 400/403/409 with the Vietnamese message, 404 as Django's own."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from dossiers.errors import DossierError, DossierNotFound


class DossierErrorMiddleware:
    """Turns an engine error escaping a view into the page a user should see (never a 500)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DossierNotFound):
            # The same page as any missing object: someone else's dossier is indistinguishable from none.
            raise Http404(exception.message) from None
        if isinstance(exception, DossierError):
            back = request.META.get("HTTP_REFERER", "")
            if not url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=request.is_secure()):
                back = ""
            return render(
                request,
                "dossiers/action_error.html",
                {"error": exception, "back": back},
                status=exception.status_code,
            )
        return None
