"""A state change's notification leaves through the outbox and Redis to a real Celery worker, after the commit,
in the order of the changes."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from dossiers.notifications import IDEMPOTENCY_HEADER
from outbox.models import OutboxMessage, OutboxState
from portal.celery import app
from tests.dossiers.conftest import advance
from tests.outbox.helpers import not_eager, wait_for

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the real broker and worker"),
    pytest.mark.django_db(transaction=True),
]


def test_the_worker_mails_the_applicant_after_commit(receive, people):
    with not_eager(), start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        dossier = receive("2026-03-02 08:00")
        dossier = advance(dossier, ("forward", "desk", {}), people=people)
        messages = OutboxMessage.objects.filter(dossier_id=dossier.pk)
        # Both changes queued a message on commit; wait for every one of them, not only the last.
        assert messages.count() == 2
        wait_for(
            lambda: not messages.exclude(state=OutboxState.DELIVERED).exists(),
            what="both notifications to be delivered",
        )

    assert [m.subject for m in mail.outbox] == [
        f"Hồ sơ {dossier.code}: Mới tiếp nhận",
        f"Hồ sơ {dossier.code}: Đang xử lý",
    ]
    assert [m.extra_headers[IDEMPOTENCY_HEADER] for m in mail.outbox] == list(
        messages.order_by("id").values_list("key", flat=True)
    )
