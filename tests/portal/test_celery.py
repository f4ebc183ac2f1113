"""Celery: eager in the embedded default, a real worker on Redis when REDIS_URL is set."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings

from portal.celery import app
from portal.tasks import ping


def test_embedded_default_runs_tasks_in_process():
    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set: tasks go to the real worker (next test)")
    assert app.conf.task_always_eager is True
    assert ping.delay().get(timeout=1) == "pong"


@pytest.mark.services
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the real broker")
def test_a_real_worker_consumes_the_redis_queue():
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = ping.delay()
            assert result.get(timeout=20) == "pong"
            assert result.state == "SUCCESS"
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
