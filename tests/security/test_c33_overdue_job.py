"""Check 33 — the overdue job run twice.

The check: running the overdue job twice for the same day, or on two workers at once, flags each overdue dossier
once and sends one reminder to each person concerned; after an outage of days, the next run catches up on every
dossier that became late meanwhile, still without duplicates.

How the tests show it: the job (`dossiers.jobs`, every §5.12 selection a set-based SQL statement with a unique
marker per dossier, kind and threshold, `INSERT … ON CONFLICT DO NOTHING`) runs twice in a row and the second run
changes and tells nothing while the e-mails are one per recipient; three threads on PostgreSQL run every job at the
same moment and the markers, the flags and the alerts exist once; a run after the beat was down for a week (three
dossiers became late on three different days, the shortest gap three days) flags all three once; and the Celery
task on a real worker through Redis delivers each alert once and a second run finds nothing.
"""

import datetime as dt
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection

from dossiers import jobs
from dossiers.models import Dossier, DossierStep, JobMarker
from dossiers.workflow import Status
from outbox.models import OutboxMessage, OutboxState
from portal.celery import app
from tests.dossiers import conftest as engine
from tests.dossiers import jobs_fixtures
from tests.dossiers.conftest import at
from tests.dossiers.jobs_fixtures import alerted, alerts, in_processing
from tests.outbox.helpers import not_eager, wait_for

# The fixtures of the dossier engine and of the job tests, made visible to pytest in this module.
agencies = engine.agencies
applicant_for = engine.applicant_for
make_version = engine.make_version
people = engine.people
prepared = engine.prepared
receive = engine.receive
submitted = engine.submitted
staff_mail = jobs_fixtures.staff_mail

pytestmark = pytest.mark.django_db


# --- Twice for the same day --------------------------------------------------------------------------------------


def test_newly_late_flags_and_tells_handler_head_and_desk_once(receive, staff_mail, django_capture_on_commit_callbacks):
    dossier = in_processing(receive, staff_mail)

    with django_capture_on_commit_callbacks(execute=True):
        first = jobs.job_late(now=at("2026-03-17 08:00"))
        second = jobs.job_late(now=at("2026-03-17 08:05"))

    dossier.refresh_from_db()
    assert dossier.is_overdue
    assert dossier.overdue_since == dt.date(2026, 3, 17)
    assert (first.changed, first.notified) == (1, 3)
    assert (second.changed, second.notified) == (0, 0)
    assert alerted("late") == ["desk", "head", "officer"]
    subjects = sorted(m.subject for m in mail.outbox if m.subject.endswith("Hồ sơ quá hạn"))
    assert subjects == [f"Hồ sơ {dossier.code}: Hồ sơ quá hạn"] * 3
    assert "10:00 16/03/2026" in next(m.body for m in mail.outbox if m.subject.endswith("Hồ sơ quá hạn"))


# --- Catch-up after an outage --------------------------------------------------------------------------------


def test_a_run_after_days_of_downtime_flags_everything_that_became_late_once(receive, make_version, staff_mail):
    version = make_version(value=Decimal(3), budgets=())
    dossiers = [
        in_processing(receive, staff_mail, when=when, version=version)
        for when in ("2026-03-02 10:00", "2026-03-03 10:00", "2026-03-04 10:00")
    ]  # due 5/3, 6/3 and 9/3: late from 6/3, 9/3 and 10/3

    first = jobs.run_all(now=at("2026-03-12 08:00"))  # beat was down since 5/3
    again = jobs.run_all(now=at("2026-03-12 08:05"))

    assert Dossier.objects.filter(pk__in=[d.pk for d in dossiers], is_overdue=True).count() == 3
    assert first["late"] == jobs.JobResult(3, 9)
    assert all(result == jobs.JobResult(0, 0) for result in again.values())
    assert JobMarker.objects.filter(kind="late").count() == 3
    keys = list(alerts().values_list("key", flat=True))
    assert len(keys) == len(set(keys))


# --- Two workers at once -------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_workers_running_every_job_at_once_notify_once(receive, submitted, prepared, staff_mail):
    for when in ("2026-03-02 10:00", "2026-03-03 10:00"):
        in_processing(receive, staff_mail, when=when)
    submitted("2026-03-04 10:00")
    prepared("result_ready")
    prepared("appraisal_supplement")
    now = at("2026-03-31 08:00")
    workers = 3
    start = threading.Barrier(workers)

    def worker():
        """Every job in turn, the workers lined up before each, so that they race on each selection."""
        try:
            results = {}
            for name, job in jobs.JOBS.items():
                start.wait(timeout=10)
                results[name] = job(now=now)
            return results
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda _i: worker(), range(workers)))

    for name in ("late", "late_acceptance", "uncollected", "expire_supplements"):
        assert sum(result[name].changed for result in results) >= 1, name
    notified = sum(result[name].notified for result in results for name in result if name != "expire_supplements")
    assert notified == alerts().count() > 0
    markers = JobMarker.objects.values_list("dossier_id", "kind", "threshold")
    assert len(markers) == len(set(markers))
    assert DossierStep.objects.filter(is_late=True).count() >= 2
    assert Dossier.objects.filter(status=Status.STOPPED).count() == 1
    assert jobs.run_all(now=now + dt.timedelta(minutes=5))["late"] == jobs.JobResult(0, 0)


# --- A real worker ---------------------------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the real broker and worker")
def test_the_overdue_task_runs_on_a_real_worker_and_its_alerts_are_delivered(receive, staff_mail):
    from dossiers.tasks import flag_overdue

    dossier = in_processing(receive, staff_mail)
    OutboxMessage.objects.update(state=OutboxState.DELIVERED)  # the setup's applicant mails are not under test
    mail.outbox.clear()
    with (
        time_machine.travel(at("2026-03-17 08:00"), tick=True),
        not_eager(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        result = flag_overdue.delay().get(timeout=20)
        wait_for(
            lambda: alerts().count() == 3 and not alerts().exclude(state=OutboxState.DELIVERED).exists(),
            what="the three staff alerts to be delivered",
        )
        assert flag_overdue.delay().get(timeout=20) == {"changed": 0, "notified": 0}

    assert result == {"changed": 1, "notified": 3}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "desk@ubnd.example.vn",
        "head@ubnd.example.vn",
        "officer@ubnd.example.vn",
    ]
    assert {m.subject for m in mail.outbox} == {f"Hồ sơ {dossier.code}: Hồ sơ quá hạn"}


def test_three_days_of_outage_then_two_runs_send_one_reminder_each(
    receive, make_version, staff_mail, django_capture_on_commit_callbacks
):
    version = make_version(value=Decimal(3), budgets=())
    dossier = in_processing(receive, staff_mail, when="2026-03-02 10:00", version=version)  # due Thu 5/3 10:00
    assert jobs.run_all(now=at("2026-03-05 08:00"))["late"] == jobs.JobResult(0, 0)  # the last run before the outage

    with django_capture_on_commit_callbacks(execute=True):
        first = jobs.run_all(now=at("2026-03-09 08:00"))  # beat and workers down Fri 6/3 – Sun 8/3
        second = jobs.run_all(now=at("2026-03-09 08:00"))  # the same day's run again (a restarted beat)

    assert first["late"] == jobs.JobResult(1, 3)
    assert second["late"] == jobs.JobResult(0, 0)
    dossier.refresh_from_db()
    assert dossier.is_overdue
    assert alerted("late") == ["desk", "head", "officer"]
    late_mails = [m for m in mail.outbox if m.subject == f"Hồ sơ {dossier.code}: Hồ sơ quá hạn"]
    assert sorted(m.to[0] for m in late_mails) == [
        "desk@ubnd.example.vn",
        "head@ubnd.example.vn",
        "officer@ubnd.example.vn",
    ]
