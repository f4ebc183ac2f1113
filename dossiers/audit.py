"""The event log's hash chain: each event stores the SHA-256 of its canonical content and its predecessor's hash.

Events of one dossier are chained in id order; the first has an empty `prev_hash`. Anything that writes events —
the services, the demo seeder's bulk COPY — computes `digest` with `event_digest`, and `manage.py audit_verify`
recomputes it, so a row edited behind the database's back (triggers disabled) breaks its link
(docs/adr/0005-audit-trail.md). Also here: who read — the client address and browser of a request for the read log.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings


def event_canonical(
    *,
    dossier_id: int,
    action: str,
    actor_id: int | None,
    actor_role: str,
    at: dt.datetime,
    from_status: str,
    to_status: str,
    note: str,
    visible_to_citizen: bool,
    data: Any,
    prev_hash: str,
) -> bytes:
    """The bytes that are hashed: a JSON object with sorted keys, the moment in UTC to the microsecond."""
    content = {
        "dossier": dossier_id,
        "action": action,
        "actor": actor_id,
        "role": actor_role or "",
        "at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "from": from_status or "",
        "to": to_status or "",
        "note": note or "",
        "visible": bool(visible_to_citizen),
        "data": data if data is not None else {},
        "prev": prev_hash or "",
    }
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def event_digest(**fields: Any) -> str:
    """SHA-256 (hex) of `event_canonical(**fields)`."""
    return hashlib.sha256(event_canonical(**fields)).hexdigest()


# --- Verifying the chain ----------------------------------------------------------------------------------------

# What `chain_verify` reads of each event (a `.values(*CHAIN_COLUMNS)` row).
CHAIN_COLUMNS = (
    "id",
    "dossier_id",
    "action",
    "actor_id",
    "actor_role",
    "at",
    "from_status",
    "to_status",
    "note",
    "visible_to_citizen",
    "data",
    "prev_hash",
    "digest",
)


class BreakKind(enum.StrEnum):
    LINK = "link"  # `prev_hash` is not the previous event's digest: an event was removed, inserted or re-linked
    DIGEST = "digest"  # the stored digest does not match the row's content: the row was edited


@dataclass(frozen=True)
class ChainBreak:
    dossier_id: int
    event_id: int
    action: str
    at: dt.datetime
    kind: BreakKind


@dataclass
class ChainReport:
    dossiers: int = 0
    events: int = 0
    broken: ChainBreak | None = None


def row_digest(row: Mapping[str, Any]) -> str:
    """`event_digest` recomputed from a stored row (as read back from the database)."""
    return event_digest(
        dossier_id=row["dossier_id"],
        action=row["action"],
        actor_id=row["actor_id"],
        actor_role=row["actor_role"],
        at=row["at"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        note=row["note"],
        visible_to_citizen=row["visible_to_citizen"],
        data=row["data"],
        prev_hash=row["prev_hash"],
    )


def chain_verify(rows: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Walk events ordered by dossier then id, stopping at the first broken link.

    The link is checked before the digest, so a removed or re-linked event is reported as a link and an edited
    row as a digest. Memory stays flat: only the previous row's digest is kept.
    """
    report = ChainReport()
    dossier_id, expected_prev = None, ""
    for row in rows:
        if row["dossier_id"] != dossier_id:
            dossier_id, expected_prev = row["dossier_id"], ""
            report.dossiers += 1
        report.events += 1
        if row["prev_hash"] != expected_prev:
            kind = BreakKind.LINK
        elif row_digest(row) != row["digest"]:
            kind = BreakKind.DIGEST
        else:
            expected_prev = row["digest"]
            continue
        report.broken = ChainBreak(row["dossier_id"], row["id"], row["action"], row["at"], kind)
        break
    return report


# --- Who read: the client of a request -----------------------------------------------------------------------------


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def request_client(request) -> dict[str, Any]:
    """`ip_address` and `user_agent` of a request, as keyword arguments for the read log.

    The address is REMOTE_ADDR; only when that is one of `settings.TRUSTED_PROXY` is the last X-Forwarded-For
    hop taken instead — the address that proxy itself saw, which a client cannot forge (earlier hops it can).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    address = _address(remote) if remote else None
    if remote in settings.TRUSTED_PROXY:
        hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            address = _address(hops[-1]) or address
    return {"ip_address": address, "user_agent": request.META.get("HTTP_USER_AGENT", "")}
