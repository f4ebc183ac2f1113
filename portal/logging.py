"""Scrubbing log records: no password, one-time code, session id, API token, Cookie/Authorization header or full
CCCD number reaches a log or error report, and a value holding CR/LF cannot forge a log line (docs/security.md
check 37, docs/privacy.md "Logs").

Two hooks, the same function: `ScrubFilter` sits on every handler of `settings.LOGGING`, and `install()` wraps the
log record factory so records are scrubbed when they are made — also for handlers added later (an error-report
client, pytest's caplog). Scrubbing a record twice changes nothing.

What is scrubbed, in the message after `%`-formatting and in the exception text:
- `key=value`, `key: value`, `'key': 'value'` and `'key': ['value']` (a QueryDict) for the secret keys below;
- `Authorization`, `Cookie` and `Set-Cookie` header values (also as `HTTP_AUTHORIZATION`/`HTTP_COOKIE` in META);
- `Bearer …` credentials, `Token …`/`Basic …` ones holding a digit, API tokens shaped `<prefix>.<secret>`;
- 12-digit numbers (a CCCD) down to their last four digits, `********1234`.
CR and LF in the message become the two characters `\\r` and `\\n`; a traceback keeps its own line breaks.
"""

from __future__ import annotations

import logging
import re
import traceback

REDACTED = "***"

# Keys whose values are secrets wherever they appear (form fields, query strings, dict reprs, JSON).
SECRET_KEYS = (
    "password",
    "password1",
    "password2",
    "new_password1",
    "new_password2",
    "old_password",
    "passwd",
    "pwd",
    "secret",
    "otp",
    "otp_token",
    "otp_code",
    "totp",
    "token",
    "access_token",
    "refresh_token",
    "api_key",
    "apikey",
    "sessionid",
    "session_key",
    "session_id",
    "csrftoken",
    "csrfmiddlewaretoken",
    "recovery_code",
)

_KEY_VALUE = re.compile(
    r"(?P<key>(?<![A-Za-z0-9])[\"']?(?:" + "|".join(SECRET_KEYS) + r")[\"']?)"
    r"(?P<sep>\s*[:=]\s*\[?\s*[\"']?)"
    r"(?P<value>[^\"'&\s,;}\]]+)",
    re.IGNORECASE,
)
_HEADER = re.compile(
    r"(?P<key>(?<![A-Za-z0-9])[\"']?(?:HTTP_AUTHORIZATION|HTTP_COOKIE|Proxy-Authorization|Authorization|"
    r"Set-Cookie|Cookie)[\"']?)"
    r"(?P<sep>\s*[:=]\s*[\"']?)"
    r"(?P<value>[^\"'\r\n]+)",
    re.IGNORECASE,
)
# `Bearer <anything long>`; `Token`/`Basic` only when the value holds a digit, so prose ("token verification")
# stays readable.
_BEARER = re.compile(
    r"(?P<scheme>\bBearer)\s+(?P<value>[A-Za-z0-9._~+/=-]{8,})"
    r"|(?P<scheme2>\b(?:Token|Basic))\s+(?P<value2>(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,})",
    re.IGNORECASE,
)
# An API token is "<prefix>.<secret>": a short prefix, a dot, a long URL-safe secret (api/models.py).
_API_TOKEN = re.compile(r"\b(?P<prefix>[A-Za-z0-9_]{2,16})\.(?P<value>[A-Za-z0-9_-]{32,})")
# A full CCCD: exactly 12 digits, not part of a longer number.
_CCCD = re.compile(r"(?<!\d)\d{8}(?P<last>\d{4})(?!\d)")


def scrub(text: str) -> str:
    """`text` with every secret of the module docstring masked (line breaks untouched)."""
    if not text:
        return text
    text = _HEADER.sub(lambda m: f"{m['key']}{m['sep']}{REDACTED}", text)
    text = _BEARER.sub(lambda m: f"{m['scheme'] or m['scheme2']} {REDACTED}", text)
    text = _KEY_VALUE.sub(lambda m: f"{m['key']}{m['sep']}{REDACTED}", text)
    text = _API_TOKEN.sub(lambda m: f"{m['prefix']}.{REDACTED}", text)
    return _CCCD.sub(lambda m: "********" + m["last"], text)


def one_line(text: str) -> str:
    """CR and LF shown as `\\r` and `\\n`: a value cannot start a line that looks like another record."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def scrub_record(record: logging.LogRecord) -> logging.LogRecord:
    """Format the message once, scrub it and keep it as the record's message (args emptied); scrub the exception
    text. Idempotent (a scrubbed text no longer matches), so a filter that changed the record since is covered
    by the handler's pass."""
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep what there is, scrubbed, rather than lose the record
        message = f"{record.msg!s} {record.args!r}"
    record.msg = one_line(scrub(str(message)))
    record.args = ()
    if record.exc_info and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)
    return record


class ScrubFilter(logging.Filter):
    """On every handler (portal/settings.py LOGGING): scrub the record, never drop it."""

    def filter(self, record: logging.LogRecord) -> bool:
        scrub_record(record)
        return True


_installed = False


def install() -> None:
    """Scrub records as they are made (the record factory), once per process."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        return scrub_record(previous(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True
