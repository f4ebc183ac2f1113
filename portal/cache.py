"""The cache as a shortcut only: a read or write that fails (Redis down or hung) is logged and treated as a miss,
so a page that could be computed from the database still is (docs/security.md check 31).

Only for values the database can give again (the working-day calendar, the catalogue's filter lists); counters that
must be shared between processes (portal/ratelimit.py, api/throttling.py) decide for themselves how to fail.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

from portal.errors import REDIS_DOWN

logger = logging.getLogger("portal.cache")

# What the cache raises when Redis is down, refuses or hangs (the in-process cache raises none of them): the same
# errors that give the maintenance page where a request cannot do without Redis (portal/errors.py).
UNAVAILABLE: tuple[type[BaseException], ...] = (*REDIS_DOWN, OSError)


def cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except UNAVAILABLE as error:
        logger.warning("cache unavailable, reading %s from the database: %s", key, error)
        return default


def cache_set(key: str, value, timeout=None) -> None:
    try:
        cache.set(key, value, timeout)
    except UNAVAILABLE as error:
        logger.warning("cache unavailable, %s not kept: %s", key, error)


def cache_add(key: str, value, timeout=None) -> None:
    try:
        cache.add(key, value, timeout)
    except UNAVAILABLE as error:
        logger.warning("cache unavailable, %s not kept: %s", key, error)


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except UNAVAILABLE as error:
        logger.warning("cache unavailable, %s not dropped: %s", key, error)
