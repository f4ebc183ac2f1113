"""Helpers of the §5.12 job tests (tests/dossiers/test_jobs.py, tests/security/test_c33_overdue_job.py): staff with
e-mail addresses, the jobs' alerts in the outbox, a dossier in processing."""

import pytest

from accounts.models import User
from dossiers import jobs
from outbox.models import OutboxMessage
from tests.dossiers.conftest import advance


@pytest.fixture
def staff_mail(people):
    """Give the staff e-mail addresses (the fixtures' staff have none, and an alert goes by e-mail)."""
    for key in ("desk", "officer", "head", "other_desk", "other_officer", "other_head"):
        User.objects.filter(pk=people[key].pk).update(email=f"{people[key].username}@ubnd.example.vn")
    return people


def alerts(kind=None):
    messages = OutboxMessage.objects.filter(topic=jobs.TOPIC)
    return messages.filter(key__startswith=f"job:{kind}:") if kind else messages


def alerted(kind):
    """The usernames told about `kind`, one entry per message."""
    ids = [message.payload["user_id"] for message in alerts(kind)]
    return sorted(User.objects.get(pk=pk).username for pk in ids)


def in_processing(receive, people, when="2026-03-02 10:00", **version):
    """A counter dossier forwarded to the officer the next morning; 10 working days: due Mon 16/3 10:00."""
    return advance(receive(when, **version), ("forward", "desk", {"handler": people["officer"]}), people=people)
