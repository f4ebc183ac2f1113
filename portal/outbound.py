"""The one guard for every URL the portal itself calls out to (webhooks today): checked before any connection.

A URL an administrator or integrator types must never turn the portal into a proxy into its own network (SSRF,
docs/security.md check 24). `outbound_check(url)` refuses, before a socket is opened:

- any scheme but `https` (`file://`, `gopher://`, `ftp://` …); plain `http` only for a host of
  `OUTBOUND_LOCAL_HOSTS` (the local fakes of development and tests);
- credentials in the URL, a port outside `OUTBOUND_ALLOWED_PORTS` (local hosts excepted);
- a host that is not on the allow-list `OUTBOUND_ALLOWED_HOSTS` (exact names, or `.example.gov.vn` for a domain
  and its subdomains) or `OUTBOUND_LOCAL_HOSTS` (exact names only);
- with `resolve=True` (at delivery), a host any of whose addresses is not a global one: loopback, private ranges,
  link-local (the cloud metadata service 169.254.169.254), carrier-grade NAT, multicast, reserved — unless that exact
  host is in `OUTBOUND_LOCAL_HOSTS`.

`outbound_post` then connects to the very address that was checked (no second DNS answer can swap it for an
internal one), verifies the certificate against the host's name, and never follows a redirect.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class OutboundRefused(ValueError):
    """The URL may not be called; `str(error)` says why, in Vietnamese. Nothing was sent."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (`address`, None until resolved) and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    address: str | None = None
    local: bool = False


def _host_allowed(host: str, entries) -> bool:
    for entry in entries:
        entry = entry.strip().lower()
        if not entry:
            continue
        if entry.startswith("."):
            if host == entry[1:] or host.endswith(entry):
                return True
        elif host == entry:
            return True
    return False


def _local_hosts() -> set[str]:
    return {host.strip().lower() for host in getattr(settings, "OUTBOUND_LOCAL_HOSTS", []) if host.strip()}


def _address_refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # Only globally routable addresses: this excludes loopback, RFC 1918, link-local (metadata), CGNAT, ULA,
    # multicast, reserved and unspecified addresses in one rule.
    return not ip.is_global or ip.is_multicast


def outbound_check(url: str, *, resolve: bool = True) -> Target:
    """The checked target of `url`, or OutboundRefused. With `resolve`, every address the host resolves to is
    checked and the first one is pinned for the connection."""
    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError as error:
        raise OutboundRefused(_("Địa chỉ không hợp lệ."), code="invalid_url") from error
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("https", "http"):
        raise OutboundRefused(_("Chỉ chấp nhận địa chỉ https://."), code="scheme")
    if not host:
        raise OutboundRefused(_("Địa chỉ không có tên máy chủ."), code="invalid_url")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused(_("Địa chỉ không được chứa tên đăng nhập hay mật khẩu."), code="credentials")
    try:
        host.encode("idna")
    except UnicodeError as error:
        raise OutboundRefused(_("Tên máy chủ không hợp lệ."), code="invalid_url") from error
    local = host in _local_hosts()
    if scheme == "http" and not local:
        raise OutboundRefused(_("Chỉ chấp nhận địa chỉ https://."), code="scheme")
    if not local and not _host_allowed(host, getattr(settings, "OUTBOUND_ALLOWED_HOSTS", [])):
        raise OutboundRefused(
            _("Máy chủ “{host}” không nằm trong danh sách được phép gọi ra ngoài.").format(host=host),
            code="host_not_allowed",
        )
    port = port or (443 if scheme == "https" else 80)
    if not local and port not in getattr(settings, "OUTBOUND_ALLOWED_PORTS", [443]):
        raise OutboundRefused(_("Cổng {port} không được phép.").format(port=port), code="port_not_allowed")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    target = Target(scheme=scheme, host=host, port=port, path=path, local=local)
    if not local:
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None and _address_refused(host):
            raise OutboundRefused(_("Không được gọi tới địa chỉ nội bộ."), code="private_address")
    if not resolve:
        return target
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise OutboundRefused(_("Không phân giải được tên máy chủ."), code="unresolvable") from error
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise OutboundRefused(_("Không phân giải được tên máy chủ."), code="unresolvable")
    if not local and any(_address_refused(address) for address in addresses):
        raise OutboundRefused(_("Không được gọi tới địa chỉ nội bộ."), code="private_address")
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0], local=local)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the certificate verified against the host name (SNI)."""

    def __init__(self, target: Target, *, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, *, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def outbound_post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST `body` to `url` after `outbound_check`; (status, at most 64 KiB of the answer). A redirect is answered
    as the 3xx it is, never followed. Raises OutboundRefused before connecting, OSError on a network failure."""
    target = outbound_check(url, resolve=True)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers={"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        return response.status, response.read(65536)
    finally:
        connection.close()


# --- The PDF renderer's fetcher ---------------------------------------------------------------------------------


def _pdf_roots() -> list:
    from pathlib import Path

    roots = [*getattr(settings, "STATICFILES_DIRS", []), settings.STATIC_ROOT, settings.MEDIA_ROOT]
    return [Path(root).resolve() for root in roots if root]


def _local_file(url: str):
    """The file a `file:` URL names when it lies under the portal's static or media directories, else None."""
    from pathlib import Path
    from urllib.parse import unquote

    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return None  # urllib would fetch file://host/ over FTP
    path = Path(unquote(parts.path)).resolve()
    if not path.is_file():
        return None
    return path if any(path.is_relative_to(root) for root in _pdf_roots()) else None


_fetcher_class = None


def pdf_url_fetcher():
    """A WeasyPrint URL fetcher for every HTML→PDF render: `data:` URIs (the QR codes) and the portal's own static
    and media files, nothing else — an `<img src="http://169.254.169.254/">` slipped into a template is refused
    without any connection (check 24). WeasyPrint logs the refusal and renders the page without the resource."""
    global _fetcher_class
    if _fetcher_class is None:
        import mimetypes

        from weasyprint.urls import URLFetcher, URLFetcherResponse

        class PortalURLFetcher(URLFetcher):
            def fetch(self, url, headers=None):
                scheme = url.split(":", 1)[0].lower() if ":" in url else ""
                if scheme == "data":
                    return super().fetch(url, headers)
                if scheme == "file":
                    path = _local_file(url)
                    if path is not None:
                        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})
                raise ValueError(f"The PDF renderer fetches only the portal's own files, not {url[:200]!r}")

        _fetcher_class = PortalURLFetcher
    return _fetcher_class(allowed_protocols=("data", "file"), allow_redirects=False)
