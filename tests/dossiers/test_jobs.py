"""The §5.12 beat jobs (dossiers/jobs.py): each selection and what it flags and tells. Running them twice, on
workers at once, after days of downtime and on a real Celery worker (check 33) is tested in
tests/security/test_c33_overdue_job.py."""

import datetime as dt
from decimal import Decimal

from dossiers import jobs
from dossiers.models import Apology, Dossier, JobMarker
from dossiers.workflow import SUPPLIED, Status
from tests.dossiers import jobs_fixtures
from tests.dossiers.conftest import at
from tests.dossiers.jobs_fixtures import alerted, alerts, in_processing

staff_mail = jobs_fixtures.staff_mail  # the fixture, made visible to pytest in this module

# --- Each selection ------------------------------------------------------------------------------------------


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
