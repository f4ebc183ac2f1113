"""The inbox's state counts and state filters against a brute-force recount in Python, on a small mix of paused,
overdue, due-soon and on-track steps — with and without a step due moment — paused through the engine (T9, T12a),
so the counts read the step's `paused` flag the engine keeps and the recount reads the dossier's clock.

The clock is frozen on Thursday 05/03/2026 09:00: the due-soon window of 8 working hours ends on Friday 06/03 09:00.
"""

import pytest
import time_machine

from desk import selectors_inbox
from desk.selectors_inbox import OVERDUE, PAUSED, STATES, UNIT, InboxFilters, inbox_page
from dossiers.models import ClockState, Dossier, DossierStep
from tests.dossiers.conftest import OTHER_COMMUNE, advance, at
from tests.dossiers.transition_cases import ITEMS

pytestmark = pytest.mark.django_db

NOW = "2026-03-05 09:00"
OVERDUE_AT, SOON_AT, LATER_AT = "2026-03-04 10:00", "2026-03-05 15:00", "2026-03-10 09:00"

# (how the clock stops, the step's due moment, the dossier's due moment, held by the officer): "keep" leaves the
# engine's value; None removes it.
MIX = [
    (None, OVERDUE_AT, "keep", True),
    (None, SOON_AT, "keep", True),
    (None, LATER_AT, "keep", False),
    (None, "keep", "keep", False),  # the engine's step budget: 8 working days from 02/03, on track
    (None, None, OVERDUE_AT, True),  # no step due moment: the dossier's decides
    (None, None, SOON_AT, False),
    (None, None, LATER_AT, True),
    (None, None, None, False),  # no due moment at all: on track
    ("supplement", OVERDUE_AT, "keep", True),  # past due, but paused
    ("supplement", None, SOON_AT, False),
    ("obligation", LATER_AT, "keep", True),
    ("obligation", None, None, False),
]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(NOW), tick=False):
        yield


@pytest.fixture
def mix(receive, people, make_version, agencies):
    """The MIX at the commune, twice (so the capped counts have something to cap), and noise the inbox must leave
    out: a step of the other commune, a finished step, an open step that is not its dossier's current one."""
    excluded = make_version(financial_excluded=True)
    for _round in range(2):
        for pause, step_due, dossier_due, mine in MIX:
            dossier = receive("2026-03-02 08:00", version=excluded if pause == "obligation" else None)
            handler = {"handler": people["officer"]} if mine else {}
            dossier = advance(dossier, ("forward", "desk", handler), people=people, when="2026-03-02 09:00")
            step = dossier.current_step
            if step_due != "keep":
                DossierStep.objects.filter(pk=step.pk).update(due_at=at(step_due) if step_due else None)
            if dossier_due != "keep":
                Dossier.objects.filter(pk=dossier.pk).update(current_due_at=at(dossier_due) if dossier_due else None)
            action = {"supplement": ("request_supplement", ITEMS), "obligation": ("await_obligation", {})}.get(pause)
            if action:
                advance(dossier, (action[0], "officer", action[1]), people=people)
    elsewhere = receive("2026-03-02 08:00")
    DossierStep.objects.filter(pk=elsewhere.current_step_id).update(agency=agencies[OTHER_COMMUNE])
    repaired = receive("2026-03-02 08:00")
    DossierStep.objects.create(
        dossier=repaired,
        order=9,
        name="Sửa tay",
        agency=repaired.current_step.agency,
        started_at=at("2026-03-02 08:00"),
    )
    finished = receive("2026-03-02 08:00")
    DossierStep.objects.filter(pk=finished.current_step_id).update(finished_at=at("2026-03-03 08:00"))


def recount(*, agency, handler=None, soon_until) -> dict[str, set[int]]:
    """Each state's step ids, from the rows in Python: open, current, at the agency; the dossier's clock."""
    now = at(NOW)
    found = {key: set() for key, _label in STATES}
    steps = DossierStep.objects.filter(agency=agency, finished_at__isnull=True).select_related("dossier")
    for step in steps:
        dossier = Dossier.objects.get(pk=step.dossier_id)
        if dossier.current_step_id != step.pk or (handler is not None and step.handler_id != handler.pk):
            continue
        due = step.due_at or dossier.current_due_at
        if dossier.clock_state == ClockState.PAUSED:
            state = PAUSED
        elif due is not None and due < now:
            state = OVERDUE
        elif due is not None and due <= soon_until:
            state = "due_soon"
        else:
            state = "on_track"
        found[state].add(step.pk)
    return found


@pytest.mark.parametrize("tab", ["mine", UNIT])
def test_the_counts_and_the_filters_equal_a_recount(mix, people, tab):
    officer = people["officer"]
    page = inbox_page(user=officer, filters=InboxFilters(tab=tab), now=at(NOW))
    expected = recount(
        agency=officer.staff_profile.agency, handler=officer if tab == "mine" else None, soon_until=page.soon_until
    )

    assert page.counts == {key: len(ids) for key, ids in expected.items()}
    assert all(page.counts.values())  # the mix reaches every state on both tabs
    for key, ids in expected.items():
        rows = inbox_page(user=officer, filters=InboxFilters(tab=tab, state=key), now=at(NOW)).rows
        assert {row.pk for row in rows} == ids, key
        assert {row.state for row in rows} == {key}


def test_the_capped_counts_equal_the_capped_recount(mix, people, monkeypatch):
    monkeypatch.setattr(selectors_inbox, "COUNT_CAP", 3)
    officer = people["officer"]
    page = inbox_page(user=officer, filters=InboxFilters(tab=UNIT), now=at(NOW))
    expected = recount(agency=officer.staff_profile.agency, soon_until=page.soon_until)

    assert page.counts == {key: min(len(ids), 4) for key, ids in expected.items()}
    assert page.counts["on_track"] == 4  # 8 on track, with or without a step due moment: the branches add up, capped


def test_the_steps_flags_agree_with_the_dossiers_clocks(mix):
    paused_current = set(
        Dossier.objects.filter(clock_state=ClockState.PAUSED).values_list("current_step_id", flat=True)
    )
    flagged = set(DossierStep.objects.filter(paused=True, finished_at__isnull=True).values_list("pk", flat=True))
    assert flagged == paused_current
    assert len(flagged) == 8


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("dossier_step_agency_state", "(agency_id, paused, due_at)"),
        ("dossier_step_handler_state", "(handler_id, paused, due_at)"),
    ],
)
def test_the_state_indexes_cover_the_open_steps_by_clock_and_due(name, columns):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        (definition,) = cursor.fetchone()
    assert columns in definition
    assert "finished_at IS NULL" in definition
