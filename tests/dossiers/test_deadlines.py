"""Deadlines through the engine (docs/domain.md §5): frozen at receipt, paused, restarted or continued, late."""

import datetime as dt
from decimal import Decimal

import pytest

from dossiers import services
from dossiers.models import ClockState, DueAdjustment, Outcome
from dossiers.workflow import Status
from tests.dossiers.conftest import advance, at

pytestmark = pytest.mark.django_db

ITEMS_ONE = {"note": "Thiếu giấy tờ", "items": ["Bản sao giấy tờ tùy thân"]}


def local(moment):
    return moment.astimezone(at("2026-01-01 00:00").tzinfo).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("received", "unit", "value", "cutoff", "due"),
    [
        ("2023-10-27 09:32", "working_days", 5, None, "2023-11-03 09:32"),  # A: a real Thanh Hóa slip
        ("2026-04-29 10:00", "working_days", 3, None, "2026-05-06 10:00"),  # B: 30/4, 1/5, weekend
        ("2026-02-13 16:00", "same_day", None, dt.time(15), "2026-02-23 17:00"),  # C: cut-off, Tết
        ("2026-08-21 10:00", "working_days", 2, None, "2026-08-24 10:00"),  # D: make-up Saturday 22/8
        ("2026-11-23 15:00", "working_hours", 4, None, "2026-11-25 09:00"),  # E: 24/11 off
        ("2026-02-12 10:00", "working_days", 5, None, "2026-02-26 10:00"),  # H: Tết
        ("2026-04-24 16:30", "working_days", 1, dt.time(15), "2026-04-29 07:00"),  # after cut-off, 27/4 nghỉ bù
        ("2026-06-06 09:00", "calendar_days", 10, None, "2026-06-18 07:00"),  # Saturday → E = Mon 8/6 07:00
    ],
)
def test_appointment_frozen_at_receipt(receive, make_version, received, unit, value, cutoff, due):
    version = make_version(unit=unit, value=Decimal(value) if value is not None else None, cutoff=cutoff, budgets=())

    dossier = receive(received, version=version)

    assert local(dossier.original_due_at) == due
    assert dossier.current_due_at == dossier.original_due_at
    assert dossier.duration_unit == unit
    assert dossier.cutoff_time == cutoff
    assert dossier.calendar_version == 0
    assert dossier.clock_state == ClockState.RUNNING
    adjustment = DueAdjustment.objects.get(dossier=dossier)
    assert adjustment.kind == DueAdjustment.Kind.RECEIPT
    assert adjustment.new_due_at == dossier.original_due_at


def _to_appraisal_supplement(dossier, people, *, requested, accepted):
    dossier = advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-02 11:00")
    dossier = advance(
        dossier,
        ("request_supplement", "officer", {"note": "Thiếu giấy tờ", "items": [{"document": "Giấy xác nhận"}]}),
        people=people,
        when=requested,
    )
    assert dossier.clock_state == ClockState.PAUSED
    return advance(dossier, ("accept_supplement", "desk", {}), people=people, when=accepted)


@pytest.mark.parametrize(("mode", "due"), [("continue", "2026-03-20 10:00"), ("restart", "2026-03-25 10:00")])
def test_worked_example_g_supplement_in_both_clock_modes(receive, make_version, people, mode, due):
    dossier = receive("2026-03-02 10:00", version=make_version(value=Decimal(10), mode=mode))
    assert local(dossier.original_due_at) == "2026-03-16 10:00"

    dossier = _to_appraisal_supplement(dossier, people, requested="2026-03-05 09:00", accepted="2026-03-11 10:00")

    assert dossier.status == Status.IN_PROCESSING
    assert local(dossier.current_due_at) == due
    assert local(dossier.original_due_at) == "2026-03-16 10:00"  # never overwritten
    adjustment = dossier.adjustments.order_by("-id").first()
    assert adjustment.kind == mode
    assert local(adjustment.previous_due_at) == "2026-03-16 10:00"
    assert dossier.supplement_request.new_due_at == dossier.current_due_at


@pytest.mark.parametrize(("mode", "due"), [("continue", "2026-02-26 10:00"), ("restart", "2026-03-03 10:00")])
def test_supplement_pause_spanning_tet(receive, make_version, people, mode, due):
    # Received Mon 2/2/2026, 5 working days → Mon 9/2. Paused Thu 5/2: continue keeps the working days after the
    # pause date up to the due date (6/2, 9/2); resumed Tue 24/2 after Tết (16–20/2) → 25/2, 26/2. Restart: 5 from 24/2.
    dossier = receive("2026-02-02 10:00", version=make_version(value=Decimal(5), mode=mode, budgets=()))
    dossier = advance(dossier, ("forward", "desk", {}), people=people, when="2026-02-02 11:00")
    dossier = advance(
        dossier,
        ("request_supplement", "officer", {"note": "Thiếu", "items": ["Bản sao giấy tờ"]}),
        people=people,
        when="2026-02-05 09:00",
    )
    dossier = advance(dossier, ("accept_supplement", "desk", {}), people=people, when="2026-02-24 10:00")

    assert local(dossier.current_due_at) == due
    assert local(dossier.original_due_at) == "2026-02-09 10:00"


def test_intake_supplement_pauses_nothing_and_receipt_starts_the_clock(submitted, people):
    dossier = submitted("2026-03-02 08:00")
    dossier = advance(
        dossier,
        ("request_supplement_intake", "desk", {"note": "Thiếu tờ khai", "items": [{"document": "Tờ khai"}]}),
        people=people,
        when="2026-03-02 09:00",
    )
    assert dossier.clock_state == ClockState.NOT_STARTED
    assert not dossier.pauses.exists()

    dossier = advance(dossier, ("accept_supplement", "desk", {}), people=people, when="2026-03-04 14:00")

    assert dossier.status == Status.RECEIVED
    assert local(dossier.original_due_at) == "2026-03-18 14:00"


def test_late_dossier_with_apology_keeps_its_due_date_and_counts_late(receive, make_version, people):
    dossier = receive("2026-03-02 10:00", version=make_version(value=Decimal(3), budgets=()))
    assert local(dossier.current_due_at) == "2026-03-05 10:00"
    assert dossier.apology_deadline == dt.date(2026, 3, 4)
    dossier = advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-02 11:00")

    dossier = advance(
        dossier,
        ("apologise", "head", {"note": "Cần xác minh thêm", "new_due_at": at("2026-03-10 10:00")}),
        people=people,
        when="2026-03-03 16:00",
    )
    assert local(dossier.rescheduled_due_at) == "2026-03-10 10:00"
    assert local(dossier.current_due_at) == "2026-03-05 10:00"
    assert dossier.apology.is_late is False

    dossier = advance(dossier, ("issue_result", "head", {"number": "12/GCN"}), people=people, when="2026-03-09 09:00")
    assert dossier.status == Status.RESULT_READY
    assert dossier.outcome == Outcome.LATE
    assert dossier.original_due_at == dossier.current_due_at


def test_apology_on_the_due_date_is_accepted_but_flagged_late(receive, make_version, people):
    dossier = receive("2026-03-02 10:00", version=make_version(value=Decimal(3), budgets=()))
    dossier = advance(
        dossier,
        ("apologise", "head", {"note": "Chậm", "new_due_at": at("2026-03-09 10:00")}),
        people=people,
        when="2026-03-05 08:00",
    )
    assert dossier.apology.is_late is True


@pytest.mark.parametrize(
    ("completed", "outcome"),
    [("2026-03-04 16:00", Outcome.EARLY), ("2026-03-05 16:59", Outcome.ON_TIME), ("2026-03-06 07:00", Outcome.LATE)],
)
def test_completion_is_classed_by_date(receive, make_version, people, completed, outcome):
    dossier = receive("2026-03-02 10:00", version=make_version(value=Decimal(3), budgets=()))
    dossier = advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-02 11:00")
    dossier = advance(dossier, ("issue_result", "head", {"number": "1/QĐ"}), people=people, when=completed)
    assert dossier.outcome == outcome


def test_steps_get_due_moments_from_their_budgets_and_outcomes(receive, make_version, people):
    version = make_version(value=Decimal(10), budgets=(Decimal("0.5"), Decimal(8), Decimal("1.5")))
    dossier = receive("2026-03-02 10:00", version=version)
    first = dossier.current_step
    assert local(first.due_at) == "2026-03-02 16:00"  # ½ working day = 4 working hours, lunch skipped

    dossier = advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-02 15:00")
    first.refresh_from_db()
    assert first.outcome == Outcome.ON_TIME
    second = dossier.current_step
    assert second.order == 2
    assert second.agency == dossier.processing_agency
    assert local(second.due_at) == "2026-03-12 15:00"

    dossier = advance(dossier, ("step", "officer", {"name": "Trình ký"}), people=people, when="2026-03-13 08:00")
    second.refresh_from_db()
    assert second.outcome == Outcome.LATE
    assert second.is_late is True


@pytest.mark.parametrize(("excluded", "due"), [(True, "2026-03-19 10:00"), (False, "2026-03-16 10:00")])
def test_financial_obligation_time_is_excluded_only_where_the_version_says_so(
    receive, make_version, people, excluded, due
):
    # 10 working days from Mon 2/3 → Mon 16/3. Tax notice Wed 4/3, paid Mon 9/3: 3 working days not counted.
    dossier = receive("2026-03-02 10:00", version=make_version(value=Decimal(10), financial_excluded=excluded))
    dossier = advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-02 11:00")
    dossier = advance(
        dossier, ("await_obligation", "officer", {"amount": 500000}), people=people, when="2026-03-04 10:00"
    )
    assert dossier.clock_state == (ClockState.PAUSED if excluded else ClockState.RUNNING)

    dossier = advance(dossier, ("obligation_met", "desk", {}), people=people, when="2026-03-09 10:00")

    assert dossier.status == Status.IN_PROCESSING
    assert dossier.clock_state == ClockState.RUNNING
    assert local(dossier.current_due_at) == due
    assert local(dossier.original_due_at) == "2026-03-16 10:00"
    assert dossier.pauses.filter(kind="financial_obligation").exists() is excluded


def test_the_overdue_job_flags_late_running_dossiers_once(receive, make_version, people):
    version = make_version(value=Decimal(3), budgets=())
    late = advance(receive("2026-03-02 10:00", version=version), ("forward", "desk", {}), people=people)  # due 5/3
    due_today = receive("2026-03-03 10:00", version=version)  # due 6/3: not late on 6/3
    paused = advance(
        receive("2026-03-02 10:00", version=version),
        ("forward", "desk", {}),
        ("request_supplement", "officer", ITEMS_ONE),
        people=people,
    )

    assert services.dossiers_flag_overdue(now=at("2026-03-06 08:00")) == 1
    assert services.dossiers_flag_overdue(now=at("2026-03-06 08:05")) == 0

    late.refresh_from_db()
    assert late.is_overdue is True
    assert late.overdue_since == dt.date(2026, 3, 6)
    due_today.refresh_from_db()
    paused.refresh_from_db()
    assert (due_today.is_overdue, paused.is_overdue) == (False, False)
