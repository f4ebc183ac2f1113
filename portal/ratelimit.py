"""A fixed-window request counter per client in Django's cache (Redis when REDIS_URL is set, so every worker
process shares the count; the in-process cache otherwise).

`rate_limit_hit("lookup", client, limit=20, window=600)` counts one request and answers None while the client is
within `limit` requests of the current `window` seconds, or the moment the window ends once it is over. Windows
are aligned on the epoch (10:00, 10:10, …), so a client never waits longer than one window.
"""

import datetime as dt
import time

from django.core.cache import cache

KEY_PREFIX = "ratelimit"


def rate_limit_hit(scope: str, client: str | None, *, limit: int, window: int) -> dt.datetime | None:
    """Count a request of `client` in `scope`; None if allowed, else when (UTC) the client may try again."""
    now = time.time()
    bucket = int(now // window)
    key = f"{KEY_PREFIX}:{scope}:{client or 'unknown'}:{bucket}"
    # add() is a no-op when the key exists, and incr() is atomic on Redis: concurrent requests count once each.
    cache.add(key, 0, timeout=window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr(): this request opens a new count
        cache.add(key, 1, timeout=window + 60)
        count = 1
    if count <= limit:
        return None
    return dt.datetime.fromtimestamp((bucket + 1) * window, tz=dt.UTC)


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
