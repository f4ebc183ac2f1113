from django.conf import settings
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
    """A view that cannot reach the database answers 503 with the maintenance page, not a 500.

    Catches OperationalError and InterfaceError raised while the view runs (and while its template renders);
    failures outside a view reach handler500, which gives the same page. The page is static, so it renders
    without the database or the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not errors.is_database_down(exception):
            return None
        errors.logger.error("Cơ sở dữ liệu không phản hồi / database unavailable: %s", request.path, exc_info=exception)
        return errors.maintenance_response(request)
