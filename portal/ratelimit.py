"""A fixed-window request counter per client in Django's cache (Redis when REDIS_URL is set, so every worker
process shares the count; the in-process cache otherwise).

`rate_limit_hit("lookup", client, limit=20, window=600)` counts one request and answers None while the client is
within `limit` requests of the current `window` seconds, or the moment the window ends once it is over. Windows
are aligned on the epoch (10:00, 10:10, …), so a client never waits longer than one window.

When the cache cannot be reached (Redis down), the limiter fails open: the request is allowed and a warning is
logged, so a page that only counts requests never answers 500 because of the cache (security check 31).
"""

import datetime as dt
import logging
import time

from django.core.cache import cache

from portal.cache import UNAVAILABLE

KEY_PREFIX = "ratelimit"
logger = logging.getLogger(__name__)


def rate_limit_hit(scope: str, client: str | None, *, limit: int, window: int) -> dt.datetime | None:
    """Count a request of `client` in `scope`; None if allowed, else when (UTC) the client may try again."""
    now = time.time()
    bucket = int(now // window)
    key = f"{KEY_PREFIX}:{scope}:{client or 'unknown'}:{bucket}"
    try:
        count = _count(key, timeout=window + 60)
    except UNAVAILABLE:  # the cache is unreachable (redis.ConnectionError, a timeout…): fail open, loudly
        logger.warning("rate limit %r not counted: the cache is unavailable; request allowed", scope, exc_info=True)
        return None
    if count <= limit:
        return None
    return dt.datetime.fromtimestamp((bucket + 1) * window, tz=dt.UTC)


def _count(key: str, *, timeout: int) -> int:
    # add() is a no-op when the key exists, and incr() is atomic on Redis: concurrent requests count once each.
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr(): this request opens a new count
        cache.add(key, 1, timeout=timeout)
        return 1


def rate_limit_reset() -> None:
    """Forget every count (tests): only this module's keys on Redis, which also carries Celery's queues."""
    backend = getattr(cache, "_cache", None)
    if backend is not None and hasattr(backend, "get_client"):
        client = backend.get_client(write=True)
        keys = list(client.scan_iter(match=cache.make_key(f"{KEY_PREFIX}:*")))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()
