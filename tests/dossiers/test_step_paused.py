"""`DossierStep.paused`: the engine copies the dossier's paused clock onto its open current step (the officers' inbox
counts states by it) — set by T9 in appraisal and T12a, cleared by T10 and T12b, cleared when the step closes, and
never out of step with the dossiers after any series of transitions."""

import pytest

from dossiers.models import ClockState, Dossier, DossierStep
from dossiers.workflow import Status
from tests.dossiers.conftest import advance
from tests.dossiers.transition_cases import ITEMS, WITHDRAWAL

pytestmark = pytest.mark.django_db


def current_step(dossier) -> DossierStep:
    return DossierStep.objects.get(pk=Dossier.objects.get(pk=dossier.pk).current_step_id)


def drift() -> list[tuple[int, bool, bool]]:
    """(step id, stored flag, recomputed flag) of every step whose flag differs from the dossiers' clocks: an open
    step is paused exactly when it is the current step of a dossier whose clock is paused; a finished one never."""
    paused_current = set(
        Dossier.objects.filter(clock_state=ClockState.PAUSED, current_step__isnull=False).values_list(
            "current_step_id", flat=True
        )
    )
    return [
        (pk, stored, pk in paused_current and finished is None)
        for pk, stored, finished in DossierStep.objects.values_list("pk", "paused", "finished_at")
        if stored != (pk in paused_current and finished is None)
    ]


def test_supplement_in_appraisal_pauses_the_step_and_its_acceptance_resumes_it(receive, people):
    dossier = advance(receive("2026-03-02 08:00"), ("forward", "desk", {}), people=people)
    assert current_step(dossier).paused is False

    dossier = advance(dossier, ("request_supplement", "officer", ITEMS), people=people)  # T9
    assert dossier.clock_state == ClockState.PAUSED
    step = current_step(dossier)
    assert step.finished_at is None
    assert step.paused is True

    dossier = advance(dossier, ("accept_supplement", "desk", {}), people=people, when="2026-03-04 09:00")  # T10
    assert dossier.clock_state == ClockState.RUNNING
    assert current_step(dossier).pk == step.pk
    assert current_step(dossier).paused is False


def test_an_excluded_financial_obligation_pauses_the_step_until_it_is_met(receive, people, make_version):
    version = make_version(financial_excluded=True)
    dossier = advance(receive("2026-03-02 08:00", version=version), ("forward", "desk", {}), people=people)

    dossier = advance(dossier, ("await_obligation", "officer", {}), people=people)  # T12a
    assert dossier.status == Status.AWAITING_FINANCIAL_OBLIGATION
    assert current_step(dossier).paused is True

    dossier = advance(dossier, ("obligation_met", "officer", {}), people=people, when="2026-03-05 09:00")  # T12b
    assert dossier.clock_state == ClockState.RUNNING
    assert current_step(dossier).paused is False


def test_an_obligation_whose_time_counts_leaves_the_step_running(receive, people):
    dossier = advance(
        receive("2026-03-02 08:00"), ("forward", "desk", {}), ("await_obligation", "officer", {}), people=people
    )
    assert dossier.clock_state == ClockState.RUNNING
    assert current_step(dossier).paused is False


def test_a_step_closed_while_paused_is_no_longer_flagged(receive, people):
    dossier = advance(
        receive("2026-03-02 08:00"),
        ("forward", "desk", {}),
        ("request_supplement", "officer", ITEMS),
        people=people,
    )
    step = current_step(dossier)
    assert step.paused is True

    advance(dossier, ("withdraw", "desk", WITHDRAWAL), people=people)  # T14 closes the step and stops the clock
    step.refresh_from_db()
    assert step.finished_at is not None
    assert step.paused is False


def test_no_drift_after_a_series_of_transitions(receive, people, make_version):
    excluded = make_version(financial_excluded=True)
    chains = [
        [("forward", "desk", {}), ("request_supplement", "officer", ITEMS)],
        [("forward", "desk", {}), ("request_supplement", "officer", ITEMS), ("accept_supplement", "desk", {})],
        [
            ("forward", "desk", {}),
            ("request_supplement", "officer", ITEMS),
            ("accept_supplement", "desk", {}),
            ("step", "officer", {"name": "Thẩm định"}),
            ("await_obligation", "officer", {}),
        ],
        [("forward", "desk", {}), ("await_obligation", "officer", {})],
        [("forward", "desk", {}), ("await_obligation", "officer", {}), ("obligation_met", "officer", {})],
        [("forward", "desk", {}), ("request_supplement", "officer", ITEMS), ("withdraw", "desk", WITHDRAWAL)],
        [("forward", "desk", {}), ("step", "officer", {"name": "Trình ký"}), ("issue_result", "head", {"number": "1"})],
        [("forward", "desk", {}), ("stop", "head", {"note": "Không đủ điều kiện"})],
        [],
    ]
    for index, chain in enumerate(chains):
        version = excluded if index % 2 else None
        advance(receive("2026-03-02 08:00", version=version), *chain, people=people)

    paused_open = DossierStep.objects.filter(finished_at__isnull=True, paused=True).count()
    assert paused_open == 2  # the first chain's supplement, still requested; the fourth's excluded obligation
    assert drift() == []
