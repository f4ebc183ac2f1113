"""Redis down: a request that cannot do without it (here a view reading the cache directly, and DRF's own throttle)
answers the 503 maintenance page quickly instead of a 500; a request that does not need it keeps working. The
portal's own shortcuts fail open instead (the lookup's rate limit, the API throttles, the calendar and catalogue
caches: tests/security/test_c31_redis_down.py, tests/portal/test_cache.py)."""

import logging
import time

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import path
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from portal.urls import handler500
from portal.urls import urlpatterns as portal_urlpatterns


class PerMinute(AnonRateThrottle):
    rate = "100/min"


@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([PerMinute])
def throttled(request):
    return Response({"ok": True})


def needs_the_cache(request):
    return HttpResponse(cache.get("anything") or "")


urlpatterns = [
    *portal_urlpatterns,
    path("api/v1/test-throttled/", throttled),
    path("test-needs-the-cache/", needs_the_cache),
]
__all__ = ["handler500"]

CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_page_that_needs_redis_answers_the_maintenance_page(client, redis_down, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="portal.errors"):
        response = client.get("/test-needs-the-cache/")

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    html = response.content.decode()
    assert "Hệ thống đang bảo trì" in html
    assert "ConnectionError" not in html
    assert "127.0.0.1" not in html
    assert response["Retry-After"] == "120"
    record = next(r for r in caplog.records if r.name == "portal.errors")
    assert "Redis" in record.getMessage()


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_an_api_throttle_without_redis_answers_json_503(client, redis_down):
    response = client.get("/api/v1/test-throttled/")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/accounts/login/", "/cong-khai/"])
def test_a_page_that_does_not_need_redis_keeps_working(client, redis_down, page):
    assert client.get(page).status_code == 200


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_with_redis_up_the_throttled_view_answers(client):
    assert client.get("/api/v1/test-throttled/").json() == {"ok": True}
