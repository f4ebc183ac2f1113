"""A state change's notification leaves through Redis to a real Celery worker, only after the commit."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from dossiers.models import DossierEvent
from portal.celery import app
from tests.dossiers.conftest import advance

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the real broker and worker"),
    pytest.mark.django_db(transaction=True),
]


def test_the_worker_mails_the_applicant_after_commit(receive, people):
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            dossier = receive("2026-03-02 08:00")
            dossier = advance(dossier, ("forward", "desk", {}), people=people)
            event = DossierEvent.objects.filter(dossier=dossier).latest("id")
            from dossiers.tasks import dossier_changed

            # The same task the service queued on commit, awaited here to know the worker has run it.
            assert dossier_changed.delay(dossier.pk, event.pk).get(timeout=20) is True
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER

    subjects = [m.subject for m in mail.outbox]
    assert subjects.count(f"Hồ sơ {dossier.code}: Đang xử lý") >= 1
    assert any("Mới tiếp nhận" in s for s in subjects)
