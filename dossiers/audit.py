"""The event log's hash chain: each event stores the SHA-256 of its canonical content and its predecessor's hash.

Events of one dossier are chained in id order; the first has an empty `prev_hash`. Anything that writes events —
the services, the demo seeder's bulk COPY — computes `digest` with `event_digest`, and `manage.py audit_verify`
recomputes it, so a row edited behind the database's back (triggers disabled) breaks its link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any


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
