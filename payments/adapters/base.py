"""The interface every payment platform adapter implements (docs/domain.md §10.2).

`payments.services` speaks only to this interface: it asks for a redirect URL, hands the platform's notification
to `verify_notification`, and asks `query` about a transaction whose notification never came.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class PlatformError(Exception):
    """The platform could not be reached or answered something unusable (nothing was changed)."""


# The outcome a platform reports for a transaction.
PAID = "paid"
FAILED = "failed"
CANCELLED = "cancelled"
PENDING = "pending"
UNKNOWN = "unknown"  # the platform has no such transaction (the applicant never reached it)


@dataclass(frozen=True)
class Outcome:
    """A verified message from the platform about one transaction (a confirm callback or a query's answer)."""

    valid: bool  # the integrity code matched; when False nothing else may be trusted
    transaction_ref: str = ""
    outcome: str = UNKNOWN
    amount: int | None = None
    platform_transaction: str = ""
    error_code: str = ""
    raw: dict = field(default_factory=dict)


class PaymentAdapter(Protocol):
    name: str

    def init(self, payment, *, return_url: str, notify_url: str, ip: str = "") -> str:
        """Register the payment with the platform; return the URL the applicant is sent to."""

    def verify_notification(self, params: dict) -> Outcome:
        """Check a confirm callback's integrity code and read what it says."""

    def reply(self, params: dict, *, ok: bool, message: str) -> dict:
        """What the notification endpoint answers the platform."""

    def query(self, transaction_ref: str) -> Outcome:
        """Ask the platform again about a transaction (reconciliation)."""
