"""Numbers the desk writes on paper: the tracking-register entry of a receipt and the document number of a form.

Called by `dossiers.services` inside the transaction of each state change, after the handler ran.
"""

from __future__ import annotations

import datetime as dt

from dossiers.models import Dossier


def numbers_on_transition(dossier: Dossier, *, action: str, now: dt.datetime) -> dict:
    """Allocate the numbers this action calls for; returns what to add to the event's data (may be empty)."""
    return {}
