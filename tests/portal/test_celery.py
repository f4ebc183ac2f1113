"""Celery: eager in the embedded default, a real worker on Redis when REDIS_URL is set."""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from celery.schedules import crontab
from django.conf import settings

from portal.celery import app
from portal.tasks import ping
from tests.portal.test_settings import run_manage

JOB_NAMES = ("late_steps", "due_soon", "apology", "late_acceptance", "uncollected", "expire_supplements")


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


def test_tasks_are_delivered_at_least_once():
    """Acknowledged after running, given back when the worker is lost, one at a time, back within minutes."""
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    options = app.conf.broker_transport_options
    assert 30 <= options["visibility_timeout"] <= 300
    assert options["socket_connect_timeout"] <= 5
    assert options["socket_timeout"] <= 10
    assert app.conf.broker_connection_timeout <= 5


def test_beat_runs_the_overdue_job_the_outbox_sweep_and_the_payment_reconciliation():
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    jobs = [f"dossiers.job_{name}" for name in JOB_NAMES]
    assert schedule == {
        "dossiers.flag_overdue": 300,
        **dict.fromkeys(jobs, 300),
        "outbox.sweep": 60,
        "dossiers.files_rescan": 60,
        "payments.reconcile": 900,
        "dossiers.job_markers_purge": 86400,
        "stats.refresh": 300,
        "indicators.refresh": 300,
        "transparency.refresh": crontab(hour=1, minute=30),
    }
    tasks = {
        "outbox.deliver",
        "outbox.sweep",
        "dossiers.flag_overdue",
        "payments.reconcile",
        "dossiers.job_markers_purge",
        "dossiers.files_rescan",
        "stats.refresh",
        "indicators.refresh",
        "transparency.refresh",
        *jobs,
    }
    assert tasks <= set(app.tasks)


@pytest.mark.parametrize(
    ("redis_url", "eager_env", "eager"),
    [("", "0", "True"), ("redis://127.0.0.1:6379/1", "0", "False"), ("redis://127.0.0.1:6379/1", "1", "True")],
)
def test_eager_mode_cannot_be_switched_off_without_a_broker(redis_url, eager_env, eager):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER)",
        REDIS_URL=redis_url,
        PORTAL_TESTING="1",
        CELERY_TASK_ALWAYS_EAGER=eager_env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == eager
