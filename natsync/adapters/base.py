"""The interface of a national portal sync adapter (docs/domain.md §10.1).

`natsync.services` speaks only to this: it builds a `Message` (create, update or progress, with the outbox key as
its id) and asks `send` for a `Receipt`. An adapter raises `SyncError` when the receiver could not be reached or
refused the message, so the outbox retries it with back-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

CREATE = "create"
UPDATE = "update"
PROGRESS = "progress"
KINDS = (CREATE, UPDATE, PROGRESS)


class SyncError(Exception):
    """The receiver was unreachable, unavailable or refused the message; nothing is known to have been kept."""


@dataclass(frozen=True)
class Message:
    kind: str  # one of KINDS
    id: str  # stable across retries: the outbox key, so the receiver drops a copy
    body: dict


@dataclass(frozen=True)
class Receipt:
    """The receiver's answer to an accepted message (`error_code` "0")."""

    error_code: str
    message: str = ""
    kind: str = ""  # the endpoint that finally accepted it (a create answered "already exists" goes to update)
    raw: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Submission:
    """A dossier submitted on the national portal, as the adapter reads it from an inbound message."""

    national_code: str
    procedure_code: str
    agency_identifier: str
    applicant_kind: int
    applicant_name: str
    identities: tuple[tuple[str, str], ...] = ()
    phone: str = ""
    email: str = ""
    summary: str = ""
    submitted_at: object = None  # an aware datetime, or None (then the moment of arrival)


class SyncAdapter(Protocol):
    name: str

    def send(self, message: Message) -> Receipt:
        """Deliver one message; raise SyncError unless the receiver accepted it."""

    def parse_submission(self, body: dict) -> Submission:
        """Read an inbound dossier; raise SyncError when a required field is missing or malformed."""
