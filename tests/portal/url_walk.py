"""Every URL pattern of the portal, from the resolver itself, with the access rule its view declares.

Shared by tests/portal/test_url_access.py (every URL declares a rule) and tests/desk/test_access_matrix.py (every
declared URL refuses whom it should), so a URL added later is covered by both as soon as it exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

from portal.access import Access, access_of

_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")  # a regex pattern's named group
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")  # a route's converter


@dataclass(frozen=True)
class Url:
    key: str  # "namespace:name", or "namespace:route:<full route>" for an unnamed pattern
    route: str
    view: Callable

    @property
    def kwargs(self) -> list[str]:
        return _GROUP.findall(self.route) + _CONVERTER.findall(self.route)

    @property
    def is_api(self) -> bool:
        """An API endpoint: it answers an anonymous caller 401/403 with a JSON body, never the sign-in page."""
        return self.route.startswith("api/")

    @property
    def access(self) -> Access | None:
        return access_of(self.view)

    def path(self, values: Mapping[str, object]) -> str:
        """A concrete path for the pattern, its parameters filled from `values`."""
        path = _GROUP.sub(lambda m: str(values[m[1]]), self.route)
        path = _CONVERTER.sub(lambda m: str(values[m[1]]), path)
        return "/" + path.replace("^", "").replace("$", "").replace("\\", "")


def walk(patterns, namespace: str = "", prefix: str = "") -> Iterator[Url]:
    """Every pattern under `patterns`, recursively through includes and namespaces."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            key = f"{namespace}{entry.name}" if entry.name else f"{namespace}route:{route}"
            yield Url(key=key, route=route, view=entry.callback)
        else:  # pragma: no cover - Django has no third kind
            raise AssertionError(f"unknown URL entry {entry!r}")


def live_urls() -> list[Url]:
    return list(walk(get_resolver().url_patterns))


def declared_urls() -> list[Url]:
    """The URLs whose view declares its rule (`portal.access`): the staff's, and the dossier pages."""
    return [url for url in live_urls() if url.access is not None]
