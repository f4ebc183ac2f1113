"""The plan of one dossier and its timeline along the status path: receipt, due moments, steps, pauses,
supplement request, apology, completion and the events of each transition.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from agencies.models import Agency
from demo.seeding.context import _Version
from demo.seeding.names import (
    APOLOGY_REASONS,
    APOLOGY_SHARE,
    LATE_SHARE,
    OBLIGATION_NOTE,
    OVERDUE_SHARE,
    REFUSAL_REASONS,
    STOP_REASONS,
    SUPPLEMENT_BASIS,
    SUPPLEMENT_FIXES,
    SUPPLEMENT_REASONS,
    WITHDRAW_REASONS,
    _words,
)
from demo.seeding.placement import _OfficeLine
from dossiers import deadlines
from dossiers import workflow as W
from dossiers.models import (
    Channel,
    ClockState,
    DueAdjustment,
    FeeMode,
    Outcome,
    PauseKind,
    PaymentState,
    ReturnMethod,
    SupplementStage,
    outcome_by_date,
)
from dossiers.numbering import FORM_OF_ACTION, REGISTER_ACTIONS
from dossiers.services import SUPPLEMENT_APPLICANT_DAYS
from dossiers.workflow import Status as S
from procedures.models import ClockMode
from workcalendar.calendar import LOCAL_TZ, OfficeHours

if TYPE_CHECKING:
    from demo.seeding.planning import _Generator

REGISTER = "register"  # the key of a register line in `_Plan.numbered`; the others are keys of NUMBERED_FORMS


class _Plan:
    """The dossier row (a dict of attnames) and its children, before ids and codes are known.

    Child rows are tuples in the column order of `_Writer._tables`, without the dossier id.
    """

    __slots__ = ("d", "applicant", "identity", "events", "steps", "open_step", "documents", "fees", "pause",
                 "supplement", "adjustments", "apology", "code_agency", "code_at", "v", "receiving", "citizen",
                 "intake", "numbered")  # fmt: skip

    def __init__(self, d: dict, v: _Version, receiving: Agency, citizen: bool, intake: bool) -> None:
        self.d, self.v, self.receiving, self.citizen, self.intake = d, v, receiving, citizen, intake
        self.applicant = self.identity = self.pause = self.supplement = self.apology = None
        self.events: list[tuple] = []
        self.steps: list[list] = []
        self.open_step: int | None = None  # index in `steps` of the current step
        self.documents: list[tuple] = []
        self.fees: list[tuple[str, int]] = []
        self.adjustments: list[tuple] = []  # (kind, of_pause, previous, new, remaining, reason, basis, actor, at)
        self.code_agency: Agency | None = None
        self.code_at: dt.datetime | None = None
        # The events that take a number on paper (dossiers/numbering.py), as lists
        # [form key or REGISTER, moment, the event's data, then the writer's key and number]; filled by the writer.
        self.numbered: list[list] = []


# What a retried timeline keeps of the dossier: the draws made before the path began.
_KEPT = frozenset(
    _words("procedure_version_id owner_id receiving_agency_id processing_agency_id channel status return_method "
           "sets_count summary fee_mode payment_state")
)  # fmt: skip


class _Path:
    """The timeline of one dossier along its status path, on the office-minute line of its receiving agency.

    Minutes are office minutes (`_OfficeLine`); `ref_o` is the first one of today, which nothing reaches.
    """

    def __init__(self, g: _Generator, p: _Plan, v: _Version, hours: OfficeHours, line: _OfficeLine) -> None:
        self.g, self.p, self.v, self.hours, self.line = g, p, v, hours, line
        self.rng, self.users = g.rng, g.users
        self.D = line.per_day
        self.ref_o = line.ref
        self.ref_day = self.ref_o // self.D
        self.floor = line.day_of(max(g.window_start, v.effective_from))  # nothing before the version is in force
        self.cut15 = line.cut15  # forwarded the same working day, after 15:00 the next one
        self.due: dt.datetime | None = None
        self.received: dt.datetime | None = None

    # --- moments ---

    def at(self, o: int, *, second: bool = False) -> dt.datetime:
        return self.line.at(o, self.rng.randrange(60) if second else 0)

    def day_back(self, lo: int, hi: int) -> int:
        return self.ref_day - self.rng.randint(max(1, lo), max(1, lo, hi))

    def back_in_window(self, least: int) -> int:
        """Working days back from today, uniform over the window, at least `least`."""
        return self.rng.randint(least, max(least, self.ref_day - self.floor))

    def online_moment(self, day: int) -> dt.datetime:
        """A submission on a calendar day after working day `day - 1`, up to working day `day`: weekends and
        evenings too, mostly office hours."""
        rng, days = self.rng, self.line.days
        last = min(days[day], self.g.today - dt.timedelta(days=1))
        first = min(days[day - 1] + dt.timedelta(days=1), last)
        chosen = last
        for _attempt in range(4):
            chosen = first + dt.timedelta(days=rng.randint(0, (last - first).days))
            if chosen.weekday() < 5 or rng.random() < 0.35:
                break
        r = rng.random()
        minute = rng.randrange(420, 1020) if r < 0.75 else rng.randrange(1020, 1380) if r < 0.97 else rng.randrange(420)
        return dt.datetime.combine(chosen, dt.time(minute // 60, minute % 60, rng.randrange(60)), tzinfo=LOCAL_TZ)

    def lag(self, late_share: float = 0.08) -> int:
        """Office minutes the desk takes over an online dossier; past 8 working hours it is late (§5.8)."""
        return self.rng.randint(500, 1500) if self.rng.random() < late_share else self.rng.randint(10, 460)

    # --- events, receipt, due moment ---

    def event(self, action: str, who: str, at: dt.datetime, frm: str, to: str, note: str = "", data=None) -> None:
        actor = self.p.d.get("owner_id") if who == W.CITIZEN else self.users.get(who)  # None: the system
        data = data if data is not None else {}
        self.p.events.append((action, actor, who, at, frm, to, note, True, data))
        # As `numbers_on_transition`: a receipt (T10 too, when an intake supplement brings the dossier back to
        # received) takes a register line, and a few forms a document number — written into `data` by the writer,
        # before the digests are computed.
        if action in REGISTER_ACTIONS or (action == "accept_supplement" and to == S.RECEIVED):
            self.p.numbered.append([REGISTER, at, data])
        elif (form_key := FORM_OF_ACTION.get(action)) is not None:
            self.p.numbered.append([form_key, at, data])

    def submit(self, day: int) -> int:
        """T1 on or just before working day `day`: code, acceptance deadline (§5.8). Returns the first office
        minute at which the desk can act."""
        d = self.p.d
        submitted = self.online_moment(max(day, self.floor))
        d["submitted_at"] = self.p.code_at = submitted
        d["created_at"] = submitted - dt.timedelta(minutes=self.rng.randint(3, 90))
        d["acceptance_due_at"] = deadlines.acceptance_due(
            submitted, window_hours=self.v.window_hours, calendar=self.g.calendar, hours=self.hours
        )
        d["clock_state"] = ClockState.NOT_STARTED
        self.event("submit", W.CITIZEN, submitted, S.DRAFT, S.SUBMITTED)
        return self.line.ordinal(submitted)

    def late_acceptance(self, moment: dt.datetime) -> None:
        due = self.p.d.get("acceptance_due_at")
        if due is not None and moment > due:
            self.p.d["late_acceptance"] = True

    def receive(self, day: int, *, after_cutoff=0.0, intake_supplement=False, latest: int | None = None) -> int:
        """T2 (counter, post), or T1 + T3 (online), or T1 + T4 + T10, around working day `day`; freezes the due
        moment and opens the desk's step. Returns the minute of receipt."""
        rng, d, D = self.rng, self.p.d, self.D
        data: dict[str, Any]
        if d["channel"] != Channel.ONLINE:
            minute = rng.randrange(self.cut15, D) if rng.random() < after_cutoff else rng.randrange(D)
            r_o = max(day, self.floor) * D + minute
            received = d["created_at"] = self.p.code_at = self.at(r_o, second=True)
            action, frm, data = "receive_counter", "", {"channel": d["channel"]}
        elif intake_supplement:
            asked = self.submit(day) + self.lag()
            self.supplement_intake(asked)
            r_o = asked + rng.randint(1, 8) * D + rng.randrange(D)
            received = self.at(r_o, second=True)
            request = self.p.supplement
            request["supplied_at"] = self.at(max(asked + 1, r_o - rng.randint(5, 300)))
            request["accepted_at"] = received
            action, frm, data = "accept_supplement", S.SUPPLEMENT_REQUESTED, {"stage": SupplementStage.INTAKE}
        else:
            start = self.submit(day)
            r_o = start + self.lag()
            if latest is not None:
                r_o = max(start, min(r_o, latest))
            received = self.at(r_o, second=True)
            self.late_acceptance(received)
            action, frm, data = "receive", S.SUBMITTED, {"late_acceptance": bool(d.get("late_acceptance"))}
        d["desk_id"] = self.g.c.desks.get(d["receiving_agency_id"])
        d["received_at"] = self.received = received
        self.freeze(received)
        if action == "accept_supplement":
            data["new_due_at"] = _iso(self.due)
            self.p.supplement["new_due_at"] = self.due
        self.event(action, W.DESK, received, frm, S.RECEIVED, data=data)
        self.open_step(0, received)
        return r_o

    def freeze(self, received: dt.datetime) -> None:
        """The due moment from the version, frozen with its inputs and a receipt adjustment (§4.3, §5.5)."""
        d, v, g = self.p.d, self.v, self.g
        due = self.due = deadlines.receipt_due(received, v.model, calendar=g.calendar, hours=self.hours)
        d.update(duration_unit=v.unit, duration_value=v.value, duration_parts=v.parts, cutoff_time=v.cutoff)
        d.update(calendar_version=g.c.calendar_version, original_due_at=due, current_due_at=due)
        d["apology_deadline"] = deadlines.apology_deadline(due, calendar=g.calendar)
        d["clock_state"] = ClockState.RUNNING
        desk = self.users.get("desk")
        self.p.adjustments.append((DueAdjustment.Kind.RECEIPT, False, None, due, "", "", "", desk, received))

    def forward_minute(self, r_o: int) -> int:
        """T6 the same working day; received at or after 15:00 → the next opening (§4.1 T6, §13 #2)."""
        D = self.D
        if r_o % D >= self.cut15:
            return (r_o // D + 1) * D + self.rng.randrange(90)
        return max(r_o + 1, min(r_o + self.rng.randint(5, 120), (r_o // D) * D + D - 1))

    # --- steps (§5.7) ---

    def handler(self, index: int) -> int | None:
        role = self.v.steps[index][1]
        return self.users.get({"desk": "desk", "clerk": "desk", "head": "head", "signer": "head"}.get(role, "officer"))

    def open_step(self, index: int, start: dt.datetime) -> None:
        """Step `index` of the version: the desk first and back at the end, the resolving body in between."""
        name, role = self.v.steps[index]
        back = index == 0 or (index == len(self.v.steps) - 1 and role == "desk")
        agency = self.p.d["receiving_agency_id" if back else "processing_agency_id"]
        due = self.g.step_due(start, self.v.unit, self.v.step_budgets[index], agency)
        self.p.steps.append([index + 1, name, agency, self.handler(index), start, due, None, "", False])
        self.p.open_step = len(self.p.steps) - 1
        self.p.d["current_handler_id"] = self.handler(index)

    def close_step(self, finish: dt.datetime) -> None:
        if self.p.open_step is not None:
            step = self.p.steps[self.p.open_step]
            step[6], step[7] = finish, outcome_by_date(finish, step[5])
            step[8] = step[7] == Outcome.LATE
            self.p.open_step = None

    def forward(self, f_o: int) -> None:
        at = self.at(f_o)
        self.close_step(at)
        self.open_step(1, at)
        data = {"agency": self.g.c.agencies[self.p.d["processing_agency_id"]].e_identifier, "handler": self.handler(1)}
        self.event("forward", W.DESK, at, S.RECEIVED, S.IN_PROCESSING, data=data)

    def next_step(self, index: int, o: int) -> None:
        at = self.at(o)
        self.close_step(at)
        self.open_step(index, at)
        who = W.HEAD if self.v.steps[index - 1][1] in ("head", "signer") else W.OFFICER
        agency = self.g.c.agencies[self.p.steps[-1][2]].e_identifier
        data = {"step": self.v.steps[index][0], "agency": agency, "handler": self.handler(index)}
        self.event("step", who, at, S.IN_PROCESSING, S.IN_PROCESSING, data=data)

    def spread(self, lo: int, hi: int, n: int) -> list[int]:
        """`n` increasing minutes in (lo, hi) where steps 2 … n+1 begin, spaced by the steps' budgets."""
        weight = [max(0.3, float(b) if b and b > 0 else 1.0) for b in self.v.step_budgets]
        shares = [weight[i] * self.rng.uniform(0.5, 1.5) for i in range(1, n + 1)]
        total = sum(shares) + weight[min(n + 1, len(weight) - 1)]
        points, acc, last = [], 0.0, lo
        for share in shares:
            acc += share
            last = max(last + 1, lo + int((hi - lo) * acc / total))
            points.append(last)
        return points

    # --- supplements, pauses, apology ---

    def supplement_row(self, stage: str, asked: dt.datetime, who: str) -> None:
        """The one request listing everything missing (Decree 118/2025 Art. 11), with the applicant's deadline."""
        rng = self.rng
        documents = self.v.documents or [(None, "Tờ khai", 1, 0)]
        picked = rng.sample(documents, min(len(documents), rng.choice((1, 1, 2))))
        deadline = deadlines.supplement_deadline(
            asked, days=SUPPLEMENT_APPLICANT_DAYS, calendar=self.g.calendar, hours=self.hours
        )
        self.p.supplement = {
            "stage": stage,
            # What to fix in each document; its form and count are the dossier's component's (`_Plan.documents`,
            # planned later), filled in by `_Generator.plan` — the columns of the printed request (Mẫu 02).
            "items": [{"document": name, "content": rng.choice(SUPPLEMENT_FIXES)} for _i, name, _o, _c in picked],
            "reason": rng.choice(SUPPLEMENT_REASONS),
            "legal_basis": SUPPLEMENT_BASIS,
            "requested_at": asked,
            "requested_by_id": self.users.get(who),
            "applicant_deadline": deadline,
            "supplied_at": None,
            "accepted_at": None,
            "previous_due_at": self.due,
            "new_due_at": None,
        }
        s = self.p.supplement
        data = {
            "stage": stage,
            "items": s["items"],
            "legal_basis": SUPPLEMENT_BASIS,
            "applicant_deadline": _iso(deadline),
        }
        action, frm = (
            ("request_supplement_intake", S.SUBMITTED) if stage == "intake" else ("request_supplement", S.IN_PROCESSING)
        )
        self.event(action, who, asked, frm, S.SUPPLEMENT_REQUESTED, note=s["reason"], data=data)  # fmt: skip

    def supplement_intake(self, asked_o: int) -> None:
        """T4 at intake: no clock yet, so no pause (§5.6)."""
        asked = self.at(asked_o)
        self.late_acceptance(asked)
        self.supplement_row(SupplementStage.INTAKE, asked, W.DESK)

    def pause(self, kind: str, p0: int, p1: int | None) -> None:
        """T9 or T12a at minute `p0` — and T10 or T12b at `p1`: a pause where the clock stops (a supplement;
        financial obligations only where the version excludes them), closed with a new due moment (§5.6)."""
        started = self.at(p0)
        if kind == PauseKind.SUPPLEMENT:
            self.supplement_row(SupplementStage.APPRAISAL, started, W.OFFICER)
            note, basis = self.p.supplement["reason"], SUPPLEMENT_BASIS
        else:
            note, basis = OBLIGATION_NOTE, ""
            to = S.AWAITING_FINANCIAL_OBLIGATION
            self.event("await_obligation", W.OFFICER, started, S.IN_PROCESSING, to, note=note, data={"amount": None})
        paused = kind == PauseKind.SUPPLEMENT or self.v.fin_excluded
        if paused:
            officer = self.users.get("officer")
            self.p.pause = {"kind": kind, "started_at": started, "ended_at": None, "reason": note, "legal_basis": basis,
                            "actor_id": officer}  # fmt: skip
            self.p.d["clock_state"] = ClockState.PAUSED
        if p1 is None:
            return
        resumed = self.at(p1)
        if paused:
            self.resume(resumed, kind)
        if kind == PauseKind.SUPPLEMENT:
            request = self.p.supplement
            request["supplied_at"] = self.at(max(p0 + 1, p1 - self.rng.randint(5, 300)))
            request["accepted_at"], request["new_due_at"] = resumed, self.due
            data = {"stage": SupplementStage.APPRAISAL, "new_due_at": _iso(self.due)}
            self.event("accept_supplement", W.DESK, resumed, S.SUPPLEMENT_REQUESTED, S.IN_PROCESSING, data=data)
        else:
            self.event("obligation_met", W.OFFICER, resumed, S.AWAITING_FINANCIAL_OBLIGATION, S.IN_PROCESSING)

    def resume(self, resumed: dt.datetime, kind: str) -> None:
        """Close the pause and move the due moment as the services do: restart applies the whole duration from
        the resume moment, continue re-applies what was left at the pause (§5.6); an adjustment keeps both."""
        g, d, pause, previous = self.g, self.p.d, self.p.pause, self.due
        pause["ended_at"] = resumed
        mode = self.v.clock_mode if kind == PauseKind.SUPPLEMENT else ClockMode.CONTINUE
        new_due, left = deadlines.resumed_due(
            resumed,
            mode=mode,
            duration=self.v.duration,
            due=previous,
            pause_start=pause["started_at"],
            clock_start=self.received,
            calendar=g.calendar,
            hours=self.hours,
            cutoff=self.v.cutoff,
        )
        continued = mode != ClockMode.RESTART and left is not None
        remaining = str(left) if continued else ""
        adjustment = DueAdjustment.Kind.CONTINUE if continued else DueAdjustment.Kind.RESTART
        self.due = d["current_due_at"] = new_due
        d["apology_deadline"] = deadlines.apology_deadline(new_due, calendar=g.calendar)
        d["clock_state"] = ClockState.RUNNING
        actor = self.users.get("officer" if kind == PauseKind.FINANCIAL_OBLIGATION else "desk")
        reason = str(PauseKind(kind).label)
        self.p.adjustments.append(
            (adjustment, True, previous, new_due, remaining, reason, pause["legal_basis"], actor, resumed)
        )

    def maybe_apologise(self, f_o: int, before_o: int, status: str) -> None:
        """T17 for a dossier that will be late: on or before the working day before the due date (§5.10)."""
        if self.due is None or self.rng.random() >= APOLOGY_SHARE:
            return
        rng, d, D = self.rng, self.p.d, self.D
        first_day, last_day = f_o // D + 1, self.line.day_of(d["apology_deadline"])
        if last_day < first_day:
            return
        issued_o = rng.randint(first_day, last_day) * D + rng.randrange(D)
        issued, pause = self.at(issued_o), self.p.pause
        if issued_o >= before_o or (pause and pause["started_at"] <= issued <= (pause["ended_at"] or issued)):
            return
        new_due = self.at((self.line.day_of(self.due.date()) + rng.randint(1, 5)) * D + rng.randrange(D))
        reason = rng.choice(APOLOGY_REASONS)
        self.p.apology = (reason, new_due, issued, self.users.get("head"), False)
        d["rescheduled_due_at"] = new_due
        self.event(
            "apologise", W.HEAD, issued, status, status, note=reason, data={"new_due_at": _iso(new_due), "late": False}
        )

    # --- completion (T15 / T13) ---

    def completion(self, lo: int) -> int:
        """The minute the result is issued, after `lo`: by the due date mostly, LATE_SHARE of them after it."""
        rng, D = self.rng, self.D
        if self.due is None:
            return lo + rng.randint(D // 2, 10 * D)
        due_day, lo_day = self.line.day_of(self.due.date()), lo // D
        if rng.random() < LATE_SHARE:
            return max(lo + 1, max(due_day + rng.choice((1, 1, 1, 2, 2, 3, 4, 5)), lo_day) * D + rng.randrange(D))
        if due_day < lo_day:
            return lo + rng.randint(1, 90)
        day = rng.randint(lo_day, due_day)
        return max(lo + 1, day * D + (rng.randint(lo % D, D - 1) if day == lo_day else rng.randrange(D)))

    def complete(self, c_o: int, status: str) -> None:
        d, at = self.p.d, self.at(c_o)
        self.close_step(at)
        d.update(completed_at=at, outcome=outcome_by_date(at, self.due), clock_state=ClockState.STOPPED)
        d["current_handler_id"] = None
        if d["outcome"] == Outcome.LATE:  # flagged by the overdue job while it was open
            d["is_overdue"], d["overdue_since"] = True, self.due.date() + dt.timedelta(days=1)
        if status == S.STOPPED:
            data = {"legal_basis": self.v.legal_basis}
            self.event("stop", W.HEAD, at, S.IN_PROCESSING, S.STOPPED, note=self.rng.choice(STOP_REASONS), data=data)
            return
        number = f"{self.rng.randint(1, 2999)}/{at:%Y}/{self.v.field_code}"
        d.update(
            result_number=number, result_date=at.date(), result_signer=self.g.c.head_name, result_type=self.v.result
        )
        data = {"number": number, "outcome": d["outcome"]}
        self.event("issue_result", W.HEAD, at, S.IN_PROCESSING, S.RESULT_READY, data=data)

    def set_overdue(self) -> None:
        """An open, running dossier past its due date, as the overdue job flags it; its late open step too."""
        d = self.p.d
        if self.due is not None and d.get("clock_state") == ClockState.RUNNING and self.due.date() < self.g.today:
            d["is_overdue"], d["overdue_since"] = True, self.due.date() + dt.timedelta(days=1)
        if self.p.open_step is not None:
            step = self.p.steps[self.p.open_step]
            step[8] = step[5] is not None and step[5].date() < self.g.today

    def processed(self, back: int, status: str) -> int:
        """Receipt, forwarding, perhaps a closed pause, the steps, then the result (T15) or a stop (T13).

        Returns the minute of completion."""
        rng, D, v = self.rng, self.D, self.v
        intake = self.p.d["channel"] == Channel.ONLINE and rng.random() < 0.04
        f_o = self.forward_minute(self.receive(self.ref_day - back, intake_supplement=intake))
        self.forward(f_o)
        lo = f_o
        kind = None
        if self.p.supplement is None:  # one request per dossier
            if v.fin_excluded and rng.random() < 0.6:
                kind = PauseKind.FINANCIAL_OBLIGATION
            elif rng.random() < 0.04:
                kind = PauseKind.SUPPLEMENT
        if kind:
            p0 = f_o + rng.randint(30, max(60, v.span * D // 2))
            lo = p0 + rng.randint(1, 7) * D + rng.randrange(D)
            self.pause(kind, p0, lo)
        last = len(v.steps) - 1
        final = last if status != S.STOPPED else rng.randint(1, last)
        c_o = self.completion(lo + final)
        if self.due is not None and self.due.date() < self.at(c_o).date():
            self.maybe_apologise(f_o, c_o, S.IN_PROCESSING)
        for index, o in enumerate(self.spread(lo, c_o, final - 1), start=2):
            self.next_step(index, o)
        self.complete(c_o, status)
        return c_o

    def reset(self) -> None:
        """Forget a timeline that did not fit before today, keeping what was drawn before the path began."""
        p = self.p
        for key in [k for k in p.d if k not in _KEPT]:
            del p.d[key]
        p.events, p.steps, p.adjustments, p.open_step, p.numbered = [], [], [], None, []
        p.pause = p.supplement = p.apology = p.code_at = None
        self.due = self.received = None

    # --- the paths, one per final status ---

    def path_draft(self, **_kw) -> None:
        d = self.p.d
        d["created_at"] = self.online_moment(max(self.floor, self.day_back(1, 22)))
        d["clock_state"], d["current_handler_id"] = ClockState.NOT_STARTED, None

    def path_submitted(self, **_kw) -> None:
        self.submit(self.day_back(1, 1) if self.rng.random() < 0.8 else self.day_back(2, 4))
        self.p.d["late_acceptance"] = self.p.d["acceptance_due_at"] < self.g.ref  # flagged by the job (§5.12)

    def path_received(self, **_kw) -> None:
        """Received, not yet forwarded: mostly late yesterday afternoon, to be forwarded at today's opening."""
        overdue = self.rng.random() < OVERDUE_SHARE / 2
        for attempt in range(12):
            self.reset()
            if self.p.d["channel"] != Channel.ONLINE:
                r_o = self.receive(self.ref_day - 1, after_cutoff=0.7)
            else:
                r_o = self.receive(self.day_back(1 + attempt // 4, 2 + attempt), latest=self.ref_o - 1)
            if r_o < self.ref_o and (self.overdue() == overdue or attempt >= 8):
                break
        self.set_overdue()

    def overdue(self) -> bool:
        return self.due is not None and self.due.date() < self.g.today

    def path_in_processing(self, **_kw) -> None:
        rng, v = self.rng, self.v
        overdue = rng.random() < OVERDUE_SHARE
        for attempt in range(12):
            self.reset()
            back = (v.span + rng.randint(2, 10) if overdue else rng.randint(1, v.span)) + attempt // 4
            intake = attempt == 0 and self.p.d["channel"] == Channel.ONLINE and rng.random() < 0.04
            f_o = self.forward_minute(self.receive(self.ref_day - back, intake_supplement=intake))
            # Retry until the real due date agrees with the draw (same-day procedures are rarely still open).
            if f_o < self.ref_o - 1 and (self.overdue() == overdue or attempt >= 8):
                break
        self.forward(f_o)
        current = rng.randint(1, len(v.steps) - 1)
        for index, o in enumerate(self.spread(f_o, self.ref_o - 1, current - 1), start=2):
            if o < self.ref_o:
                self.next_step(index, o)
        if "lien thong" in v.folded and rng.random() < 0.5:
            self.p.d["substate"] = "interconnected"
        self.set_overdue()
        if self.p.d.get("is_overdue"):
            self.maybe_apologise(f_o, self.ref_o, S.IN_PROCESSING)

    def path_supplement_requested(self, *, intake: bool = False) -> None:
        if intake:
            start = self.submit(self.day_back(1, 10))
            self.supplement_intake(max(start, min(start + self.lag(), self.ref_o - 1)))
        else:
            self.paused_in_processing(PauseKind.SUPPLEMENT, self.rng.randint(2, 10))

    def path_awaiting_financial_obligation(self, **_kw) -> None:
        self.paused_in_processing(PauseKind.FINANCIAL_OBLIGATION, self.rng.randint(2, self.v.span + 6))
        self.set_overdue()  # the clock runs on where the version does not exclude the time

    def paused_in_processing(self, kind: str, back: int) -> None:
        rng, D = self.rng, self.D
        f_o = self.forward_minute(self.receive(self.ref_day - back))
        self.forward(f_o)
        self.pause(kind, rng.randint(f_o + 1, max(f_o + 1, min(f_o + 3 * D, self.ref_o - 1))), None)

    def path_result_ready(self, **_kw) -> None:
        for attempt in range(12):
            self.reset()
            if self.processed(self.v.span + 3 * attempt + self.rng.randint(1, 12), S.RESULT_READY) < self.ref_o:
                break
        if self.p.d["return_method"] == ReturnMethod.POST and self.rng.random() < 0.5:
            self.p.d["substate"] = "posting"

    def path_returned(self, **_kw) -> None:
        rng, D, method = self.rng, self.D, self.p.d["return_method"]
        for attempt in range(10):
            self.reset()
            c_o = self.processed(self.back_in_window(self.v.span + 8 + 10 * attempt), S.RETURNED)
            if method == ReturnMethod.ONLINE:  # downloaded
                ret = c_o + rng.randint(1, 240)
            elif method == ReturnMethod.POST:
                ret = (c_o // D + rng.randint(1, 3)) * D + rng.randrange(D)
            elif rng.random() < 0.4 and c_o % D < D - 2:  # collected the same day
                ret = rng.randint(c_o + 1, (c_o // D) * D + D - 1)
            else:
                ret = (c_o // D + rng.randint(1, 5)) * D + rng.randrange(D)
            if ret < self.ref_o:
                break
        returned = self.p.d["returned_at"] = self.at(ret)
        who = W.SYSTEM if method == ReturnMethod.ONLINE else W.DESK
        self.event("return_result", who, returned, S.RESULT_READY, S.RETURNED, data={"receiver": ""})

    def path_stopped(self, **_kw) -> None:
        for attempt in range(10):
            self.reset()
            if self.processed(self.back_in_window(self.v.span + 6 + 10 * attempt), S.STOPPED) < self.ref_o:
                break

    def path_withdrawn(self, **_kw) -> None:
        """T14 before any decision: from the online queue by the citizen, or in processing on paper at the desk."""
        rng, D, d = self.rng, self.D, self.p.d
        for attempt in range(10):
            self.reset()
            back = self.back_in_window(self.v.span + 4 + 10 * attempt)
            if d["channel"] == Channel.ONLINE and rng.random() < 0.4:
                w_o, frm, who = self.submit(self.ref_day - back) + rng.randint(10, 2 * D), S.SUBMITTED, W.CITIZEN
            else:
                f_o = self.forward_minute(self.receive(self.ref_day - back))
                self.forward(f_o)
                w_o, frm, who = f_o + rng.randint(30, 3 * D), S.IN_PROCESSING, W.DESK
            if w_o < self.ref_o:
                break
        at = self.at(w_o)
        self.close_step(at)
        refunded = d["payment_state"] == PaymentState.PAID and rng.random() < 0.4
        if refunded:
            d["payment_state"] = PaymentState.REFUNDED
        elif d["fee_mode"] == FeeMode.AFTER:
            d["payment_state"] = PaymentState.CANCELLED
        d.update(completed_at=at, outcome=Outcome.ON_TIME, clock_state=ClockState.STOPPED, current_handler_id=None)
        refund = sum(a for _n, a in self.p.fees) if refunded else 0
        data = {"request_channel": "online" if who == W.CITIZEN else "counter", "fee_refunded": refunded,
                "refund_amount": refund, "refund_reason": ""}  # fmt: skip
        self.event("withdraw", who, at, frm, S.WITHDRAWN, note=rng.choice(WITHDRAW_REASONS), data=data)

    def path_refused(self, **_kw) -> None:
        """T5 from the online queue or right after a counter receipt; or T11 when an intake request expired."""
        rng, d = self.rng, self.p.d
        back = self.back_in_window(SUPPLEMENT_APPLICANT_DAYS + 6)
        note, basis = rng.choice(REFUSAL_REASONS), {"legal_basis": self.v.legal_basis}
        if d["channel"] == Channel.ONLINE and rng.random() < 0.3:
            self.supplement_intake(self.submit(self.ref_day - back) + self.lag())
            at = self.p.supplement["applicant_deadline"] + dt.timedelta(minutes=rng.randint(1, 10))
            frm, action, who, note, data = (
                S.SUPPLEMENT_REQUESTED,
                "expire_supplement",
                W.SYSTEM,
                "",
                {"stage": "intake"},
            )
        elif d["channel"] == Channel.ONLINE:
            at = self.at(self.submit(self.ref_day - back) + self.lag(0.1))
            self.late_acceptance(at)
            frm, action, who, data = S.SUBMITTED, "refuse", W.DESK, basis
        else:
            at = self.at(self.receive(self.ref_day - back) + rng.randint(5, 60))
            self.close_step(at)
            frm, action, who, data = S.RECEIVED, "refuse", W.DESK, basis
        if d["payment_state"] in (PaymentState.PAID, PaymentState.PENDING):
            d["payment_state"] = (
                PaymentState.REFUNDED if d["payment_state"] == PaymentState.PAID else PaymentState.CANCELLED
            )
        d.update(refused_at=at, clock_state=ClockState.STOPPED, current_handler_id=None)
        self.event(action, who, at, frm, S.REFUSED, note=note, data=data)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
