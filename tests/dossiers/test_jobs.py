"""The §5.12 beat jobs (dossiers/jobs.py): each selection, run twice, on two workers at once, after downtime, and on
a real Celery worker."""

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

from accounts.models import User
from dossiers import jobs
from dossiers.models import Apology, Dossier, DossierStep, JobMarker
from dossiers.workflow import SUPPLIED, Status
from outbox.models import OutboxMessage, OutboxState
from portal.celery import app
from tests.dossiers.conftest import advance, at
from tests.outbox.helpers import not_eager, wait_for


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


# --- Each selection ------------------------------------------------------------------------------------------


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


def test_not_yet_late_on_the_due_day(receive, staff_mail):
    in_processing(receive, staff_mail)

    assert jobs.job_late(now=at("2026-03-16 16:00")) == jobs.JobResult(0, 0)
    assert not alerts().exists()


def test_a_late_step_is_flagged_and_reported_once(receive, staff_mail):
    dossier = in_processing(receive, staff_mail)
    step = dossier.current_step
    after = step.due_at + dt.timedelta(minutes=1)

    assert jobs.job_late_steps(now=step.due_at).changed == 0
    first = jobs.job_late_steps(now=after)
    second = jobs.job_late_steps(now=after + dt.timedelta(minutes=5))

    step.refresh_from_db()
    assert step.is_late is True
    assert (first.changed, first.notified) == (1, 2)
    assert (second.changed, second.notified) == (0, 0)
    assert alerted("late_step") == ["head", "officer"]


def test_due_soon_within_the_working_hours_window_once_per_due_moment(receive, staff_mail, settings):
    settings.DUE_SOON_WORKING_HOURS = 8
    dossier = in_processing(receive, staff_mail)  # due Mon 16/3 10:00

    # Thu 12/3 10:00 + 8 working hours = Fri 13/3 10:00: not yet.
    assert jobs.job_due_soon(now=at("2026-03-12 10:00")).changed == 0
    # Fri 13/3 11:00 + 8 working hours (4 h on Friday, 4 h on Monday) = Mon 16/3 11:00: due soon.
    assert jobs.job_due_soon(now=at("2026-03-13 11:00")) == jobs.JobResult(1, 2)
    assert jobs.job_due_soon(now=at("2026-03-13 15:00")) == jobs.JobResult(0, 0)
    assert alerted("due_soon") == ["head", "officer"]

    # A new due moment is a new threshold: reported again, once.
    later = dossier.current_due_at + dt.timedelta(days=1)
    Dossier.objects.filter(pk=dossier.pk).update(current_due_at=later)
    assert jobs.job_due_soon(now=at("2026-03-16 11:00")).changed == 1
    assert JobMarker.objects.filter(dossier=dossier, kind="due_soon").count() == 2


def test_apology_reminder_on_the_apology_deadline_once(receive, staff_mail):
    dossier = in_processing(receive, staff_mail)
    assert dossier.apology_deadline == dt.date(2026, 3, 13)

    assert jobs.job_apology(now=at("2026-03-12 16:00")).changed == 0
    assert jobs.job_apology(now=at("2026-03-13 08:00")) == jobs.JobResult(1, 2)
    assert jobs.job_apology(now=at("2026-03-13 14:00")) == jobs.JobResult(0, 0)
    assert alerted("apology") == ["head", "officer"]


def test_no_apology_reminder_once_an_apology_is_issued_or_the_dossier_is_late(receive, make_version, staff_mail):
    version = make_version(value=Decimal(3), budgets=())
    apologised = in_processing(receive, staff_mail, version=version)  # due Thu 5/3 10:00, apology by Wed 4/3
    reminded = in_processing(receive, staff_mail, version=version, when="2026-03-02 11:00")
    Apology.objects.create(
        dossier=apologised, reason="Chờ xác minh", new_due_at=at("2026-03-10 10:00"), issued_at=at("2026-03-03 16:00")
    )

    assert jobs.job_apology(now=at("2026-03-04 08:00")) == jobs.JobResult(1, 2)
    assert JobMarker.objects.get(kind="apology").dossier_id == reminded.pk

    # Beat was down on 4/3 for this one: once it is late, the late alert replaces the apology reminder.
    late = in_processing(receive, staff_mail, version=version, when="2026-03-02 12:00")
    assert jobs.job_late(now=at("2026-03-06 08:00")).changed == 3  # an apology keeps the official due
    assert jobs.job_apology(now=at("2026-03-06 08:00")) == jobs.JobResult(0, 0)
    assert not JobMarker.objects.filter(kind="apology", dossier=late).exists()


def test_an_online_dossier_past_its_acceptance_window_is_flagged_and_the_desk_alerted(submitted, staff_mail):
    dossier = submitted("2026-03-02 10:00")
    after = dossier.acceptance_due_at + dt.timedelta(minutes=1)

    assert jobs.job_late_acceptance(now=dossier.acceptance_due_at).changed == 0
    assert jobs.job_late_acceptance(now=after) == jobs.JobResult(1, 2)
    assert jobs.job_late_acceptance(now=after + dt.timedelta(hours=1)) == jobs.JobResult(0, 0)

    dossier.refresh_from_db()
    assert dossier.late_acceptance is True
    assert alerted("late_acceptance") == ["desk", "head"]


def test_an_expired_supplement_request_goes_through_t11_once(prepared, staff_mail):
    intake = prepared("intake_supplement")
    appraisal = prepared("appraisal_supplement")
    supplied = prepared("appraisal_supplement")
    Dossier.objects.filter(pk=supplied.pk).update(substate=SUPPLIED)  # the citizen answered: T10 is the desk's
    deadline = max(d.supplement_request.applicant_deadline for d in (intake, appraisal, supplied))
    later = deadline + dt.timedelta(days=1)

    assert jobs.job_expire_supplements(now=at("2026-03-03 09:00")).changed == 0
    assert jobs.job_expire_supplements(now=later).changed == 2
    assert jobs.job_expire_supplements(now=later).changed == 0

    statuses = dict(Dossier.objects.filter(pk__in=[intake.pk, appraisal.pk, supplied.pk]).values_list("pk", "status"))
    assert statuses == {
        intake.pk: Status.REFUSED,
        appraisal.pk: Status.STOPPED,
        supplied.pk: Status.SUPPLEMENT_REQUESTED,
    }
    events = [e.action for d in (intake, appraisal) for e in d.events.filter(action="expire_supplement")]
    assert events == ["expire_supplement", "expire_supplement"]


def test_a_result_not_returned_for_five_working_days_reminds_the_desk_once(prepared, staff_mail, settings):
    settings.RESULT_UNCOLLECTED_DAYS = 5
    dossier = prepared("result_ready")  # result issued Mon 2/3 09:00

    # Five working days before Mon 9/3 09:00 is Mon 2/3 09:00: not longer than the period yet.
    assert jobs.job_uncollected(now=at("2026-03-09 09:00")).changed == 0
    assert jobs.job_uncollected(now=at("2026-03-09 09:01")) == jobs.JobResult(1, 2)
    assert jobs.job_uncollected(now=at("2026-03-10 09:00")) == jobs.JobResult(0, 0)
    assert alerted("uncollected") == ["desk", "head"]
    assert JobMarker.objects.get(kind="uncollected").dossier_id == dossier.pk


def test_an_alert_is_not_sent_to_staff_of_another_unit(receive, staff_mail):
    in_processing(receive, staff_mail)
    jobs.run_all(now=at("2026-03-20 08:00"))

    told = {m.payload["user_id"] for m in alerts()}
    others = {staff_mail[k].pk for k in ("other_desk", "other_officer", "other_head")}
    assert told
    assert not told & others


# --- Catch-up after downtime ----------------------------------------------------------------------------------


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
