"""Every write on a dossier. One function per action; each owns its transaction, locks the dossier row,
checks the action against `workflow.TRANSITIONS` and the actor's abilities, appends the event row, and lets
side effects (notifications, sync) leave only on commit (docs/conventions.md "State changes").

Deadline rules: docs/domain.md §5 through `workcalendar.calendar`; codes §7.1; transitions §4.1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Agency, OneStopDesk
from dossiers import deadlines, handover, workflow
from dossiers.counters import counter_next
from dossiers.deadlines import Clock
from dossiers.errors import (  # DossierError re-exported: callers catch the base class from here
    DossierChanged,
    DossierError,  # noqa: F401
    DossierForbidden,
    DossierNotFound,
    DossierRefused,
)
from dossiers.guards import first_refusal, owner_loa
from dossiers.inputs import clean_input
from dossiers.models import (
    Apology,
    Applicant,
    ApplicantIdentity,
    Channel,
    ClockState,
    CodeCounter,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierFile,
    DossierPause,
    DossierStep,
    DueAdjustment,
    FeeLine,
    FeeMode,
    Outcome,
    PauseKind,
    PaymentState,
    ResultSignature,
    ReturnMethod,
    SupplementRequest,
    SupplementStage,
    outcome_by_date,
)
from dossiers.numbering import numbers_on_transition
from dossiers.permissions import actor_role, in_scope
from dossiers.workflow import Status
from procedures.models import ProcedureVersion
from workcalendar.calendar import (
    Duration,
    to_local,
)

# The applicant's time to supply what is missing (Decree 297/2025 Art. 6(4)(a): 15 working days by default).
SUPPLEMENT_APPLICANT_DAYS = getattr(settings, "SUPPLEMENT_APPLICANT_DAYS", 15)


# --- Codes (§7.1) ---------------------------------------------------------------------------------


def dossier_code_issue(*, agency: Agency, moment: dt.datetime) -> str:
    """The next code `<agency e-identifier>-YYMMDD-XXXX` for the agency and the local date of `moment`.

    One statement on the (agency, day) counter row — insert or increment, returning the new value — so
    concurrent issuers queue on the row lock: consecutive numbers, no gaps, never MAX()+1 (Circular 03/2025
    Art. 13). Must run inside the dossier's transaction, so a rolled-back dossier gives its number back.
    """
    day = timezone.localdate(moment)
    (number,) = counter_next(CodeCounter, {"agency_id": agency.pk, "day": day})
    return f"{agency.e_identifier}-{day:%y%m%d}-{number:04d}"


def _code_agency(dossier: Dossier) -> Agency:
    """The resolving body's identifier prefixes the code by default; a setting switches to the receiver."""
    if getattr(settings, "DOSSIER_CODE_AGENCY", "resolving") == "receiving":
        return dossier.receiving_agency
    return dossier.processing_agency or dossier.receiving_agency


# --- Deadline helpers (§5) ------------------------------------------------------------------------


# The rules themselves are `dossiers.deadlines` (pure functions, shared with the demo seeder).


def _clock(agency: Agency) -> Clock:
    return deadlines.current_clock(agency)


def _duration(dossier: Dossier) -> Duration:
    """The frozen duration of the dossier (set at receipt from its procedure version)."""
    return Duration.from_fields(dossier.duration_unit, dossier.duration_value, dossier.duration_parts)


def _freeze_due(dossier: Dossier, *, received_at: dt.datetime, actor, kind: str, reason: str = "") -> None:
    """Compute the appointment from the procedure version and freeze it with its inputs (§5.4–5.5, §4.3)."""
    version = dossier.procedure_version
    clock = _clock(dossier.receiving_agency)
    dossier.duration_unit = version.time_unit
    dossier.duration_value = version.time_value
    dossier.duration_parts = version.time_parts or []
    dossier.cutoff_time = version.cutoff_time
    dossier.calendar_version = clock.version
    due = deadlines.receipt_due(received_at, version, calendar=clock.calendar, hours=clock.hours)
    previous = dossier.current_due_at
    if dossier.original_due_at is None:
        dossier.original_due_at = due
    dossier.current_due_at = due
    dossier.apology_deadline = _apology_deadline(due, clock)
    dossier.clock_state = ClockState.RUNNING
    DueAdjustment.objects.create(
        dossier=dossier,
        kind=kind,
        previous_due_at=previous,
        new_due_at=due,
        reason=reason,
        calendar_version=clock.version,
        actor=actor,
    )


def _apology_deadline(due: dt.datetime | None, clock: Clock) -> dt.date | None:
    """The working day before the due date: the last day an apology is on time (§5.10)."""
    return deadlines.apology_deadline(due, calendar=clock.calendar)


def _open_step(
    dossier: Dossier, *, agency: Agency, handler, now: dt.datetime, default_name: str, name: str = ""
) -> DossierStep:
    """Open the next process step, named and budgeted by the version's step at the same position (§5.7).

    Due = start + budget in the version's unit, no cut-off; a calendar day cannot be split (§5.5(c)), so a part
    of one counts whole. No budget, or a unit without one (same day, mixed, none), gives no step due moment.
    """
    order = (dossier.current_step.order + 1) if dossier.current_step_id else 1
    # By position: the catalogue numbers a version's steps from 0, the dossier's steps count from 1.
    template = next(iter(dossier.procedure_version.steps.order_by("order", "pk")[order - 1 : order]), None)
    budget = template.budget if template is not None else None
    due = None
    if deadlines.step_budget(dossier.duration_unit, budget) is not None:
        clock = _clock(agency)
        due = deadlines.step_due(
            now, unit=dossier.duration_unit, budget=budget, calendar=clock.calendar, hours=clock.hours
        )
    step = DossierStep.objects.create(
        dossier=dossier,
        order=order,
        name=name or (template.name if template is not None else default_name),
        agency=agency,
        handler=handler,
        started_at=now,
        due_at=due,
    )
    dossier.current_step = step
    dossier.current_handler = handler
    return step


def _close_step(dossier: Dossier, *, now: dt.datetime, judged: bool = True) -> None:
    """Finish the current step, classed by date (§5.7, §5.11), with the working time it used beyond its budget,
    paused time left out (`overrun_minutes`, the "why late" figures, docs/statistics.md). A step closed by a
    withdrawal (`judged=False`) did not finish its work: it is not judged (overrun NULL), nor is one without a due
    moment. The overrun is only computed for a step late by date, so an on-time close costs no query."""
    step = dossier.current_step
    if step is None or step.finished_at is not None:
        return
    step.finished_at = now
    step.outcome = outcome_by_date(now, step.due_at)
    step.is_late = step.outcome == Outcome.LATE
    step.paused = False  # the flag describes open steps only (`_step_pause_sync`)
    step.overrun_minutes = _step_overrun(step, now=now) if judged and step.due_at is not None else None
    step.save(update_fields=["finished_at", "outcome", "is_late", "paused", "overrun_minutes"])


def _step_overrun(step: DossierStep, *, now: dt.datetime) -> int:
    """Working minutes beyond the step's budget, the dossier's pauses taken out (§5.6); 0 unless late by date."""
    if not step.is_late:
        return 0
    clock = _clock(step.agency)
    pauses = DossierPause.objects.filter(dossier_id=step.dossier_id, started_at__lt=now).values_list(
        "started_at", "ended_at"
    )
    overrun = deadlines.step_overrun(
        started_at=step.started_at,
        due_at=step.due_at,
        finished_at=now,
        pauses=list(pauses),
        calendar=clock.calendar,
        hours=clock.hours,
    )
    return overrun or 0


def _step_pause_sync(dossier: Dossier) -> None:
    """Copy the dossier's clock onto its open current step (`DossierStep.paused`): run by `dossier_transition`
    after every handler, so whatever paused, resumed, opened or closed — T9, T10, T12a, T12b, a step opened while
    paused — the step says the same as the dossier, in one place. An UPDATE only when the flag changes."""
    step = dossier.current_step
    if step is None or step.finished_at is not None:
        return
    paused = dossier.clock_state == ClockState.PAUSED
    if step.paused != paused:
        step.paused = paused
        step.save(update_fields=["paused"])


# --- Creation: drafts (T1 source) and the counter's three outcomes (T2; T4 and T5 at the counter) ------------


@dataclass
class ApplicantData:
    """What the desk or the citizen enters about the applicant (§4.3)."""

    kind: int
    name: str
    identities: Iterable[tuple[str, str]] = ()
    tax_code: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    user: Any = None


def applicant_create(*, data: ApplicantData) -> Applicant:
    if not data.name.strip():
        raise DossierRefused(_("Cần nhập họ tên hoặc tên tổ chức của chủ hồ sơ."), code="required", field="name")
    applicant = Applicant.objects.create(
        kind=data.kind,
        name=data.name.strip(),
        tax_code=data.tax_code,
        phone=data.phone,
        email=data.email,
        address=data.address,
        user=data.user,
    )
    ApplicantIdentity.objects.bulk_create(
        [ApplicantIdentity(applicant=applicant, doc_type=t, number=n.strip()) for t, n in data.identities]
    )
    return applicant


def _documents_from_version(dossier: Dossier, documents: Iterable[dict] | None, *, asked=None) -> None:
    """One component row per required document (of `asked`, default all the version's), with what the
    applicant actually handed in."""
    given = {d["required_document_id"]: d for d in (documents or []) if d.get("required_document_id")}
    rows = []
    for required in dossier.procedure_version.documents.all() if asked is None else asked:
        entry = given.get(required.pk, {})
        rows.append(
            DossierDocument(
                dossier=dossier,
                required_document=required,
                name=required.name,
                form=entry.get("form", "original" if required.originals else "copy"),
                count=entry.get("count", max(1, required.originals + required.copies)),
                checked=bool(entry.get("checked", False)),
            )
        )
    DossierDocument.objects.bulk_create(rows)


def _fees_from_version(dossier: Dossier, chosen: Iterable[int] | None = None) -> None:
    """The dossier's fee lines: the version's lines that apply (`chosen` ids, checked by `_fee_choice`; None: all)."""
    fees = list(dossier.procedure_version.fees.all())
    if chosen is not None:
        fees = [f for f in fees if f.pk in set(chosen)]
    FeeLine.objects.bulk_create([FeeLine(dossier=dossier, name=f.name, amount=f.amount) for f in fees])
    total = sum(f.amount for f in fees)
    if total == 0:
        dossier.fee_mode, dossier.payment_state = FeeMode.NONE, PaymentState.NOT_REQUIRED
    else:
        dossier.payment_state = PaymentState.PENDING


def case_fee_ids(version: ProcedureVersion, case) -> list[int]:
    """Ids of the version's fee lines charged in `case`: those of every case and the case's own (None: no case
    chosen yet, only the former) — the same rule as the documents asked."""
    return list(version.fees.filter(Q(case__isnull=True) | Q(case=case)).values_list("pk", flat=True))


def _fee_choice(version: ProcedureVersion, fees: Iterable | None) -> list[int] | None:
    """The `fees` input of a counter creation: None (every line applies) or ids of the version's own fee lines.

    An empty list is an answer (no line applies), unlike the generic input check, which treats it as absent.
    """
    if fees is None:
        return None
    field = workflow.TRANSITIONS["receive_counter"].field("fees")
    ids = clean_input(_declared("receive_counter", "fees"), {"fees": fees}).get("fees", []) if fees else []
    if not set(ids) <= {f.pk for f in version.fees.all()}:
        raise DossierRefused(
            _("“{label}”: chỉ chọn các khoản phí, lệ phí của thủ tục này.").format(label=field.label),
            code="invalid",
            field="fees",
        )
    return ids


def _counter_fees(dossier: Dossier, chosen: list[int] | None) -> None:
    """Fee lines and payment state of a counter dossier that goes on (T2, T4 at the counter), by its fee mode.

    Nothing applies, or "exempt" / "no fee": nothing to pay. "Before" and "after": pending until `collect_fee`
    (T16a) records the payment — the intake screen records a "before" fee in the receipt's own transaction
    (`desk.services.intake_receive`), so a dossier received at the counter that way is paid from the start.
    """
    _fees_from_version(dossier, chosen)
    if dossier.fee_mode in (FeeMode.EXEMPT, FeeMode.NONE):
        dossier.payment_state = PaymentState.NOT_REQUIRED


def _create_once(client_key: str | None, build: Callable[[], Dossier]) -> Dossier:
    """Run `build` unless a dossier with this client key exists: a double submit returns the first dossier.

    The unique constraint on `client_key` decides, not a prior check (Zulip idempotency.md).
    """
    if client_key:
        try:
            with transaction.atomic():
                return build()
        except IntegrityError:
            existing = Dossier.objects.filter(client_key=client_key).first()
            if existing is None:
                raise
            return existing
    return build()


def _event(dossier, *, action, actor, role, now, from_status, note="", visible=True, data=None) -> DossierEvent:
    return DossierEvent.objects.create(
        dossier=dossier,
        action=action,
        actor=actor,
        actor_role=role or workflow.SYSTEM,
        at=now,
        from_status=from_status or "",
        to_status=dossier.status,
        note=note,
        visible_to_citizen=visible,
        data=data or {},
    )


def _notify_on_commit(dossier: Dossier, event: DossierEvent) -> None:
    """Tell the applicant about a visible event, the national portal about every event and the integrations'
    webhooks about a status change, through the outbox, in this transaction (sent after commit)."""
    from dossiers.notifications import notify_put
    from natsync.services import sync_put
    from webhooks.services import webhook_put

    if event.visible_to_citizen:
        notify_put(event)
    sync_put(dossier, event)
    webhook_put(dossier, event)


def dossier_draft_create(
    *,
    user,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    agency: Agency,
    summary: str = "",
    return_method: str = ReturnMethod.ONLINE,
    documents: Iterable[dict] | None = None,
    representative: Applicant | None = None,
    client_key: str | None = None,
) -> Dossier:
    """A citizen's draft for online submission; no code and no clock until it is submitted (T1).

    Idempotent by `client_key` (the wizard's start form carries one): a double click or a retried request returns
    the draft the first one created. A version with one case takes it; with several, the wizard asks (drafts.py),
    and until then only the documents asked in every case are listed.
    """
    if procedure_version.online_mode == "none":
        raise DossierRefused(
            _("Thủ tục này không cung cấp dịch vụ công trực tuyến; vui lòng nộp tại Bộ phận Một cửa."),
            code="not_online",
        )

    def build() -> Dossier:
        cases = list(procedure_version.cases.all()[:2])
        case = cases[0] if len(cases) == 1 else None
        dossier = Dossier.objects.create(
            procedure_version=procedure_version,
            applicant=applicant,
            representative=representative,
            owner=user,
            receiving_agency=agency,
            processing_agency=agency,
            channel=Channel.ONLINE,
            summary=summary[:1000],
            return_method=return_method,
            status=Status.DRAFT,
            client_key=client_key or None,
            case=case,
        )
        required = procedure_version.documents.all()
        if cases:
            required = required.filter(Q(case__isnull=True) | Q(case=case))
        _documents_from_version(dossier, documents, asked=required)
        _fees_from_version(dossier, case_fee_ids(procedure_version, case))
        dossier.save(update_fields=["fee_mode", "payment_state"])
        return dossier

    with transaction.atomic():
        return _create_once(client_key, build)


def dossier_submit_national(
    *,
    national_code: str,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    agency: Agency,
    summary: str = "",
    return_method: str = ReturnMethod.ONLINE,
    submitted_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """T1 through the national portal (natsync inbound): an online dossier in the desk's waiting queue, with its
    code and acceptance deadline counted from the national submission moment; the national code is kept in
    `external_code`. Idempotent by that code: its client key makes a second arrival return the first dossier."""
    now = now or timezone.now()
    submitted_at = submitted_at or now
    client_key = f"national:{national_code}"[:64]

    def build() -> Dossier:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                procedure_version=procedure_version,
                applicant=applicant,
                owner=applicant.user,
                receiving_agency=agency,
                processing_agency=agency,
                channel=Channel.ONLINE,
                summary=summary[:1000],
                return_method=return_method,
                status=Status.SUBMITTED,
                external_code=national_code[:64],
                client_key=client_key,
            )
            _documents_from_version(dossier, None)
            _fees_from_version(dossier, case_fee_ids(procedure_version, None))
            _submit(dossier, now=submitted_at)
            dossier.revision = 1
            dossier.save()
            event = _event(
                dossier,
                action="submit_national",
                actor=None,
                role=workflow.SYSTEM,
                now=now,
                from_status="",
                data={"channel": Channel.ONLINE, "national_code": national_code},
            )
            _notify_on_commit(dossier, event)
            return dossier

    return _create_once(client_key, build)


def dossier_receive_counter(
    *,
    actor,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    channel: int = Channel.COUNTER,
    summary: str = "",
    documents: Iterable[dict] | None = None,
    return_method: str = ReturnMethod.COUNTER,
    fee_mode: str = FeeMode.BEFORE,
    fees: list[int] | None = None,
    sets_count: int = 1,
    processing_agency: Agency | None = None,
    representative: Applicant | None = None,
    client_key: str | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """T2: the desk receives a complete counter or postal dossier; code issued, appointment frozen. `fees`: the
    version's fee lines that apply (default all)."""
    chosen = _fee_choice(procedure_version, fees)

    def complete(dossier: Dossier, now: dt.datetime) -> dict:
        _counter_fees(dossier, chosen)
        _start_clock(dossier, actor=actor, now=now)
        return {}

    return _counter_create(
        "receive_counter",
        complete,
        actor=actor,
        now=now,
        client_key=client_key,
        procedure_version=procedure_version,
        applicant=applicant,
        representative=representative,
        channel=channel,
        summary=summary,
        documents=documents,
        sets_count=sets_count,
        processing_agency=processing_agency,
        return_method=return_method,
        fee_mode=fee_mode,
    )


def dossier_request_supplement_counter(
    *,
    actor,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    note: str,
    items: list,
    legal_basis: str = "",
    channel: int = Channel.COUNTER,
    summary: str = "",
    documents: Iterable[dict] | None = None,
    return_method: str = ReturnMethod.COUNTER,
    fee_mode: str = FeeMode.BEFORE,
    fees: list[int] | None = None,
    sets_count: int = 1,
    processing_agency: Agency | None = None,
    representative: Applicant | None = None,
    client_key: str | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """T4 at the counter: an incomplete dossier is recorded with its code and the one supplement request (mẫu 02).

    The request lists everything missing at once, at stage intake, with the applicant's deadline (Decree 118/2025
    Art. 11; Decree 297/2025 Art. 6(4)(a)). No clock runs: when the applicant comes back, the desk accepts the
    supplement (T10) and the dossier is received then, with its appointment counted from that moment (§5.4, §5.6).
    """
    given = clean_input(
        _declared("request_supplement_counter", "note", "items", "legal_basis"),
        {"note": note, "items": items, "legal_basis": legal_basis},
    )
    chosen = _fee_choice(procedure_version, fees)

    def complete(dossier: Dossier, now: dt.datetime) -> dict:
        _counter_fees(dossier, chosen)
        return _supplement_request_create(dossier, actor=actor, now=now, stage=SupplementStage.INTAKE, **given)

    return _counter_create(
        "request_supplement_counter",
        complete,
        actor=actor,
        now=now,
        client_key=client_key,
        note=given["note"],
        procedure_version=procedure_version,
        applicant=applicant,
        representative=representative,
        channel=channel,
        summary=summary,
        documents=documents,
        sets_count=sets_count,
        processing_agency=processing_agency,
        return_method=return_method,
        fee_mode=fee_mode,
    )


def dossier_refuse_counter(
    *,
    actor,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    note: str,
    legal_basis: str = "",
    channel: int = Channel.COUNTER,
    summary: str = "",
    documents: Iterable[dict] | None = None,
    sets_count: int = 1,
    processing_agency: Agency | None = None,
    representative: Applicant | None = None,
    client_key: str | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """T5 at the counter: a dossier the desk may not receive is recorded with its code and the refusal (mẫu 03).

    The reasons and their legal basis are specific (§4.1 T5, §6.2); nothing is collected from a refused dossier, so
    no fee line is written and no clock starts.
    """
    given = clean_input(_declared("refuse_counter", "note", "legal_basis"), {"note": note, "legal_basis": legal_basis})

    def complete(dossier: Dossier, now: dt.datetime) -> dict:
        dossier.refused_at, dossier.clock_state = now, ClockState.STOPPED
        return {"legal_basis": given.get("legal_basis", "")}

    return _counter_create(
        "refuse_counter",
        complete,
        actor=actor,
        now=now,
        client_key=client_key,
        note=given["note"],
        procedure_version=procedure_version,
        applicant=applicant,
        representative=representative,
        channel=channel,
        summary=summary,
        documents=documents,
        sets_count=sets_count,
        processing_agency=processing_agency,
    )


def _declared(action: str, *names: str) -> workflow.Transition:
    """The row of `action` restricted to the named plain fields, to check them as `dossier_transition` would."""
    transition = workflow.TRANSITIONS[action]
    return replace(transition, fields=tuple(f for f in transition.fields if f.name in names))


def _counter_create(
    action: str,
    complete: Callable[[Dossier, dt.datetime], dict],
    *,
    actor,
    now: dt.datetime | None,
    client_key: str | None,
    note: str = "",
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    representative: Applicant | None,
    channel: int,
    summary: str,
    documents: Iterable[dict] | None,
    sets_count: int,
    processing_agency: Agency | None,
    return_method: str = ReturnMethod.COUNTER,
    fee_mode: str = FeeMode.NONE,
) -> Dossier:
    """The creation rows of the table (T2, and T4/T5 at the counter): one transaction for the dossier, its code, its
    checklist, what `complete` adds for the decision, the numbers it calls for and its first event.

    Idempotent by `client_key`: a resent form returns the dossier the first one created, whatever it decided.
    """
    transition = workflow.TRANSITIONS[action]
    role = actor_role(actor)
    if role not in transition.roles:
        raise DossierForbidden(_("Chỉ cán bộ Bộ phận Một cửa được tiếp nhận hồ sơ."))
    if channel not in (Channel.COUNTER, Channel.POSTAL):
        raise DossierRefused(
            _("Hồ sơ trực tuyến được tiếp nhận từ hàng chờ hồ sơ nộp trực tuyến."), code="invalid", field="channel"
        )
    now = now or timezone.now()
    agency = actor.staff_profile.agency
    desk = actor.staff_profile.desk or OneStopDesk.objects.filter(agency=agency, is_active=True).first()

    def build() -> Dossier:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                procedure_version=procedure_version,
                applicant=applicant,
                representative=representative,
                owner=applicant.user,
                receiving_agency=agency,
                desk=desk,
                processing_agency=processing_agency or agency,
                channel=channel,
                summary=summary[:1000],
                sets_count=sets_count,
                return_method=return_method,
                fee_mode=fee_mode,
                status=transition.target,
                submitted_at=None if action == "receive_counter" else now,
                client_key=client_key,
            )
            dossier.code = dossier_code_issue(agency=_code_agency(dossier), moment=now)
            _documents_from_version(dossier, documents)
            data = {"channel": channel, **(complete(dossier, now) or {})}
            dossier.revision = 1
            data.update(numbers_on_transition(dossier, action=action, now=now))
            dossier.save()
            event = _event(
                dossier, action=action, actor=actor, role=role, now=now, from_status="", note=note, data=data
            )
            _notify_on_commit(dossier, event)
            return dossier

    return _create_once(client_key, build)


# --- The one entry point for status changes -------------------------------------------------------


def dossier_transition(
    *,
    dossier: Dossier | int,
    action: str,
    actor,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
    **params: Any,
) -> Dossier:
    """Perform `action` (a key of `workflow.TRANSITIONS`) on a dossier: one transaction, the row locked.

    The input is checked against the transition's declared fields before anything changes; the table's target
    (or its conditional target) is applied here, never by a handler. Refusals raise an engine error
    (`dossiers.errors`) and change nothing. A second concurrent action on the same dossier waits for the first,
    then fails with "already changed" (`expected_revision`) or because the status no longer allows it.
    """
    transition = workflow.TRANSITIONS.get(action)
    if transition is None or None in transition.sources:
        raise DossierRefused(_("Thao tác không hợp lệ."), code="unknown_action")
    cleaned = clean_input(transition, params)
    now = now or timezone.now()
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    role = actor_role(actor) if actor is not None else workflow.SYSTEM
    stored: list[str] = []  # storage names a handler wrote: deleted again if the transaction rolls back
    with _discard_on_rollback(stored), transaction.atomic():
        locked = (
            Dossier.objects.select_for_update(of=("self",))
            .select_related("procedure_version", "receiving_agency", "processing_agency", "applicant", "current_step")
            .filter(pk=pk)
            .first()
        )
        _authorise(locked, transition, actor, role)
        if expected_revision is not None and locked.revision != expected_revision:
            raise _changed(locked)
        if locked.status not in transition.sources:
            raise DossierRefused(
                str(transition.wrong_status)
                or _("Không thể “{action}” khi hồ sơ đang ở trạng thái “{status}”.").format(
                    action=transition.label, status=locked.get_status_display()
                ),
                code="wrong_status",
            )
        refusal = first_refusal(transition.guards, locked, now)
        if refusal is not None:
            raise refusal
        target = _resolve(transition.target, locked, cleaned)
        substate = _resolve(transition.substate, locked, cleaned)
        from_status = locked.status
        checked = _documents_check(locked, cleaned.pop("checked_documents")) if "checked_documents" in cleaned else {}
        extra = _HANDLERS[action](locked, actor=actor, role=role, now=now, stored=stored, **cleaned) or {}
        _step_pause_sync(locked)
        extra.update(checked)
        # Committed: the stored files are the dossier's now, whatever a later on-commit callback raises.
        transaction.on_commit(stored.clear)
        if target != workflow.SAME:
            locked.status = target
        if substate is not None and substate != workflow.SAME:
            locked.substate = substate
        extra.update(numbers_on_transition(locked, action=action, now=now))
        locked.revision += 1
        locked.save()
        visible = extra.pop("visible", True)
        if transition.note_internal:
            # The note is the staff's; the applicant sees the status change, and the message when there is one.
            message = cleaned.get("message", "")
            visible = visible and (locked.status != from_status or bool(message))
            if message:
                extra["message"] = message
        if cleaned.get("step_result"):
            extra["step_result"] = cleaned["step_result"]
        event = _event(
            locked,
            action=action,
            actor=actor,
            role=role,
            now=now,
            from_status=from_status,
            note=cleaned.get("note", ""),
            visible=visible,
            data=extra,
        )
        _notify_on_commit(locked, event)
    return locked


@contextmanager
def _discard_on_rollback(stored: list[str]):
    """Delete the files a handler stored when the transaction around them fails (Django has no on-rollback hook)."""
    try:
        yield
    except BaseException:
        for name in stored:
            _file_discard(name)
        raise


def _documents_check(dossier: Dossier, ids: list[int]) -> dict:
    """Store the desk's checklist with the decision it leads to: each component of the dossier is ticked when its
    id is listed and unticked otherwise (§4.1 T2/T3: "a checklist per component").

    Why an input of the decision (T3, T4, T5, T10) rather than an action of its own: a tick is the officer's finding
    on the way to one decision, and the law records the checklist of that decision. With the ticks in the decision's
    transaction, the event that receives, refuses or asks for a supplement also names what was found, the revision
    moves once, and nobody else sees a half-checked dossier; an action per tick would write an event, move the
    revision (turning every open page "changed") and chain dozens of rows for one review. Until the decision the
    ticks live in the officer's page.
    """
    known = set(DossierDocument.objects.filter(dossier_id=dossier.pk).values_list("pk", flat=True))
    if not set(ids) <= known:
        raise DossierRefused(
            _("Danh sách giấy tờ đã kiểm tra có giấy tờ không thuộc hồ sơ này."),
            code="invalid",
            field="checked_documents",
        )
    DossierDocument.objects.filter(dossier_id=dossier.pk).update(
        checked=Case(When(pk__in=ids, then=Value(True)), default=Value(False))
    )
    return {"checked_documents": ids}


# Facts of the dossier that a conditional target may depend on (`workflow.Conditional` "dossier:<name>").
_FACTS: dict[str, Callable[[Dossier], object]] = {
    "supplement_stage": lambda d: SupplementRequest.objects.values_list("stage", flat=True).get(dossier_id=d.pk),
}


def _resolve(target, dossier: Dossier, cleaned: dict[str, Any]):
    """The status (or sub-state) a transition leads to: declared, or picked by its declared condition."""
    if not isinstance(target, workflow.Conditional):
        return target
    source, _sep, name = target.on.partition(":")
    value = bool(cleaned.get(name, False)) if source == "input" else _FACTS[name](dossier)
    return target.pick(value)


def _authorise(dossier: Dossier | None, transition: workflow.Transition, actor, role: str | None) -> None:
    """Outside the actor's scope is the same 404 as a missing dossier; inside it, a role that may not act is 403."""
    if role is None:
        raise DossierForbidden(_("Bạn không có quyền thực hiện thao tác “{action}”.").format(action=transition.label))
    if dossier is None or (role != workflow.SYSTEM and not in_scope(actor, role, dossier)):
        raise DossierNotFound(_("Không tìm thấy hồ sơ."))
    if role not in transition.roles:
        raise DossierForbidden(_("Bạn không có quyền thực hiện thao tác “{action}”.").format(action=transition.label))


def _changed(dossier: Dossier) -> DossierChanged:
    """409, saying who changed the dossier last and when (from its newest event)."""
    last = (
        DossierEvent.objects.filter(dossier_id=dossier.pk)
        .select_related("actor")
        .order_by("-id")
        .only("at", "action", "actor_role", "actor__first_name", "actor__last_name", "actor__username")
        .first()
    )
    who, when = "", ""
    if last is not None:
        who = (last.actor.get_full_name() or last.actor.get_username()) if last.actor else _("hệ thống")
        when = f"{timezone.localtime(last.at):%H:%M %d/%m/%Y}"
    return DossierChanged(
        _("Hồ sơ {code} vừa được {who} thay đổi lúc {when}; vui lòng tải lại trang và kiểm tra.").format(
            code=dossier.code or "", who=who, when=when
        ),
        changed_by=who or None,
        changed_at=last.at.isoformat() if last is not None else None,
    )


# --- Handlers: each mutates the locked dossier and its related rows (never its status: the table decides),
# and returns the event's data. They receive the cleaned input declared by their transition. -------------


def _submit(d: Dossier, *, now, **_kw):
    """T1: code, submission moment, acceptance deadline (8 working hours by default, §5.8), and the owner's level
    of electronic identification at this moment (docs/vneid.md; behind `TaiKhoanDuocXacThucVoiVNeID` of §10.1)."""
    d.submitted_at = now
    d.loa = owner_loa(d)
    d.code = dossier_code_issue(agency=_code_agency(d), moment=now)
    clock = _clock(d.receiving_agency)
    d.acceptance_due_at = deadlines.acceptance_due(
        now, window_hours=d.procedure_version.acceptance_window_hours, calendar=clock.calendar, hours=clock.hours
    )
    return {}


def _mark_late_acceptance(d: Dossier, now: dt.datetime) -> None:
    if d.channel == Channel.ONLINE and d.acceptance_due_at and now > d.acceptance_due_at:
        d.late_acceptance = True


def _start_clock(d: Dossier, *, actor, now: dt.datetime) -> None:
    """Receipt of a complete dossier (T3, or T10 after an intake supplement): the clock starts now (§5.4)."""
    d.received_at = now
    d.desk = d.desk or getattr(actor.staff_profile, "desk", None)
    d.desk = d.desk or OneStopDesk.objects.filter(agency=d.receiving_agency, is_active=True).first()
    _freeze_due(d, received_at=now, actor=actor, kind=DueAdjustment.Kind.RECEIPT)
    _open_step(d, agency=d.receiving_agency, handler=actor, now=now, default_name=_("Tiếp nhận hồ sơ"))


def _receive(d: Dossier, *, actor, now, **_kw):
    """T3: the desk accepts a complete online dossier; the appointment is frozen from this moment."""
    _mark_late_acceptance(d, now)
    _start_clock(d, actor=actor, now=now)
    return {"late_acceptance": d.late_acceptance}


def _request_supplement(d: Dossier, *, actor, now, note, items, legal_basis="", **_kw):
    """T4/T9: everything missing in one request, once per dossier (Decree 118/2025 Art. 11)."""
    stage = SupplementStage.INTAKE if d.status == Status.SUBMITTED else SupplementStage.APPRAISAL
    if stage == SupplementStage.INTAKE:
        _mark_late_acceptance(d, now)
    return _supplement_request_create(
        d, actor=actor, now=now, stage=stage, note=note, items=items, legal_basis=legal_basis
    )


def _supplement_request_create(d: Dossier, *, actor, now, stage: str, note: str, items: list, legal_basis: str = ""):
    """The one supplement request with the applicant's deadline; in appraisal the clock pauses (§5.6)."""
    clock = _clock(d.receiving_agency)
    deadline = deadlines.supplement_deadline(
        now, days=SUPPLEMENT_APPLICANT_DAYS, calendar=clock.calendar, hours=clock.hours
    )
    SupplementRequest.objects.create(
        dossier=d,
        stage=stage,
        items=items,
        reason=note,
        legal_basis=legal_basis,
        requested_at=now,
        requested_by=actor,
        applicant_deadline=deadline,
        previous_due_at=d.current_due_at,
    )
    if stage == SupplementStage.APPRAISAL:
        DossierPause.objects.create(
            dossier=d,
            kind=PauseKind.SUPPLEMENT,
            started_at=now,
            reason=note,
            legal_basis=legal_basis,
            actor=actor,
        )
        d.clock_state = ClockState.PAUSED
    return {
        "stage": stage,
        "items": items,
        "legal_basis": legal_basis,
        "applicant_deadline": deadline.isoformat(),
    }


def _supply_supplement(d: Dossier, *, now, note: str = "", files: list[int] | None = None, **_kw):
    """T10, the applicant's part: what the request listed is sent, once and before the applicant's deadline (the
    guards); the dossier waits in its status, sub-state "supplied", until the desk accepts it (`accept_supplement`).

    `files` are the dossier's own supplement files, stored in this transaction by `dossier_supplement_supply`.
    """
    ids = files or []
    records = list(
        DossierFile.objects.filter(dossier_id=d.pk, kind=DossierFile.Kind.SUPPLEMENT, pk__in=ids).order_by("pk")
    )
    if len(records) != len(ids):
        raise DossierRefused(_("Danh sách tệp bổ sung có tệp không thuộc hồ sơ này."), code="invalid", field="files")
    if not records and not note:
        raise DossierRefused(
            _("Cần gửi ít nhất một tệp hồ sơ bổ sung hoặc ghi rõ nội dung đã bổ sung."), code="required", field="files"
        )
    request = d.supplement_request
    request.supplied_at = now
    request.save(update_fields=["supplied_at"])
    return {
        "files": [{"id": r.pk, "name": r.original_name, "sha256": r.sha256, "size": r.size} for r in records],
    }


def _accept_supplement(d: Dossier, *, actor, now, **_kw):
    """T10: the completed supplement is accepted; restart or continue the clock per the version (§5.6)."""
    request = d.supplement_request
    request.supplied_at = request.supplied_at or now
    request.accepted_at = now
    if request.stage == SupplementStage.INTAKE:
        _start_clock(d, actor=actor, now=now)
    else:
        pause = DossierPause.objects.get(dossier=d, kind=PauseKind.SUPPLEMENT, ended_at__isnull=True)
        _resume(d, pause=pause, actor=actor, now=now, mode=d.procedure_version.supplement_clock_mode)
    request.new_due_at = d.current_due_at
    request.save(update_fields=["supplied_at", "accepted_at", "new_due_at"])
    return {"stage": request.stage, "new_due_at": d.current_due_at.isoformat() if d.current_due_at else None}


def _resume(d: Dossier, *, pause: DossierPause, actor, now, mode: str) -> None:
    """Close a pause and move the due moment (§5.6). Either way an adjustment row keeps both values.

    restart: the whole duration again from `now` as a new receipt moment — all of §5.4, the version's cut-off
    included (accepted 16:00 with a 15:00 cut-off → counting starts at the next opening).
    continue: the time left at the pause start is re-applied from `now`, without the cut-off.
    """
    pause.ended_at = now
    pause.save(update_fields=["ended_at"])
    clock = _clock(d.receiving_agency)
    previous = d.current_due_at
    new_due, left = deadlines.resumed_due(
        now,
        mode=mode,
        duration=_duration(d),
        due=previous,
        pause_start=pause.started_at,
        clock_start=d.received_at,
        calendar=clock.calendar,
        hours=clock.hours,
        cutoff=d.cutoff_time,
    )
    remaining = "" if left is None else str(left)
    kind = DueAdjustment.Kind.RESTART if mode == "restart" else DueAdjustment.Kind.CONTINUE
    d.current_due_at = new_due
    d.apology_deadline = _apology_deadline(new_due, clock)
    d.clock_state = ClockState.RUNNING
    d.is_overdue = False
    d.overdue_since = None
    DueAdjustment.objects.create(
        dossier=d,
        kind=kind,
        pause=pause,
        previous_due_at=previous,
        new_due_at=new_due,
        remaining=remaining,
        reason=pause.get_kind_display(),
        legal_basis=pause.legal_basis,
        calendar_version=clock.version,
        actor=actor,
    )


def _expire_supplement(d: Dossier, *, now, **_kw):
    """T11: the applicant's deadline passed: refused at intake, stopped in appraisal (never late, §5.11)."""
    request = d.supplement_request
    if request.stage == SupplementStage.INTAKE:
        d.refused_at = now
    else:
        DossierPause.objects.filter(dossier=d, ended_at__isnull=True).update(ended_at=now)
        d.completed_at, d.outcome = now, Outcome.ON_TIME
    d.clock_state = ClockState.STOPPED
    return {"stage": request.stage}


def _refuse(d: Dossier, *, now, legal_basis="", **_kw):
    """T5: not received, with specific reasons and their legal basis."""
    _mark_late_acceptance(d, now)
    d.refused_at, d.clock_state = now, ClockState.STOPPED
    _close_step(d, now=now)
    return {"legal_basis": legal_basis}


def _handler_of(agency_id: int, handler, message: str) -> None:
    """A step is held by a staff member of the agency it is at (T6, T7): anyone else is refused on the field."""
    if handler is None:
        return
    profile = getattr(handler, "staff_profile", None)
    if profile is None or profile.agency_id != agency_id:
        raise DossierRefused(message, code="invalid", field="handler")


def _forward(d: Dossier, *, actor, now, agency: Agency | None = None, handler=None, **_kw):
    """T6: handed to the processing body; the desk step closes, the body's step opens with its budget."""
    target = agency or d.processing_agency or d.receiving_agency
    _handler_of(target.pk, handler, _("Cán bộ thụ lý phải thuộc cơ quan giải quyết hồ sơ."))
    _close_step(d, now=now)
    d.processing_agency = target
    _open_step(d, agency=target, handler=handler, now=now, default_name=_("Thụ lý hồ sơ"))
    return {"agency": target.e_identifier, "handler": getattr(handler, "pk", None)}


def _step(d: Dossier, *, actor, now, name: str = "", agency: Agency | None = None, handler=None, **_kw):
    """T7: a step change (assign, appraise, review, sign …) is a new control-sheet row."""
    target = agency or d.processing_agency or d.receiving_agency
    _handler_of(target.pk, handler, _("Cán bộ xử lý phải thuộc cơ quan, đơn vị của bước xử lý."))
    _close_step(d, now=now)
    step = _open_step(d, agency=target, handler=handler, now=now, default_name=_("Xử lý hồ sơ"), name=name)
    return {"step": step.name, "agency": target.e_identifier, "handler": getattr(handler, "pk", None)}


def _assign(d: Dossier, *, actor, role, now, handler, **_kw):
    """T7 (assignment): the current step changes hands; an officer may only take it for themself."""
    step = d.current_step
    if step is None or step.finished_at is not None:
        raise DossierRefused(_("Hồ sơ không có bước xử lý đang mở để phân công."), code="no_open_step")
    if role == workflow.OFFICER and handler.pk != actor.pk:
        raise DossierRefused(
            _("Chuyên viên chỉ được nhận xử lý hồ sơ cho chính mình; việc phân công do lãnh đạo đơn vị thực hiện."),
            code="forbidden_assignment",
            field="handler",
        )
    _handler_of(step.agency_id, handler, _("Cán bộ được phân công phải thuộc cơ quan đang xử lý bước này."))
    previous = step.handler_id
    step.handler = handler
    step.save(update_fields=["handler"])
    d.current_handler = handler
    return {"step": step.name, "handler": handler.pk, "previous_handler": previous}


def _interconnect(d: Dossier, *, now, partner: str, back: bool = False, **_kw):
    """T8: sent to another body (sub-state interconnected, declared in the table) or back."""
    return {"partner": partner, "back": back}


def _await_obligation(d: Dossier, *, actor, now, note="", amount: int | None = None, **_kw):
    """T12a: financial obligation notified; the time is excluded where the version says so (land, §5.9)."""
    if d.procedure_version.financial_obligation_excluded:
        DossierPause.objects.create(
            dossier=d, kind=PauseKind.FINANCIAL_OBLIGATION, started_at=now, reason=note, actor=actor
        )
        d.clock_state = ClockState.PAUSED
    return {"amount": amount}


def _obligation_met(d: Dossier, *, actor, now, **_kw):
    """T12b: proof of payment received; excluded time follows the continue rule (§5.6)."""
    pause = DossierPause.objects.filter(dossier=d, kind=PauseKind.FINANCIAL_OBLIGATION, ended_at__isnull=True).first()
    if pause is not None:
        _resume(d, pause=pause, actor=actor, now=now, mode="continue")
    return {}


def _stop(d: Dossier, *, now, legal_basis="", **_kw):
    """T13: not eligible after appraisal; classed by date like a completed dossier (§5.11)."""
    _close_step(d, now=now)
    d.completed_at, d.clock_state = now, ClockState.STOPPED
    d.outcome = outcome_by_date(now, d.current_due_at)
    return {"legal_basis": legal_basis}


def _withdraw(
    d: Dossier,
    *,
    now,
    request_date: dt.date,
    request_channel: str,
    fee_refunded: bool = False,
    refund_amount: int = 0,
    refund_reason: str = "",
    **_kw,
):
    """T14: only while no decision or result exists (Decree 118/2025 Art. 21); counts as on time.

    The law asks for the applicant's request — its date and channel — not a motive.
    """
    if request_date > timezone.localdate(now):
        raise DossierRefused(
            _("Ngày nhận đề nghị rút hồ sơ không được sau ngày hôm nay."), code="invalid", field="request_date"
        )
    DossierPause.objects.filter(dossier=d, ended_at__isnull=True).update(ended_at=now)
    _close_step(d, now=now, judged=False)  # the applicant ended the step: nobody is blamed for it
    d.clock_state = ClockState.STOPPED
    d.completed_at = now
    d.outcome = Outcome.ON_TIME
    if fee_refunded:
        d.payment_state = PaymentState.REFUNDED
    return {
        "request_date": request_date.isoformat(),
        "request_channel": request_channel,
        "fee_refunded": fee_refunded,
        "refund_amount": refund_amount,
        "refund_reason": refund_reason,
    }


def _issue_result(
    d: Dossier,
    *,
    actor,
    now,
    stored: list[str],
    number: str,
    signer: str = "",
    result_type: str = "",
    result_date: dt.date | None = None,
    result_file=None,
    **_kw,
):
    """T15: the result is signed and issued with its file; the dossier and its last step are classed by date (§5.11).

    The file is the head's signed PDF (`result_file`), its digital signatures verified and kept, or — without one —
    the PDF the portal generates from its result template. Either way it is stored with its SHA-256 in this
    transaction, and the event records the hash and the signatures found (docs/domain.md §4.1 T15).
    """
    result_date = result_date or timezone.localdate(now)
    checks = _result_signatures_check(result_file) if result_file is not None else []
    # The signer named on the result: as entered, else the first signer of the PDF, else the head issuing it.
    signer = signer or next((c.signer for c in checks if c.signer), "") or _person(actor)
    d.result_type = result_type or d.procedure_version.result[:255]
    generated = result_file is None
    if generated:
        result_file = _result_generate(d, actor=actor, number=number, result_date=result_date, signer=signer)
    record = _result_store(d, upload=result_file, actor=actor, stored=stored)
    ResultSignature.objects.bulk_create(
        [
            ResultSignature(
                file=record,
                order=order,
                field_name=check.field_name[:255],
                signer=check.signer,
                signed_at=check.signed_at,
                intact=check.intact,
                covers_whole=check.covers_whole,
                trusted=check.trusted,
                summary=check.summary,
                verified_at=now,
            )
            for order, check in enumerate(checks, start=1)
        ]
    )
    _close_step(d, now=now)
    d.current_step = None
    d.completed_at, d.clock_state = now, ClockState.STOPPED
    d.outcome = outcome_by_date(now, d.current_due_at)
    d.is_overdue = d.outcome == Outcome.LATE
    d.result_number, d.result_signer = number, signer[:150]
    d.result_date = result_date
    return {
        "number": d.result_number,
        "outcome": d.outcome,
        "result_file": {
            "id": record.pk,
            "sha256": record.sha256,
            "size": record.size,
            "name": record.original_name,
            "source": "template" if generated else "upload",
        },
        "signatures": [check.as_data() for check in checks],
    }


def _person(user) -> str:
    return str(user) if user is not None else ""  # the account's full name, else its username


def _result_signatures_check(upload) -> list:
    """The uploaded PDF's signatures, verified before anything is stored; a PDF that cannot be read is refused."""
    from dossiers.files import original_name_clean
    from dossiers.signatures import UnreadablePdf, pdf_signatures_verify

    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    try:
        return pdf_signatures_verify(data)
    except UnreadablePdf:
        raise DossierRefused(
            _("Tệp “{name}” không đọc được như một tệp PDF hợp lệ (tệp hỏng hoặc có đặt mật khẩu).").format(
                name=original_name_clean(getattr(upload, "name", ""))
            ),
            code="file_unreadable",
            field="result_file",
        ) from None


def _result_generate(d: Dossier, *, actor, number: str, result_date: dt.date, signer: str) -> ContentFile:
    """The result PDF from the portal's template, for a head who uploads no signed file."""
    from dossiers.printing import render_result

    profile = getattr(actor, "staff_profile", None)
    pdf = render_result(
        d,
        number=number,
        result_date=result_date,
        signer=signer,
        result_type=d.result_type,
        signer_title=profile.title if profile is not None else "",
    )
    return ContentFile(pdf, name=f"ket-qua-{d.code}.pdf")


def _result_store(d: Dossier, *, upload, actor, stored: list[str]) -> DossierFile:
    """Store the result file as the dossier's RESULT file (upload rules and total size of dossiers/files.py)."""
    from dossiers.files import FileRejected, dossier_file_add

    try:
        record = dossier_file_add(dossier=d, upload=upload, actor=actor, kind=DossierFile.Kind.RESULT)
    except FileRejected as rejected:
        raise DossierRefused(rejected.messages[0], code=rejected.code, field="result_file") from None
    stored.append(record.file.name)
    return record


def _file_discard(name: str) -> None:
    from dossiers.files import stored_file_discard

    stored_file_discard(name)


def _apologise(d: Dossier, *, actor, now, note, new_due_at: dt.datetime, **_kw):
    """T17: before the due moment, one new date at most; the official due date stays (§5.10).

    After the apology deadline (the working day before the due date) it is accepted but flagged late.
    """
    clock = _clock(d.receiving_agency)
    due_date = timezone.localdate(d.current_due_at)
    new_local = to_local(new_due_at, "new_due_at")
    if new_local.date() <= due_date or not clock.calendar.is_working_day(new_local.date()):
        raise DossierRefused(
            _("Ngày hẹn trả mới phải là một ngày làm việc sau ngày hẹn trả {due}.").format(due=f"{due_date:%d/%m/%Y}"),
            code="invalid",
            field="new_due_at",
        )
    late = d.apology_deadline is not None and timezone.localdate(now) > d.apology_deadline
    Apology.objects.create(dossier=d, reason=note, new_due_at=new_due_at, issued_at=now, signer=actor, is_late=late)
    d.rescheduled_due_at = new_due_at
    return {"new_due_at": new_local.isoformat(), "late": late}


def _recall(d: Dossier, *, now, **_kw):
    """T18: a result returned by mistake is recalled by the administrator; both events are kept."""
    d.returned_at = None
    return {"visible": False}


# Explicit registration: one handler per transition key (the creation rows have their own functions above).
_HANDLERS: dict[str, Callable[..., dict | None]] = {
    "submit": _submit,
    "receive": _receive,
    "request_supplement_intake": _request_supplement,
    "request_supplement": _request_supplement,
    "supply_supplement": _supply_supplement,
    "accept_supplement": _accept_supplement,
    "expire_supplement": _expire_supplement,
    "refuse": _refuse,
    "forward": _forward,
    "step": _step,
    "assign": _assign,
    "interconnect": _interconnect,
    "await_obligation": _await_obligation,
    "obligation_met": _obligation_met,
    "stop": _stop,
    "withdraw": _withdraw,
    "issue_result": _issue_result,
    "collect_fee": handover.collect_fee,
    "pay_online": handover.pay_online,
    "post_result": handover.post_result,
    "return_result": handover.return_result,
    "apologise": _apologise,
    "recall": _recall,
}
assert set(_HANDLERS) == set(workflow.TRANSITIONS) - workflow.CREATIONS, "every transition needs a handler"


# --- The result downloaded online (T16) -------------------------------------------------------------------------


def dossier_result_downloaded(*, file: DossierFile, user, now: dt.datetime | None = None) -> bool:
    """The owner downloading a result file of a dossier to be returned online is the handover (§4.1 T16): the
    system returns it, once. Anyone else's download, another kind of file, another return method or a dossier not
    (or no longer) waiting for its return changes nothing. Returns whether this download returned the result.

    A concurrent download that lost the race finds the dossier returned on the locked row and changes nothing;
    "thu sau" fees still due are refused by the engine's guard like at the counter.
    """
    dossier = file.dossier
    if (
        file.kind != DossierFile.Kind.RESULT
        or user is None
        or dossier.owner_id != user.pk
        or dossier.return_method != ReturnMethod.ONLINE
        or dossier.status != Status.RESULT_READY
    ):
        return False
    try:
        dossier_transition(
            dossier=dossier.pk,
            action="return_result",
            actor=None,
            now=now,
            method=ReturnMethod.ONLINE,
            file=file.pk,
            receiver=dossier.applicant.name,
        )
    except DossierRefused as refusal:
        if refusal.code == "wrong_status":
            return False
        raise
    return True


# --- The supplement sent online (T10, the applicant's part) -------------------------------------------------------


def dossier_supplement_supply(
    *,
    dossier: Dossier,
    actor,
    uploads: Iterable[tuple[DossierDocument | None, Any]],
    note: str = "",
    now: dt.datetime | None = None,
) -> Dossier:
    """Store the applicant's supplement files and send the supplement (`supply_supplement`) in one transaction.

    Each upload is checked by dossiers/files.py (type by content, size, the dossier's total) and attached to its
    component when the request's item names one; a rejected file, a late answer or a second one rolls everything
    back and deletes what was stored, so a refusal leaves neither rows nor stored objects.
    """
    from dossiers.files import FileRejected, dossier_file_add

    stored: list[str] = []
    with _discard_on_rollback(stored), transaction.atomic():
        ids = []
        for document, upload in uploads:
            try:
                record = dossier_file_add(
                    dossier=dossier, upload=upload, actor=actor, document=document, kind=DossierFile.Kind.SUPPLEMENT
                )
            except FileRejected as rejected:
                raise DossierRefused(rejected.messages[0], code=rejected.code, field="files") from None
            stored.append(record.file.name)
            ids.append(record.pk)
        return dossier_transition(
            dossier=dossier.pk, action="supply_supplement", actor=actor, now=now, note=note, files=ids
        )


# --- Jobs (§5.12) ---------------------------------------------------------------------------------------------


def dossiers_flag_overdue(*, now: dt.datetime | None = None) -> int:
    """Flag open, running dossiers whose due date has passed (§5.12 "newly late"); returns how many.

    The job lives in `dossiers.jobs.job_late` (one set-based UPDATE on the partial index of open running dossiers
    not yet flagged, plus the staff alerts once per due moment); running it again changes nothing. Lateness itself
    is always derived from dates — `is_overdue` is a cache for lists.
    """
    from dossiers.jobs import job_late

    return job_late(now=now).changed
