"""Throttling per user and per client address, counted in the cache: 429 with the error body and Retry-After;
when the cache is unreachable (Redis down) the request is served and a warning is logged (fail open)."""

import logging

import pytest
from django.test import override_settings

MINE = "/api/v1/citizen/dossiers/"


@pytest.fixture
def rates(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "3/min", "anon": "2/min"}}


def test_a_user_over_the_rate_gets_429_with_retry_after(citizen_api, rates):
    assert [citizen_api.get(MINE).status_code for _ in range(3)] == [200, 200, 200]
    response = citizen_api.get(MINE)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert response.json()["message"]
    assert 0 < int(response["Retry-After"]) <= 60


def test_users_are_counted_apart(citizen_api, api, people, rates):
    for _ in range(3):
        citizen_api.get(MINE)
    assert citizen_api.get(MINE).status_code == 429
    api.force_login(people["other_citizen"])
    assert api.get(MINE).status_code == 200


def test_anonymous_callers_are_counted_by_address(api, db, rates):
    assert [api.get("/api/v1/procedures/").status_code for _ in range(2)] == [200, 200]
    assert api.get("/api/v1/procedures/").status_code == 429
    assert api.get("/api/v1/procedures/", REMOTE_ADDR="10.0.0.9").status_code == 200


CLOSED_PORT = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


def test_the_throttle_fails_open_when_the_cache_is_down(citizen_api, rates, caplog):
    with override_settings(CACHES=CLOSED_PORT), caplog.at_level(logging.WARNING, logger="api.throttling"):
        statuses = [citizen_api.get(MINE).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert "cache is unavailable" in caplog.text
