"""`seed_demo --dossiers N`: every status in realistic shares, codes without gaps, due moments from the real
calendar arithmetic and the engine's own deadline functions, outcomes by date, event logs that follow the
transition table and carry a valid hash chain (demo/seeding/).

Most tests read one seeded set of 300 dossiers, created for each reference instant inside a transaction that is
rolled back at the end; each test runs in a savepoint of it. The clock is frozen at each instant (never the real
one): a Monday before opening, the middle of Tết, New Year's Eve before closing and just after midnight UTC, the
day this file was written.
"""

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import staff_assign
from demo.seeding import FAMILY_NAMES, demo_dossiers_create
from dossiers import deadlines, workflow
from dossiers.audit import event_digest
from dossiers.models import (
    Applicant,
    ApplicantIdentity,
    Channel,
    ClockState,
    CodeCounter,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierPause,
    DossierStep,
    DueAdjustment,
    FeeLine,
    Outcome,
    PauseKind,
    SupplementRequest,
    SupplementStage,
)
from dossiers.permissions import dossiers_visible_to
from dossiers.services import dossier_draft_create, dossier_receive_counter, dossier_transition
from dossiers.workflow import Status
from procedures.models import ProcedureStep, RequiredDocument
from workcalendar.calendar import LOCAL_TZ, Duration, OfficeHours, due_moment, remaining_after_pause, resume_due
from workcalendar.selectors import calendar_at

N = 300
CODE = re.compile(r"^(?P<agency>[0-9A-Z.]+)-(?P<day>\d{6})-(?P<number>\d{4,})$")
COMPLETED_BY_DATE = (Status.RESULT_READY, Status.RETURNED, Status.STOPPED)

pytestmark = pytest.mark.django_db

# Reference instants, local time unless marked: the seed is relative to the frozen clock.
INSTANTS = {
    "monday-0600": dt.datetime(2026, 3, 2, 6, 0, tzinfo=LOCAL_TZ),
    "tet-2026": dt.datetime(2026, 2, 18, 10, 0, tzinfo=LOCAL_TZ),
    "31-12-1659": dt.datetime(2026, 12, 31, 16, 59, tzinfo=LOCAL_TZ),
    "31-12-2330-utc": dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC),  # already 1/1/2027 in Vietnam
    "30-11-2026": dt.datetime(2026, 11, 30, 8, 30, tzinfo=LOCAL_TZ),
}


@pytest.fixture(scope="module", params=list(INSTANTS), ids=list(INSTANTS))
def now(request) -> dt.datetime:
    """The frozen clock for every test of one instant, seeding included."""
    with time_machine.travel(INSTANTS[request.param], tick=False):
        yield INSTANTS[request.param]


@pytest.fixture(scope="module")
def seeded(now, django_db_setup, django_db_blocker):
    """N demo dossiers (seed 1) seeded at the frozen instant, kept for the module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", dossiers=N, seed=1, force=True, verbosity=0)
        yield now
        transaction.set_rollback(True)


@pytest.fixture
def dossiers(seeded):
    return list(
        Dossier.objects.select_related("procedure_version", "receiving_agency", "processing_agency").order_by("id")
    )


def local(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def code_agency(dossier: Dossier):
    if getattr(settings, "DOSSIER_CODE_AGENCY", "resolving") == "receiving":
        return dossier.receiving_agency
    return dossier.processing_agency or dossier.receiving_agency


def test_every_status_in_realistic_shares_and_channels(dossiers):
    statuses = Counter(d.status for d in dossiers)
    assert len(dossiers) == N
    assert set(statuses) == set(Status.values)
    assert 0.50 <= statuses[Status.RETURNED] / N <= 0.60
    assert all(statuses[s] / N <= 0.15 for s in Status.values if s != Status.RETURNED)
    channels = Counter(d.channel for d in dossiers)
    assert 0.57 <= channels[Channel.ONLINE] / N <= 0.73
    assert 0.22 <= channels[Channel.COUNTER] / N <= 0.42
    assert 1 <= channels[Channel.POSTAL] <= 0.08 * N
    assert all(d.channel == Channel.ONLINE for d in dossiers if d.status in (Status.DRAFT, Status.SUBMITTED))
    # Weighted toward commune civil status (HT) and certification (CT).
    fields = Counter(d.procedure_version.field.code for d in Dossier.objects.select_related("procedure_version__field"))
    assert (fields["HT"] + fields["CT"]) / N >= 0.6


def test_codes_are_consecutive_per_agency_and_day_and_counters_end_at_the_last(dossiers):
    numbers = defaultdict(list)
    for d in dossiers:
        if d.status == Status.DRAFT:
            assert d.code is None
            continue
        match = CODE.match(d.code or "")
        assert match, d.code
        assert match["agency"] == code_agency(d).e_identifier
        issued = d.submitted_at if d.channel == Channel.ONLINE else d.received_at  # T1 online, T2 otherwise
        assert match["day"] == f"{local(issued):%y%m%d}"
        numbers[code_agency(d).pk, local(issued)].append(int(match["number"]))
    assert len({d.code for d in dossiers if d.code}) == sum(len(v) for v in numbers.values())
    counters = {(c.agency_id, c.day): c.last for c in CodeCounter.objects.all()}
    assert set(counters) == set(numbers)
    for key, issued in numbers.items():
        assert sorted(issued) == list(range(1, len(issued) + 1)), key
        assert counters[key] == max(issued)


def test_due_moments_are_frozen_from_the_version_with_the_real_arithmetic(dossiers):
    received = [d for d in dossiers if d.received_at is not None]
    assert len(received) > 0.8 * N
    receipts = {a.dossier_id: a for a in DueAdjustment.objects.filter(kind=DueAdjustment.Kind.RECEIPT)}
    later = defaultdict(list)
    for a in DueAdjustment.objects.exclude(kind=DueAdjustment.Kind.RECEIPT).select_related("pause").order_by("id"):
        later[a.dossier_id].append(a)
    for d in received:
        version = d.procedure_version
        assert (d.duration_unit, d.duration_value, d.duration_parts, d.cutoff_time) == (
            version.time_unit,
            version.time_value,
            version.time_parts,
            version.cutoff_time,
        )
        duration = Duration.from_fields(d.duration_unit, d.duration_value, d.duration_parts)
        calendar, hours = calendar_at(d.calendar_version), OfficeHours.from_agency(d.receiving_agency)
        due = due_moment(d.received_at, duration, calendar=calendar, hours=hours, cutoff=d.cutoff_time)
        assert d.original_due_at == due, d.code
        assert receipts[d.pk].new_due_at == due
        assert receipts[d.pk].previous_due_at is None
        if not later[d.pk]:
            assert d.current_due_at == d.original_due_at, d.code
            continue
        # A pause that ended moved the due moment as the services do (§5.6), keeping both values.
        (adjustment,) = later[d.pk]
        pause = adjustment.pause
        assert adjustment.previous_due_at == d.original_due_at
        assert d.current_due_at == adjustment.new_due_at
        if adjustment.kind == DueAdjustment.Kind.RESTART:
            # A restart is a new receipt moment: the version's cut-off applies again (§5.6).
            expected = due_moment(pause.ended_at, duration, calendar=calendar, hours=hours, cutoff=d.cutoff_time)
        else:
            left = remaining_after_pause(
                due=d.original_due_at,
                pause_start=pause.started_at,
                duration=duration,
                calendar=calendar,
                hours=hours,
                start=d.received_at,
            )
            expected = resume_due(pause.ended_at, left, calendar=calendar, hours=hours)
        assert d.current_due_at == expected, d.code
    # Dossiers never received have no frozen inputs.
    assert all(d.original_due_at is None and d.duration_unit == "" for d in dossiers if d.received_at is None)


def test_the_clock_is_frozen_at_the_instant(seeded):
    assert timezone.now() == seeded
    assert timezone.localdate() == seeded.astimezone(LOCAL_TZ).date()


def test_outcomes_agree_with_the_dates_and_a_few_are_late(dossiers, seeded):
    today = seeded.astimezone(LOCAL_TZ).date()
    completed = [d for d in dossiers if d.status in COMPLETED_BY_DATE]
    for d in completed:
        if d.current_due_at is None:  # no fixed time: never late
            assert d.outcome == Outcome.ON_TIME
            continue
        done, due = local(d.completed_at), local(d.current_due_at)
        expected = Outcome.EARLY if done < due else Outcome.ON_TIME if done == due else Outcome.LATE
        assert d.outcome == expected, d.code
    late = sum(d.outcome == Outcome.LATE for d in completed) / len(completed)
    assert 0.02 <= late <= 0.12
    assert all(d.outcome == Outcome.ON_TIME for d in dossiers if d.status == Status.WITHDRAWN)
    for d in dossiers:
        if d.status in (Status.RECEIVED, Status.IN_PROCESSING) or (
            d.status == Status.AWAITING_FINANCIAL_OBLIGATION and d.clock_state == ClockState.RUNNING
        ):
            assert d.is_overdue == (local(d.current_due_at) < today), d.code
            assert d.overdue_since == (local(d.current_due_at) + dt.timedelta(days=1) if d.is_overdue else None)
        if d.clock_state == ClockState.PAUSED:
            assert not d.is_overdue
    # Everything happened before today, so before now.
    start_of_today = dt.datetime.combine(today, dt.time(0), tzinfo=LOCAL_TZ)
    moments = DossierEvent.objects.values_list("at", flat=True)
    assert max(moments) < start_of_today <= seeded
    for d in dossiers:
        for moment in (d.created_at, d.submitted_at, d.received_at, d.completed_at, d.refused_at, d.returned_at):
            assert moment is None or moment < start_of_today, d.code


def test_every_event_log_is_a_valid_hash_chain_in_id_order(dossiers):
    chains = defaultdict(list)
    for e in DossierEvent.objects.order_by("dossier_id", "id"):
        chains[e.dossier_id].append(e)
    assert sum(len(c) for c in chains.values()) > 3 * N
    for log in chains.values():
        previous = ""
        for e in log:
            assert e.prev_hash == previous, e
            assert e.digest == event_digest(
                dossier_id=e.dossier_id,
                action=e.action,
                actor_id=e.actor_id,
                actor_role=e.actor_role,
                at=e.at,
                from_status=e.from_status,
                to_status=e.to_status,
                note=e.note,
                visible_to_citizen=e.visible_to_citizen,
                data=e.data,
                prev_hash=e.prev_hash,
            ), e
            previous = e.digest
        # Inserted in chain order: ids follow the moments.
        assert [e.at for e in log] == sorted(e.at for e in log)


def test_pauses_and_the_one_supplement_request(dossiers, seeded):
    requests = {r.dossier_id: r for r in SupplementRequest.objects.all()}
    open_pauses = Counter(DossierPause.objects.filter(ended_at__isnull=True).values_list("dossier_id", flat=True))
    assert max(open_pauses.values()) == 1
    for d in dossiers:
        if d.status == Status.SUPPLEMENT_REQUESTED:
            request = requests[d.pk]
            assert request.items
            assert request.applicant_deadline > seeded
            if request.stage == SupplementStage.APPRAISAL:
                assert d.clock_state == ClockState.PAUSED
                assert open_pauses[d.pk] == 1
            else:
                assert d.received_at is None
                assert d.pk not in open_pauses
        elif d.status == Status.AWAITING_FINANCIAL_OBLIGATION:
            excluded = d.procedure_version.financial_obligation_excluded
            assert open_pauses[d.pk] == (1 if excluded else 0)
        else:
            assert d.pk not in open_pauses
    stages = Counter(r.stage for r in requests.values())
    assert stages[SupplementStage.INTAKE]
    assert stages[SupplementStage.APPRAISAL]
    closed = DossierPause.objects.filter(ended_at__isnull=False)
    assert all(p.ended_at > p.started_at for p in closed)
    for pause in closed.filter(kind=PauseKind.SUPPLEMENT):
        request = requests[pause.dossier_id]
        assert request.accepted_at == pause.ended_at
        assert request.new_due_at == pause.dossier.current_due_at


def test_open_steps_carry_their_dossiers_paused_clock(dossiers):
    """The bulk writer sets `DossierStep.paused` as the engine keeps it: on exactly the open current steps of the
    dossiers whose clock is paused (the officers' inbox counts its states by it)."""
    paused_current = {d.current_step_id for d in dossiers if d.clock_state == ClockState.PAUSED}
    assert paused_current
    assert None not in paused_current
    flagged = set(DossierStep.objects.filter(paused=True).values_list("pk", flat=True))
    assert flagged == paused_current
    assert not DossierStep.objects.filter(pk__in=flagged, finished_at__isnull=False).exists()


def test_events_follow_the_transition_table_and_end_in_the_status(dossiers):
    events = defaultdict(list)
    for e in DossierEvent.objects.order_by("dossier_id", "at", "id"):
        events[e.dossier_id].append(e)
    for d in dossiers:
        log = events[d.pk]
        if d.status == Status.DRAFT:
            assert log == []
            continue
        assert log[0].action == ("submit" if d.channel == Channel.ONLINE else "receive_counter"), d.code
        assert log[-1].to_status == d.status, d.code
        assert d.revision == len(log)
        state = Status.DRAFT if d.channel == Channel.ONLINE else ""
        for e in log:
            transition = workflow.TRANSITIONS[e.action]
            assert e.from_status == state, (d.code, e.action)
            assert (e.from_status or None) in transition.sources, (d.code, e.action)
            assert e.actor_role in transition.roles, e
            if e.actor_role in (workflow.DESK, workflow.OFFICER, workflow.HEAD):
                assert e.actor is not None
            if e.action == "apologise":
                assert e.to_status == e.from_status
            state = e.to_status


def test_acceptance_deadlines_and_step_due_moments_follow_the_rules(dossiers):
    """Online: submission + the version's window in working hours (§5.8). Steps: start + the budget of the
    version's step at the same position, with the office hours of the step's agency (§5.7)."""
    budgets = defaultdict(list)  # the version's steps by position, as the engine reads them
    for s in ProcedureStep.objects.order_by("version_id", "order", "pk"):
        budgets[s.version_id].append(s.budget)
    online = [d for d in dossiers if d.submitted_at is not None]
    assert online
    for d in online:
        calendar = calendar_at(0)  # no overrides in the test database: the calendar of the package
        hours = OfficeHours.from_agency(d.receiving_agency)
        window = Duration.working_hours(d.procedure_version.acceptance_window_hours)
        assert d.acceptance_due_at == due_moment(d.submitted_at, window, calendar=calendar, hours=hours), d.code
    with_due = 0
    for step in DossierStep.objects.select_related("agency", "dossier__procedure_version"):
        d = step.dossier
        version_budgets = budgets[d.procedure_version_id]
        budget = version_budgets[step.order - 1] if step.order <= len(version_budgets) else None
        expected = deadlines.step_due(
            step.started_at,
            unit=d.duration_unit,
            budget=budget,
            calendar=calendar_at(d.calendar_version),
            hours=OfficeHours.from_agency(step.agency),
        )
        assert step.due_at == expected, (d.code, step.order)
        with_due += step.due_at is not None
    assert with_due > 0


def test_the_engine_computes_the_same_dates_for_the_same_inputs(dossiers, seeded):
    """Twins of seeded dossiers go through `dossiers.services` at the seeded moments and get the same due
    moment, apology deadline, step due moments and online acceptance deadline."""
    citizen = User.objects.get(username="citizen")
    desks = {}

    def desk_of(agency):
        if agency.pk not in desks:
            desks[agency.pk] = User.objects.create_user(username=f"twin-desk-{agency.pk}", password="x")
            staff_assign(user=desks[agency.pk], agency=agency, role=Role.DESK)
        return desks[agency.pk]

    counter = [d for d in dossiers if d.channel != Channel.ONLINE and d.status == Status.RETURNED][:6]
    counter += [d for d in dossiers if d.channel != Channel.ONLINE and d.status == Status.IN_PROCESSING][:4]
    assert len(counter) >= 5
    for d in counter:
        steps = list(d.steps.order_by("order"))
        twin = dossier_receive_counter(
            actor=desk_of(d.receiving_agency),
            procedure_version=d.procedure_version,
            applicant=d.applicant,
            channel=d.channel,
            processing_agency=d.processing_agency,
            now=d.received_at,
        )
        assert twin.original_due_at == d.original_due_at, d.code
        if d.current_due_at == d.original_due_at:  # no pause moved it since receipt
            assert twin.apology_deadline == d.apology_deadline, d.code
        assert twin.current_step.due_at == steps[0].due_at, d.code
        if len(steps) > 1:
            twin = dossier_transition(
                dossier=twin,
                action="forward",
                actor=desk_of(d.receiving_agency),
                now=steps[1].started_at,
                agency=d.processing_agency,
            )
            assert twin.current_step.due_at == steps[1].due_at, d.code
    online = [d for d in dossiers if d.submitted_at is not None and d.owner_id is None][:5]
    assert online
    for d in online:
        draft = dossier_draft_create(
            user=citizen,
            procedure_version=d.procedure_version,
            applicant=d.applicant,
            agency=d.receiving_agency,
        )
        twin = dossier_transition(dossier=draft, action="submit", actor=citizen, now=d.submitted_at)
        assert twin.acceptance_due_at == d.acceptance_due_at, d.code


def test_steps_run_desk_to_the_resolving_body_and_back(dossiers):
    steps = defaultdict(list)
    for s in DossierStep.objects.order_by("dossier_id", "order"):
        steps[s.dossier_id].append(s)
    for d in dossiers:
        rows = steps[d.pk]
        if d.received_at is None:
            assert rows == []
            continue
        assert [s.order for s in rows] == list(range(1, len(rows) + 1))
        assert rows[0].agency_id == d.receiving_agency_id
        assert rows[0].started_at == d.received_at
        assert all(s.agency_id == d.processing_agency_id for s in rows[1:-1])
        open_steps = [s for s in rows if s.finished_at is None]
        assert [s.pk for s in open_steps] == ([d.current_step_id] if d.current_step_id else [])
        for earlier, later in zip(rows, rows[1:], strict=False):
            assert earlier.finished_at == later.started_at
        for s in rows:
            if s.finished_at is not None:
                assert s.finished_at >= s.started_at
                if s.due_at is not None:
                    done, due = local(s.finished_at), local(s.due_at)
                    assert s.outcome == (Outcome.EARLY if done < due else Outcome.ON_TIME if done == due else "late")
    in_processing = [d for d in dossiers if d.status == Status.IN_PROCESSING]
    assert all(d.current_step_id for d in in_processing)


def test_documents_fees_and_applicants(dossiers):
    required = Counter(RequiredDocument.objects.values_list("version_id", flat=True))
    documents = Counter(DossierDocument.objects.values_list("dossier_id", flat=True))
    fees = Counter(FeeLine.objects.values_list("dossier_id", flat=True))
    for d in dossiers:
        assert documents[d.pk] == required[d.procedure_version_id]
        assert fees[d.pk] == d.procedure_version.fees.count()
    family = set(FAMILY_NAMES[0])
    applicants = Applicant.objects.filter(dossiers__isnull=False).distinct()
    individuals = [a for a in applicants if a.kind == 1 and a.user_id is None]
    assert len(individuals) > 0.8 * len(applicants)
    assert all(a.name.split()[0] in family and len(a.name.split()) >= 3 for a in individuals)
    assert all(re.fullmatch(r"09\d{8}", a.phone) for a in individuals)
    numbers = ApplicantIdentity.objects.filter(applicant__in=individuals).values_list("number", flat=True)
    assert all(re.fullmatch(r"0\d{11}", n) for n in numbers)
    assert any(a.kind == 2 for a in applicants)


def test_the_demo_citizen_sees_about_twenty_dossiers_in_many_statuses(seeded):
    citizen = User.objects.get(username="citizen")
    visible = list(dossiers_visible_to(citizen))
    assert len(visible) == 20
    assert len({d.status for d in visible}) >= 8


def test_the_same_seed_gives_the_same_dossiers(seeded):
    def run(seed: int) -> list[tuple]:
        with transaction.atomic():
            report = demo_dossiers_create(count=40, seed=seed, today=seeded.astimezone(LOCAL_TZ).date())
            rows = list(
                Dossier.objects.order_by("-id")[:40].values_list(
                    "code", "applicant__name", "status", "channel", "procedure_version__procedure__code", "received_at"
                )
            )
            transaction.set_rollback(True)
        assert report.dossiers == 40
        return rows

    first = run(7)
    assert run(7) == first
    assert run(8) != first


def test_a_second_run_continues_every_code_sequence(seeded):
    with transaction.atomic():
        call_command("seed_demo", dossiers=60, seed=2, force=True, verbosity=0)
        numbers = defaultdict(list)
        for code in Dossier.objects.exclude(code=None).values_list("code", flat=True):
            match = CODE.match(code)
            numbers[match["agency"], match["day"]].append(int(match["number"]))
        counters = {
            (e_id, f"{day:%y%m%d}"): last
            for e_id, day, last in CodeCounter.objects.values_list("agency__e_identifier", "day", "last")
        }
        for key, issued in numbers.items():
            assert sorted(issued) == list(range(1, len(issued) + 1)), key
            assert counters[key] == max(issued)
        assert Dossier.objects.count() == N + 60
        transaction.set_rollback(True)


def test_today_sets_the_reference_day(seeded):
    with transaction.atomic():
        before = set(Dossier.objects.values_list("pk", flat=True))
        call_command("seed_demo", "--dossiers", "40", "--seed", "4", "--today", "2026-02-18", "--force", verbosity=0)
        added = Dossier.objects.exclude(pk__in=before)
        assert added.count() == 40
        latest = DossierEvent.objects.filter(dossier__in=added).order_by("-at").values_list("at", flat=True)[0]
        assert latest < dt.datetime(2026, 2, 18, tzinfo=LOCAL_TZ)
        # Tết 16–20/2 is not a working day: the last office moment before it is on Friday 13/2.
        assert timezone.localdate(latest) <= dt.date(2026, 2, 15)
        transaction.set_rollback(True)


@pytest.mark.parametrize("value", ["2099-01-01", "18/02/2026"])
def test_today_refuses_a_future_or_malformed_day(seeded, value):
    before = Dossier.objects.count()
    with pytest.raises(CommandError, match="today"):
        call_command("seed_demo", "--dossiers", "5", "--today", value, "--force", verbosity=0)
    assert Dossier.objects.count() == before


def test_refuses_with_debug_off_and_changes_nothing(seeded, settings):
    settings.DEBUG = False
    before = Dossier.objects.count()
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", dossiers=10, verbosity=0)
    assert Dossier.objects.count() == before
