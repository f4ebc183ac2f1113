"""What the generator reads once: agencies, desks, demo users, procedure versions in force, the calendar."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from accounts.models import CitizenProfile, User
from agencies.models import Agency, AgencyLevel, OneStopDesk
from demo.seeding.names import CENTRE, CODE_WEIGHTS, FIELD_WEIGHTS
from dossiers.deadlines import version_duration
from dossiers.models import Applicant, ApplicantIdentity, ApplicantKind, IdDocumentType
from procedures.models import OnlineMode, ProcedureVersion, TimeUnit
from procedures.text import fold
from workcalendar.calendar import Duration, WorkCalendar
from workcalendar.selectors import current_calendar


class SeedingError(Exception):
    """The demo data cannot be generated (no agency, no procedure version in force)."""


@dataclass(eq=False)
class _Version:
    id: int
    code: str
    name: str
    folded: str
    field_code: str
    commune: bool
    online: bool
    unit: str
    value: Decimal | None
    parts: list
    cutoff: dt.time | None
    duration: Duration
    span: int  # rough length in working days, to place dossiers in time (deadlines: `dossiers.deadlines`)
    clock_mode: str
    fin_excluded: bool
    window_hours: Decimal  # the online acceptance window (§5.8)
    fees: list[tuple[str, int]]
    documents: list[tuple[int | None, str, int, int]]  # (id, name, originals, copies)
    steps: list[tuple[str, str]]  # (name, role): the desk first, at least one step after it
    step_budgets: list[Decimal | None]  # as the version gives them; `dossiers.deadlines.step_due` reads them
    agencies: list[Agency]
    legal_basis: str
    result: str
    effective_from: dt.date
    weight: float
    model: ProcedureVersion  # what `dossiers.deadlines.receipt_due` reads (unit, value, parts, cut-off)


def _version(v: ProcedureVersion) -> _Version:
    duration = version_duration(v)
    steps = [(s.name, s.role or "officer", s.budget) for s in sorted(v.steps.all(), key=_in_order)]
    steps = (steps or [("Tiếp nhận hồ sơ", "desk", None)]) + (
        [("Thụ lý hồ sơ", "officer", None)] if len(steps) < 2 else []
    )
    weight = (
        CODE_WEIGHTS.get(v.procedure.code) or FIELD_WEIGHTS.get(v.field.code) or (3 if "commune" in v.levels else 1)
    )
    basis = next((item.get("number", "") for item in v.legal_basis or [] if item.get("number")), "")
    return _Version(
        id=v.pk,
        code=v.procedure.code,
        name=v.name,
        folded=fold(v.name),
        field_code=v.field.code,
        commune="commune" in (v.levels or []),
        online=v.online_mode != OnlineMode.NONE,
        unit=v.time_unit,
        value=v.time_value,
        parts=list(v.time_parts or []),
        cutoff=v.cutoff_time,
        duration=duration,
        span=_span(duration),
        clock_mode=v.supplement_clock_mode,
        fin_excluded=v.financial_obligation_excluded,
        window_hours=v.acceptance_window_hours,
        fees=[(f.name, f.amount) for f in sorted(v.fees.all(), key=_in_order)],
        documents=[(d.pk, d.name, d.originals, d.copies) for d in sorted(v.documents.all(), key=_in_order)],
        steps=[(name, role) for name, role, _b in steps],
        step_budgets=[budget for _n, _r, budget in steps],
        agencies=sorted((a for a in v.agencies.all() if a.is_active), key=lambda a: a.e_identifier),
        legal_basis=basis[:255],
        result=" ".join((v.result or "").split())[:255],
        effective_from=v.effective_from,
        weight=float(weight),
        model=v,
    )  # fmt: skip


def _in_order(row) -> tuple[int, int]:
    return row.order, row.pk


def _span(duration: Duration) -> int:
    if duration.unit == TimeUnit.MIXED:
        return max(1, sum(_span(part) for part in duration.parts))
    per_day = {TimeUnit.WORKING_DAYS: 1, TimeUnit.WORKING_HOURS: 8, TimeUnit.CALENDAR_DAYS: 7 / 5}.get(duration.unit)
    return max(1, math.ceil(float(duration.value) / per_day)) if per_day else (1 if duration.unit == "same_day" else 10)


@dataclass
class _Context:
    versions: list[_Version]
    agencies: dict[int, Agency]
    centre: Agency | None
    desks: dict[int, int]
    users: dict[str, int | None]
    head_name: str
    citizen_applicant: tuple[int, str] | None
    calendar: WorkCalendar
    calendar_version: int
    code_by: str

    @classmethod
    def load(cls, *, today: dt.date) -> _Context:
        agencies = {a.pk: a for a in Agency.objects.order_by("e_identifier")}
        if not agencies:
            raise SeedingError("Chưa có cơ quan nào: chạy seed_demo trước / no agencies: run seed_demo first.")
        centre = next((a for a in agencies.values() if a.e_identifier == CENTRE), None) or next(
            (a for a in agencies.values() if a.level == AgencyLevel.CENTRE and a.is_active), None
        )
        desks: dict[int, int] = {}
        for desk_id, agency_id in OneStopDesk.objects.filter(is_active=True).order_by("id").values_list("id", "agency"):
            desks.setdefault(agency_id, desk_id)
        versions = (
            ProcedureVersion.objects.in_force()
            .filter(effective_from__lte=today)
            .select_related("procedure", "field")
            .prefetch_related("fees", "documents", "steps", "agencies")
            .order_by("procedure__code")
        )
        versions = [_version(v) for v in versions]
        if not versions:
            raise SeedingError(
                "Chưa có thủ tục nào đang có hiệu lực: chạy import_procedures trước / "
                "no procedure version in force: run import_procedures first."
            )
        names = ("citizen", "desk", "officer", "head", "admin")
        users = dict(User.objects.filter(username__in=names).values_list("username", "id"))
        calendar, calendar_version = current_calendar()
        return cls(
            versions=versions,
            agencies=agencies,
            centre=centre,
            desks=desks,
            users={name: users.get(name) for name in names},
            head_name=User.objects.filter(username="head").values_list("full_name", flat=True).first() or "",
            citizen_applicant=_citizen_applicant(users.get("citizen")),
            calendar=calendar,
            calendar_version=calendar_version,
            code_by=getattr(settings, "DOSSIER_CODE_AGENCY", "resolving"),
        )


def _citizen_applicant(citizen_id: int | None) -> tuple[int, str] | None:
    """The demo citizen's own applicant record (one row, reused by all their dossiers): (id, name)."""
    if citizen_id is None:
        return None
    existing = Applicant.objects.filter(user_id=citizen_id, kind=ApplicantKind.INDIVIDUAL).order_by("id").first()
    if existing:
        return existing.pk, existing.name
    user = User.objects.get(pk=citizen_id)
    profile = CitizenProfile.objects.filter(user=user).first()
    applicant = Applicant.objects.create(
        kind=ApplicantKind.INDIVIDUAL,
        name=(profile.full_name if profile else user.full_name) or user.username,
        phone=profile.phone if profile else "",
        email=(profile.email if profile else "") or user.email,
        address=profile.address if profile else "",
        user=user,
    )
    if profile and profile.personal_id:
        ApplicantIdentity.objects.create(
            applicant=applicant, doc_type=IdDocumentType.PERSONAL_ID, number=profile.personal_id
        )
    return applicant.pk, applicant.name
