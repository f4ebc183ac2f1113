import secrets

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from portal import errors


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the visitor chose English with the switch (a cookie), never the browser language.

    A public-service portal answers in the national language first: an English-language browser must not
    turn a Vietnamese citizen's forms into English.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        if chosen not in supported and request.path.startswith("/api/"):
            # A program calling the API has no language switch: its Accept-Language header is its choice.
            chosen = translation.get_language_from_request(request)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database or Redis answers 503 with the maintenance page, not a 500.

    Catches OperationalError and InterfaceError, and Redis's ConnectionError and TimeoutError (the cache, rate
    limits and API throttles), raised while the view runs (and while its template renders); failures outside a
    view reach handler500, which gives the same page. The page is static, so it renders without the database, the
    cache or the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not errors.is_service_down(exception):
            return None
        what = "Cơ sở dữ liệu / database" if errors.is_database_down(exception) else "Redis"
        errors.logger.error("%s không phản hồi / unavailable: %s", what, request.path, exc_info=exception)
        return errors.maintenance_response(request)


class SecurityHeadersMiddleware:
    """The Content-Security-Policy of every response, and 405 for a method the portal does not answer.

    A page gets CONTENT_SECURITY_POLICY with a fresh nonce (`request.csp_nonce`, for the rare script that must stay
    inline); an attachment gets `sandbox` instead and the download headers (nosniff, never cached); an inline PDF
    gets only `frame-ancestors`. A view that set its own policy keeps it. TRACE (which would echo the request's
    headers) and any unknown method answer 405 before a view runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in settings.HTTP_METHODS_ALLOWED:
            response = HttpResponseNotAllowed(settings.HTTP_METHODS_ALLOWED)
        else:
            request.csp_nonce = secrets.token_urlsafe(16)
            response = self.get_response(request)
        self.apply(request, response)
        return response

    @staticmethod
    def apply(request, response) -> None:
        if "Content-Security-Policy" in response:
            return
        disposition = response.get("Content-Disposition", "").lower()
        if disposition.startswith("attachment"):
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY_ATTACHMENT
            response["X-Content-Type-Options"] = "nosniff"
            response["Cache-Control"] = "private, no-store"
        elif response.get("Content-Type", "").startswith("application/pdf"):
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY_PDF
        else:
            nonce = getattr(request, "csp_nonce", "") or secrets.token_urlsafe(16)
            response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY.format(nonce=nonce)
