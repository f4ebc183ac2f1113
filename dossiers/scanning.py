"""The malware scanner: a client for ClamAV's daemon (clamd) speaking its INSTREAM protocol (docs/uploads.md).

`CLAMAV_ADDRESS` names the daemon: "tcp://host:port" or "unix:///path/to/clamd.ctl"; empty means no scanner is
configured. Every call has a connect and read timeout (`CLAMAV_TIMEOUT` seconds), so a stalled daemon cannot hold an
upload for long: an unreachable, slow or confused daemon raises `ScannerUnavailable` and the caller stores the file
as waiting for a scan (never served until a later scan finds it clean).

The protocol (clamd(8)): send `zINSTREAM\\0`, then the bytes as chunks each preceded by its length as a 4-byte
big-endian integer, then a zero-length chunk; the daemon answers `stream: OK\\0` or `stream: <signature> FOUND\\0`
(or `… ERROR\\0`, for example when the stream passes its `StreamMaxLength`). Some forty lines did not justify a
dependency: the `clamd` package on PyPI has not been maintained for years.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 64 * 1024
REPLY_MAX = 4096


class ScannerUnavailable(Exception):
    """No verdict: the scanner is not configured, does not answer in time, or answered with an error."""


@dataclass(frozen=True)
class Verdict:
    """A scanner's answer for one stream: clean, or infected with the named signature."""

    clean: bool
    signature: str = ""


def scanner_configured() -> bool:
    return bool(settings.CLAMAV_ADDRESS)


def _connect(address: str, timeout: float) -> socket.socket:
    parts = urlsplit(address)
    try:
        if parts.scheme == "unix":
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(timeout)
            try:
                sock.connect(parts.path)
            except BaseException:
                sock.close()
                raise
            return sock
        if parts.scheme == "tcp" and parts.hostname and parts.port:
            return socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    except OSError as error:
        raise ScannerUnavailable(f"cannot connect to {address}: {error}") from error
    raise ScannerUnavailable(f"CLAMAV_ADDRESS must be tcp://host:port or unix:///path, not {address!r}")


def _reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0") and len(data) < REPLY_MAX:
        part = sock.recv(REPLY_MAX)
        if not part:
            break
        data += part
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan_stream(fileobj, *, address: str | None = None, timeout: float | None = None) -> Verdict:
    """Scan a binary file object from position 0 (left at position 0); raises `ScannerUnavailable`."""
    address = address if address is not None else settings.CLAMAV_ADDRESS
    timeout = timeout if timeout is not None else settings.CLAMAV_TIMEOUT
    if not address:
        raise ScannerUnavailable("CLAMAV_ADDRESS is not set")
    fileobj.seek(0)
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := fileobj.read(CHUNK):
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = _reply(sock)
    except OSError as error:  # a timeout, a reset (clamd closes on StreamMaxLength), a refused connection
        raise ScannerUnavailable(f"scan failed at {address}: {error}") from error
    finally:
        fileobj.seek(0)
    if reply == "stream: OK":
        return Verdict(clean=True)
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return Verdict(clean=False, signature=reply[len("stream: ") : -len(" FOUND")].strip())
    raise ScannerUnavailable(f"unexpected answer from {address}: {reply[:200]!r}")


def scanner_ping(*, address: str | None = None, timeout: float | None = None) -> bool:
    """True when the daemon answers PING (used by the rescan job before it walks the waiting files)."""
    address = address if address is not None else settings.CLAMAV_ADDRESS
    timeout = timeout if timeout is not None else settings.CLAMAV_TIMEOUT
    if not address:
        return False
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zPING\0")
            return _reply(sock) == "PONG"
    except (OSError, ScannerUnavailable):
        return False
