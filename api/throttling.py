"""Request throttling per user (signed in) and per client address (anonymous), counted in Django's cache —
Redis in production, so every worker shares the count.

Rates come from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (`API_THROTTLE_USER`, `API_THROTTLE_ANON`), read on
each request. Over the rate: 429 with the error body and `Retry-After`. When the cache itself fails (Redis down)
the throttle lets the request through and logs a warning: an outage of the counter must not stop the service.
Keys start with `ratelimit:` like portal/ratelimit.py's, so `rate_limit_reset()` forgets them too.
"""

from __future__ import annotations

import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from dossiers.audit import request_client
from portal.cache import UNAVAILABLE

logger = logging.getLogger(__name__)


class _FailOpen(SimpleRateThrottle):
    cache_format = "ratelimit:api:%(scope)s:%(ident)s"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except UNAVAILABLE:  # the cache backend is down: serve, and say so in the log
            logger.warning("API throttle %s skipped: the cache is unavailable", self.scope, exc_info=True)
            return True

    def get_ident(self, request):
        # The same client address as the read log and the public lookup (TRUSTED_PROXY aware).
        return request_client(request).get("ip_address") or "unknown"


class UserThrottle(_FailOpen):
    """Signed-in callers, by user id (session and token alike)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonThrottle(_FailOpen):
    """Anonymous callers, by client address."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
