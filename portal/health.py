"""Health probes for /healthz: each answers (ok, detail) and never raises."""

from django.conf import settings
from django.db import connection


def database_state() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down", and is reported, not raised
        return False, type(exc).__name__
    return True, connection.vendor


def broker_state() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return True, "eager"
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__
    return True, "redis"
