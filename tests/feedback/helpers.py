"""Building feedback and returned dossiers for the tests of feedback/ (and the access matrix's sample)."""

from __future__ import annotations

import datetime as dt

from feedback.models import Feedback, Subject
from feedback.services import FeedbackInput, feedback_submit
from tests.dossiers.conftest import advance, at
from tests.dossiers.transition_cases import HANDOVER


def sample_feedback(*, user, agency, now: dt.datetime | None = None, title: str = "Thời gian chờ quá lâu") -> Feedback:
    """One feedback of `user` to `agency` with this title, created the first time only (a sample asked for twice
    is the same row)."""
    existing = Feedback.objects.filter(user=user, agency=agency, title=title).first()
    if existing is not None:
        return existing
    data = FeedbackInput(subject=Subject.AGENCY, agency=agency, title=title, content="Tôi phải chờ hai giờ.")
    return feedback_submit(user=user, data=data, now=now or at("2026-03-05 09:00"))[0]


def bring_to_returned(
    dossier, *, people, forward="2026-03-02 11:00", result="2026-03-05 09:00", back="2026-03-05 10:00"
):
    """Forward, issue the result and return it at the counter (an online dossier too: its owner came to the desk),
    each at its own moment."""
    dossier = advance(dossier, ("forward", "desk", {}), people=people, when=forward)
    dossier = advance(dossier, ("issue_result", "head", {"number": "15/QĐ"}), people=people, when=result)
    return advance(dossier, ("return_result", "desk", {"method": "counter", **HANDOVER}), people=people, when=back)
