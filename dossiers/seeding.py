"""Demo dossiers in bulk, for `manage.py seed_demo --dossiers N` and the volume benchmark (bench/seed_demo.py).

Each dossier is planned in Python along a legal path of the transition table (`dossiers.workflow`, domain.md
§4.1) with the rows `dossiers.services` writes on the way — events, steps, pauses, the one supplement request,
due adjustments, apology, documents, fee lines — and written in bulk, one code agency at a time: on PostgreSQL by
`COPY` from a second thread while the next agency's dossiers are planned, elsewhere by multi-row inserts. Going
through the services would cost one transaction per action, so the rules they apply are restated here, and
tests/dossiers/test_seed_demo.py checks the result against them:

- codes `<agency e-identifier>-YYMMDD-XXXX` per (code agency, local day of issue: submission T1 online, receipt
  T2 otherwise), consecutive after the `CodeCounter` row, which is left at the last number used (§7.1); the code
  agency is the resolving body unless `settings.DOSSIER_CODE_AGENCY == "receiving"`, as in the services;
- due moments from `workcalendar.calendar.due_moment` with the version's unit, value, parts and cut-off, frozen on
  the dossier with the calendar version and a receipt adjustment (§4.3, §5.4–5.5), memoised per effective
  receipt date where the answer only shifts the date, so 100,000 dossiers need a few thousand real calls;
- a pause that ended moves `current_due_at` through a restart or continue adjustment (§5.6), never in place;
- completed dossiers are classed by the local dates of `completed_at` and `current_due_at` (§5.11); open running
  dossiers past their due date are flagged `is_overdue`, as the overdue job would (§5.12).

Deterministic: the same seed, catalogue and local date give the same dossiers. Every moment lies before the start
of today (Asia/Ho_Chi_Minh): the data reads as the portal at the close of the previous day.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import functools
import io
import itertools
import json
import math
import queue
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import CitizenProfile, User
from agencies.models import Agency, AgencyLevel, OneStopDesk
from dossiers import workflow as W
from dossiers.models import (
    Apology,
    Applicant,
    ApplicantIdentity,
    ApplicantKind,
    Channel,
    ClockState,
    CodeCounter,
    Digitisation,
    DocumentForm,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierPause,
    DossierStep,
    DueAdjustment,
    FeeLine,
    FeeMode,
    IdDocumentType,
    Outcome,
    PauseKind,
    PaymentState,
    ReturnMethod,
    SupplementRequest,
    SupplementStage,
)
from dossiers.workflow import Status as S
from procedures.models import ClockMode, OnlineMode, ProcedureVersion, TimeUnit
from procedures.text import fold
from workcalendar.calendar import (
    LOCAL_TZ,
    Duration,
    OfficeHours,
    WorkCalendar,
    due_moment,
    effective_receipt,
    remaining_after_pause,
    resume_due,
)
from workcalendar.selectors import current_calendar

CENTRE = "000.00.06.H56"  # the provincial service centre: receives at the counter for provincial bodies

# Share of each status in per cent; every status gets at least one dossier once N ≥ 11.
STATUS_SHARES: dict[str, int] = {
    S.RETURNED: 55, S.IN_PROCESSING: 12, S.RESULT_READY: 7, S.SUPPLEMENT_REQUESTED: 5, S.RECEIVED: 4,
    S.SUBMITTED: 4, S.DRAFT: 3, S.REFUSED: 3, S.WITHDRAWN: 3, S.AWAITING_FINANCIAL_OBLIGATION: 2, S.STOPPED: 2,
}  # fmt: skip
ONLINE_SHARE, POSTAL_SHARE = 0.65, 0.03  # of all dossiers; the rest at the counter (channels 2, 3, 1 of §3.1)
INTAKE_SUPPLEMENT_SHARE = 0.4  # of supplement requests: asked at intake (online only), the rest at appraisal
CITIZEN_DOSSIERS = 20  # linked to the demo `citizen` account
WINDOW_DAYS = 365
LATE_SHARE = 0.05  # completed dossiers finished after their due date on purpose (a few more arise from dates)
OVERDUE_SHARE = 0.12  # dossiers in processing already past their due date
APOLOGY_SHARE = 0.4  # late dossiers whose processing body sent an apology in time (§5.10)
SUPPLEMENT_APPLICANT_DAYS = getattr(settings, "SUPPLEMENT_APPLICANT_DAYS", 15)  # Decree 297/2025 Art. 6(4)(a)
SUPPLEMENT_BASIS = "Điều 11 Nghị định 118/2025/NĐ-CP"

# Weight of a procedure in the draw: commune civil status (HT) and certification (CT) make most of the volume.
CODE_WEIGHTS = {
    "2.000815": 60, "1.001193": 30, "2.000884": 20, "2.000635": 15, "1.010041": 14, "1.000894": 10,
    "1.004194": 10, "1.004873": 10, "1.000656": 8, "1.004222": 8,
}  # fmt: skip
FIELD_WEIGHTS = {"HT": 10, "CT": 12, "CUTRU": 6, "LLTP": 4, "HKD": 3, "DD": 2, "XD": 2, "BTXH": 2, "DKDN": 2}
ENTERPRISE_SHARE = {"DKDN": 0.3, "DD": 0.2, "XD": 0.2, "CT": 0.08}  # by field; 2 % elsewhere


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(sep) if w.strip())


def _weighted(text: str) -> tuple[tuple[str, ...], list[float]]:
    """("Nguyễn", "Lê" …) and cumulative weights from "Nguyễn 31, Lê 11, …"."""
    pairs = [item.rsplit(" ", 1) for item in _words(text, ",")]
    return tuple(name for name, _w in pairs), _cumulative(float(w) for _n, w in pairs)


FAMILY_NAMES = _weighted(
    "Nguyễn 31, Lê 11, Trần 10, Phạm 7, Hoàng 5, Phan 4, Vũ 4, Trịnh 3, Đặng 2, Bùi 2, Đỗ 2, Hồ 1.5, Ngô 1.5, "
    "Dương 1, Võ 1, Huỳnh 1, Đinh 1, Mai 1, Lương 0.7, Lý 0.5, Cao 0.5, Tống 0.3"
)
MIDDLE = {
    "m": _words("Văn Văn Văn Đức Minh Quang Hữu Công Xuân Thanh Ngọc Tiến Duy Mạnh Trọng Anh Quốc Đình Bá Hoàng"),
    "f": _words("Thị Thị Thị Thị Ngọc Thu Thanh Minh Hồng Phương Kim Bảo Khánh Thùy Diệu Mai Hải"),
}
GIVEN = {
    "m": _words(
        "Hùng Dũng Nam Minh Tuấn Hải Long Phong Thắng Cường Quân Sơn Trung Đức Khánh Hiếu Thành Bình An Huy Kiên "
        "Tùng Việt Vinh Lâm Hoàng Nghĩa Toàn Đạt Khoa Phúc Lộc Tài Quyết Chiến Hưng"
    ),
    "f": _words(
        "Lan Hương Hoa Mai Linh Trang Thảo Ngọc Hà Huyền Yến Nhung Hằng Thủy Phương Anh Vy Giang Loan Dung Oanh "
        "Hạnh Nga Chi Quỳnh Trâm Hiền Thu Vân Nhàn Lý My Ngân Uyên"
    ),
}
ENTERPRISE_FORMS = _words("Công ty TNHH, Công ty TNHH MTV, Công ty Cổ phần, Doanh nghiệp tư nhân, Hợp tác xã", ",")
ENTERPRISE_TRADES = _words(
    "Thương mại và Dịch vụ, Xây dựng, Đầu tư và Phát triển, Vận tải, Nông sản, Thực phẩm, Công nghệ, Du lịch, "
    "Vật liệu xây dựng, Cơ khí, Dược phẩm",
    ",",
)
ENTERPRISE_BRANDS = _words(
    "Hoàng Long, Minh Phát, Thành Đạt, Phú Quý, An Khang, Hưng Thịnh, Đông Á, Sông Mã, Lam Sơn, Hàm Rồng, "
    "Việt Tiến, Trường Thịnh, Tân Phát, Nghi Sơn, Đại Việt, Bình Minh, Thiên Phú, Hồng Đức",
    ",",
)
STREETS = _words(
    "Lê Hoàn, Trần Phú, Phan Chu Trinh, Lê Lai, Quang Trung, Bà Triệu, Nguyễn Trãi, Đào Duy Từ, Lý Thường Kiệt, "
    "Tống Duy Tân, Lê Thánh Tông, Hải Thượng Lãn Ông, Trường Thi, Nam Ngạn, Dương Đình Nghệ, Đình Hương, Lê Lợi",
    ",",
)
# Province codes opening a 12-digit personal identification number (Thanh Hóa 038 first).
ID_PROVINCES = _weighted("038 86, 001 3, 040 3, 037 2, 036 2, 079 2, 031 1, 042 1")

REFUSAL_REASONS = (
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận.",
    "Người yêu cầu không thuộc đối tượng được giải quyết theo quy định.",
    "Hồ sơ trùng với hồ sơ đã được tiếp nhận, đang giải quyết.",
    "Giấy tờ trong hồ sơ không còn giá trị sử dụng.",
)
SUPPLEMENT_REASONS = (
    "Hồ sơ còn thiếu giấy tờ theo quy định.",
    "Thông tin kê khai trên tờ khai chưa đầy đủ, chưa khớp với giấy tờ kèm theo.",
    "Bản sao chưa được chứng thực hoặc không đọc được.",
)
SUPPLEMENT_FIXES = (
    "Bổ sung bản sao có chứng thực.",
    "Nộp bản chính để đối chiếu.",
    "Kê khai lại đầy đủ, đúng mẫu.",
    "Tải lên bản chụp rõ nét, đủ các trang.",
)
WITHDRAW_REASONS = (
    "Người yêu cầu đề nghị rút hồ sơ để bổ sung giấy tờ.",
    "Người yêu cầu không còn nhu cầu giải quyết.",
    "Người yêu cầu nộp nhầm thủ tục.",
)
STOP_REASONS = (
    "Sau thẩm định, hồ sơ không đủ điều kiện giải quyết theo quy định.",
    "Kết quả xác minh không phù hợp với nội dung đề nghị.",
)
APOLOGY_REASONS = (
    "Hồ sơ cần xác minh thêm thông tin tại cơ quan có liên quan.",
    "Cần lấy ý kiến của cơ quan phối hợp, chưa nhận được văn bản trả lời.",
)
OBLIGATION_NOTE = "Chuyển thông tin để cơ quan thuế xác định nghĩa vụ tài chính."


@dataclass
class SeedReport:
    """What one run created, for the command's summary and the benchmark."""

    dossiers: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_channel: dict[int, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0  # planning in Python
    write_seconds: float = 0.0  # everything else: rows, encoding, the database (partly while planning)
    due_calls: int = 0
    due_lookups: int = 0


class SeedingError(Exception):
    """The demo data cannot be generated (no agency, no procedure version in force)."""


def demo_dossiers_create(*, count: int, seed: int, today: dt.date | None = None) -> SeedReport:
    """Create `count` demo dossiers in every status in one transaction, with bulk writes only.

    Needs the agency tree, the demo users (seed_demo) and procedure versions in force. Codes continue each
    (agency, day) sequence after its counter row, so a second run adds dossiers without breaking a sequence.
    """
    report = SeedReport()
    if count <= 0:
        return report
    started = time.perf_counter()
    today = today or timezone.localdate()
    statuses, channels = Counter(), Counter()
    with transaction.atomic():
        context = _Context.load(today=today)
        generator = _Generator(context, random.Random(seed), today)
        groups = generator.bases(count)
        writer = _Writer(context, groups, today)
        # Codes are numbered per agency, so each code agency's dossiers can be written while the next are planned.
        try:
            for group in groups:
                planned = time.perf_counter()
                plans = [generator.plan(p) for p in group]
                report.build_seconds += time.perf_counter() - planned
                writer.write(plans)
                statuses.update(p.d["status"] for p in plans)
                channels.update(p.d["channel"] for p in plans)
        except BaseException:
            writer.abort()
            raise
        report.rows = writer.finish()
    report.write_seconds = time.perf_counter() - started - report.build_seconds
    report.dossiers = sum(statuses.values())
    report.by_status, report.by_channel = dict(statuses), dict(channels)
    report.due_calls, report.due_lookups = generator.deadlines.calls, generator.deadlines.lookups
    return report


def summary(report: SeedReport) -> dict[str, Any]:
    """Counts for printing: per status in workflow order, per channel, rows per table."""
    return {
        "status": [(str(label), report.by_status.get(value, 0)) for value, label in S.choices],
        "channel": [(str(label), report.by_channel.get(value, 0)) for value, label in Channel.choices],
        "rows": sorted(report.rows.items()),
    }


# --- What the generator reads once --------------------------------------------------------------------------


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
    span: int  # rough length in working days, to place dossiers in time (deadlines use `due_moment`)
    clock_mode: str
    fin_excluded: bool
    window: Duration  # the online acceptance window (§5.8)
    fees: list[tuple[str, int]]
    documents: list[tuple[int | None, str, int, int]]  # (id, name, originals, copies)
    steps: list[tuple[str, str]]  # (name, role): the desk first, at least one step after it
    step_budgets: list[Duration | None]
    agencies: list[Agency]
    legal_basis: str
    result: str
    effective_from: dt.date
    weight: float


def _version(v: ProcedureVersion) -> _Version:
    duration = Duration.from_fields(v.time_unit, v.time_value, v.time_parts or [])
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
        window=Duration.working_hours(v.acceptance_window_hours),
        fees=[(f.name, f.amount) for f in sorted(v.fees.all(), key=_in_order)],
        documents=[(d.pk, d.name, d.originals, d.copies) for d in sorted(v.documents.all(), key=_in_order)],
        steps=[(name, role) for name, role, _b in steps],
        step_budgets=[_step_budget(v.time_unit, budget) for _n, _r, budget in steps],
        agencies=sorted((a for a in v.agencies.all() if a.is_active), key=lambda a: a.e_identifier),
        legal_basis=basis[:255],
        result=" ".join((v.result or "").split())[:255],
        effective_from=v.effective_from,
        weight=float(weight),
    )  # fmt: skip


def _in_order(row) -> tuple[int, int]:
    return row.order, row.pk


def _step_budget(unit: str, budget: Decimal | None) -> Duration | None:
    """A step's budget where the services give the step a due moment (§5.7): positive, in a counted unit.

    None otherwise — and for a fractional calendar-day budget, which `Duration` refuses.
    """
    if not budget or budget <= 0 or unit in (TimeUnit.MIXED, TimeUnit.NONE, TimeUnit.SAME_DAY):
        return None
    try:
        return Duration.from_fields(unit, budget)
    except ValueError:
        return None


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


# --- Deadlines and office time ------------------------------------------------------------------------------


class _Deadlines:
    """`due_moment`, memoised where the answer depends on the effective receipt date only.

    For whole working days, whole calendar days and mixes of them the due moment is a date computed from the
    effective receipt date E (§5.4) at E's time of day; for the same-day unit (and 0 days) it is E's date at
    closing. Those dates are computed once per (E's date, duration, office hours, cut-off) by `due_moment`
    itself; other durations (working hours, fractions of a day) are memoised on the exact moment when it is a
    whole minute (step starts), and otherwise computed every time.
    """

    def __init__(self, calendar: WorkCalendar) -> None:
        self.calendar = calendar
        self._memo: dict[tuple, tuple[dt.date, dt.time | None]] = {}
        self._kinds: dict[Duration, str | None] = {}
        self._previous: dict[dt.date, dt.date] = {}
        self._exact: dict[tuple, dt.datetime] = {}
        self.calls = self.lookups = 0

    def due(self, received: dt.datetime, duration: Duration, hours: OfficeHours, cutoff: dt.time | None = None):
        self.lookups += 1
        kind = self._kinds.get(duration, "?")
        if kind == "?":
            kind = self._kinds[duration] = _memo_kind(duration)
        if kind is None:
            if received.second or received.microsecond:
                self.calls += 1
                return due_moment(received, duration, calendar=self.calendar, hours=hours, cutoff=cutoff)
            # Step starts fall on whole minutes and repeat: memoise those on the exact moment.
            key = (received, duration, hours, cutoff)
            if (found := self._exact.get(key)) is None:
                self.calls += 1
                found = self._exact[key] = due_moment(
                    received, duration, calendar=self.calendar, hours=hours, cutoff=cutoff
                )
            return found
        start = effective_receipt(received, calendar=self.calendar, hours=hours, cutoff=cutoff)
        key = (start.date(), duration, hours, cutoff)
        hit = self._memo.get(key)
        if hit is None:
            self.calls += 1
            result = due_moment(start, duration, calendar=self.calendar, hours=hours, cutoff=cutoff)
            hit = self._memo[key] = (result.date(), hours.closing if kind == "closing" else None)
        return dt.datetime.combine(hit[0], hit[1] or start.time(), tzinfo=LOCAL_TZ)

    def previous_working_day(self, day: dt.date) -> dt.date:
        if day not in self._previous:
            self._previous[day] = self.calendar.previous_working_day(day)
        return self._previous[day]


def _memo_kind(duration: Duration) -> str | None:
    """ "closing" (E's date at closing), "shift" (another date, E's time of day) or None (not memoisable)."""
    whole = (TimeUnit.WORKING_DAYS, TimeUnit.CALENDAR_DAYS)
    if duration.unit == TimeUnit.SAME_DAY or (duration.unit in whole and duration.value == 0):
        return "closing"
    if duration.unit in whole and duration.value == int(duration.value):
        return "shift"
    parts = duration.parts if duration.unit == TimeUnit.MIXED else ()
    if parts and all(p.unit in whole and p.value == int(p.value) and p.value > 0 for p in parts):
        return "shift"
    return None


class _OfficeLine:
    """The office minutes of working days numbered 0, 1, 2 … so that generated moments fall in office hours.

    Placement only: every deadline goes through `due_moment`.
    """

    def __init__(self, calendar: WorkCalendar, hours: OfficeHours, first: dt.date, last: dt.date, ref: dt.datetime):
        count = (last - first).days + 1
        self.days = [d for d in (first + dt.timedelta(days=i) for i in range(count)) if calendar.is_working_day(d)]
        self.spans: list[tuple[int, int, int]] = []  # (start minute of day, end minute of day, offset)
        offset = 0
        for start, end in hours.periods:
            s, e = start.hour * 60 + start.minute, end.hour * 60 + end.minute
            self.spans.append((s, e, offset))
            offset += e - s
        self.per_day = offset
        self.ref = self.ordinal(ref)  # office minutes below this one lie before `ref`

    def at(self, ordinal: int, second: int = 0) -> dt.datetime:
        day, minute = divmod(ordinal, self.per_day)
        for s, e, offset in self.spans:
            if minute < offset + e - s:
                m = s + minute - offset
                return dt.datetime.combine(self.days[day], dt.time(m // 60, m % 60, second), tzinfo=LOCAL_TZ)
        raise AssertionError("a minute outside the office day")

    def ordinal(self, moment: dt.datetime) -> int:
        """The first office minute at or after `moment`."""
        local = moment.astimezone(LOCAL_TZ)
        i = bisect.bisect_left(self.days, local.date())
        if i == len(self.days) or self.days[i] != local.date():
            return i * self.per_day
        m = local.hour * 60 + local.minute + (1 if local.second or local.microsecond else 0)
        for s, e, offset in self.spans:
            if m < e:
                return i * self.per_day + offset + max(0, m - s)
        return (i + 1) * self.per_day

    def day_of(self, day: dt.date) -> int:
        """Index of `day`, or of the first working day after it."""
        return bisect.bisect_left(self.days, day)

    def offset_of(self, at: dt.time) -> int:
        m = at.hour * 60 + at.minute
        return next((offset + max(0, m - s) for s, e, offset in self.spans if m < e), self.per_day)


def _classify(finished: dt.datetime, due: dt.datetime | None) -> str:
    """Trước hạn / đúng hạn / quá hạn by local date (§5.11); no due moment counts as on time."""
    if due is None:
        return Outcome.ON_TIME
    done, limit = finished.astimezone(LOCAL_TZ).date(), due.astimezone(LOCAL_TZ).date()
    return Outcome.EARLY if done < limit else Outcome.ON_TIME if done == limit else Outcome.LATE


# --- Planning -----------------------------------------------------------------------------------------------


class _Plan:
    """The dossier row (a dict of attnames) and its children, before ids and codes are known.

    Child rows are tuples in the column order of `_Writer._tables`, without the dossier id.
    """

    __slots__ = ("d", "applicant", "identity", "events", "steps", "open_step", "documents", "fees", "pause",
                 "supplement", "adjustments", "apology", "code_agency", "code_at", "v", "receiving", "citizen",
                 "intake")  # fmt: skip

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


# What a retried timeline keeps of the dossier: the draws made before the path began.
_KEPT = frozenset(
    _words("procedure_version_id owner_id receiving_agency_id processing_agency_id channel status return_method "
           "sets_count summary fee_mode payment_state")
)  # fmt: skip


class _Generator:
    """Plans dossiers with one `random.Random`: the same seed and date give the same plans."""

    def __init__(self, context: _Context, rng: random.Random, today: dt.date) -> None:
        self.c, self.rng, self.today = context, rng, today
        self.users = context.users
        self.ref = dt.datetime.combine(today, dt.time(0), tzinfo=LOCAL_TZ)
        self.window_start = today - dt.timedelta(days=WINDOW_DAYS)
        self.deadlines = _Deadlines(context.calendar)
        self._lines: dict[OfficeHours, _OfficeLine] = {}
        self._hours: dict[int, OfficeHours] = {}
        self._pools: dict[str, tuple[list[_Version], list[float]]] = {}
        for pool, keep in (("all", None), ("online", "online"), ("obligation", "fin_excluded")):
            chosen = [v for v in context.versions if keep is None or getattr(v, keep)]
            self._pools[pool] = (chosen, _cumulative(v.weight for v in chosen))
            # Work in progress at any moment is arrivals × time taken (Little's law): a same-day procedure, most of
            # the volume, is still open at the start of a day only when late, so open dossiers are drawn weighted
            # by the days beyond the first as well.
            self._pools[f"{pool}-open"] = (chosen, _cumulative(v.weight * max(v.span - 1, 0.1) for v in chosen))
        self.province = next(
            (a.name.removeprefix("Ủy ban nhân dân ") for a in context.agencies.values() if a.level == "province"), ""
        )
        self.places = [_place(a) for a in context.agencies.values() if a.level == AgencyLevel.COMMUNE and a.is_active]
        self.places = self.places or [("phường Hạc Thành", True)]

    def bases(self, count: int) -> list[list[_Plan]]:
        """Every dossier's status, channel, procedure and agencies, grouped by code agency (smallest first)."""
        statuses = _allocate(count, STATUS_SHARES)
        self.rng.shuffle(statuses)
        citizen = self._citizen_indices(statuses)
        tally = Counter(statuses)
        forced = tally[S.DRAFT] + tally[S.SUBMITTED] + INTAKE_SUPPLEMENT_SHARE * tally[S.SUPPLEMENT_REQUESTED]
        free = max(1.0, count - forced)
        self.p_online = min(1.0, max(0.0, (ONLINE_SHARE * count - forced) / free))
        self.p_postal = POSTAL_SHARE * count / free
        groups: dict[int, list[_Plan]] = {}
        for i, status in enumerate(statuses):
            base = self._base(status, i in citizen)
            groups.setdefault(base.code_agency.pk, []).append(base)
        return sorted(groups.values(), key=lambda g: (len(g), g[0].code_agency.e_identifier))

    def _citizen_indices(self, statuses: list[str]) -> set[int]:
        """About 20 dossiers for the demo citizen, one of each status first, so their list looks real."""
        wanted = min(CITIZEN_DOSSIERS, max(1, len(statuses) // 10))
        by_status: dict[str, list[int]] = {}
        for i, status in enumerate(statuses):
            by_status.setdefault(status, []).append(i)
        chosen = [self.rng.choice(by_status[s]) for s in STATUS_SHARES if s in by_status][:wanted]
        taken = set(chosen)
        rest = [i for i in range(len(statuses)) if i not in taken]
        return taken | set(self.rng.sample(rest, min(len(rest), wanted - len(chosen))))

    def _base(self, status: str, citizen: bool) -> _Plan:
        rng = self.rng
        intake = status == S.SUPPLEMENT_REQUESTED and rng.random() < INTAKE_SUPPLEMENT_SHARE
        if status == S.AWAITING_FINANCIAL_OBLIGATION and self._pools["obligation"][0]:
            v = self._draw("obligation")
            channel = self._channel() if v.online else Channel.COUNTER
        else:
            channel = Channel.ONLINE if status in (S.DRAFT, S.SUBMITTED) or intake else self._channel()
            pool = "online" if channel == Channel.ONLINE and self._pools["online"][0] else "all"
            v = self._draw(f"{pool}-open" if status in (S.IN_PROCESSING, S.SUPPLEMENT_REQUESTED) else pool)
            if channel == Channel.ONLINE and not v.online:
                channel = Channel.COUNTER
        receiving, processing = self._agencies(v, channel)
        citizen = citizen and self.c.citizen_applicant is not None
        d = {
            "procedure_version_id": v.id,
            "owner_id": self.users["citizen"] if citizen else None,
            "receiving_agency_id": receiving.pk,
            "processing_agency_id": processing.pk,
            "channel": int(channel),
            "status": status,
            "return_method": self._return_method(channel),
            "sets_count": 1,
        }
        p = _Plan(d, v, receiving, citizen, intake)
        p.code_agency = receiving if self.c.code_by == "receiving" else processing
        return p

    def plan(self, p: _Plan) -> _Plan:
        """The dossier's applicant, fees, timeline along its status path, documents."""
        d, v, receiving, channel, status = p.d, p.v, p.receiving, p.d["channel"], p.d["status"]
        name = self._applicant(p, v, receiving, p.citizen)
        d["summary"] = f"{v.name} — {name}"[:1000]
        self._fees(p, v, channel, status)
        hours = self._hours.get(receiving.pk) or self._hours.setdefault(
            receiving.pk, OfficeHours.from_agency(receiving)
        )
        getattr(_Path(self, p, v, hours, self._line(hours)), f"path_{status}")(intake=p.intake)
        self._documents(p, v, channel, received=d.get("received_at") is not None)
        d["revision"] = len(p.events)
        return p

    def _draw(self, pool: str) -> _Version:
        return _pick(self.rng, *self._pools[pool])

    def _channel(self) -> int:
        r = self.rng.random()
        if r < self.p_online:
            return Channel.ONLINE
        return Channel.POSTAL if r < self.p_online + self.p_postal else Channel.COUNTER

    def _agencies(self, v: _Version, channel: int) -> tuple[Agency, Agency]:
        """(receiving, resolving). A commune procedure goes to the commune and its desk; a provincial one to the
        linked body, received by the provincial centre at the counter or by post (§7.1, §13 #5)."""
        target = self.rng.choice(v.agencies) if v.agencies else (self.c.centre or next(iter(self.c.agencies.values())))
        if v.commune or channel == Channel.ONLINE or self.c.centre is None:
            return target, target
        return self.c.centre, target

    def _return_method(self, channel: int) -> str:
        r = self.rng.random()
        if channel == Channel.ONLINE:
            return ReturnMethod.ONLINE if r < 0.45 else ReturnMethod.COUNTER if r < 0.9 else ReturnMethod.POST
        if channel == Channel.POSTAL:
            return ReturnMethod.POST if r < 0.8 else ReturnMethod.COUNTER
        return ReturnMethod.COUNTER if r < 0.88 else ReturnMethod.POST

    def _line(self, hours: OfficeHours) -> _OfficeLine:
        if hours not in self._lines:
            first, last = self.window_start - dt.timedelta(days=200), self.today + dt.timedelta(days=400)
            self._lines[hours] = _OfficeLine(self.c.calendar, hours, first, last, self.ref)
        return self._lines[hours]

    # --- applicants, documents, fees ---

    def _address(self, place: tuple[str, bool] | None) -> str:
        rng = self.rng
        label, ward = place or rng.choice(self.places)
        street = f"Số {rng.randint(1, 250)}, phố {rng.choice(STREETS)}" if ward else f"Thôn {rng.randint(1, 14)}"
        return ", ".join(x for x in (street, label, self.province) if x)

    def _applicant(self, p: _Plan, v: _Version, receiving: Agency, citizen: bool) -> str:
        """An individual (Vietnamese name, 12-digit ID, 09… phone) or now and then an enterprise."""
        rng = self.rng
        if citizen and self.c.citizen_applicant is not None:
            return self.c.citizen_applicant[1]
        local = receiving.level == AgencyLevel.COMMUNE and rng.random() < 0.85
        address = self._address(_place(receiving) if local else None)
        if rng.random() < ENTERPRISE_SHARE.get(v.field_code, 0.02):
            brand = rng.choice(ENTERPRISE_BRANDS)
            name = f"{rng.choice(ENTERPRISE_FORMS)} {rng.choice(ENTERPRISE_TRADES)} {brand}"
            tax = f"28{rng.randrange(10**8):08d}"
            email = f"lienhe.{_fold(brand).replace(' ', '')}{rng.randint(1, 99)}@gmail.com"
            p.applicant = (ApplicantKind.ENTERPRISE, name, tax, f"02373{rng.randrange(10**6):06d}", email, address)
            p.identity = (IdDocumentType.ENTERPRISE_CODE, tax)
            return name
        sex = rng.choice("mf")
        family = _pick(rng, *FAMILY_NAMES)
        middle = rng.choice(MIDDLE[sex])
        if middle not in ("Văn", "Thị") and rng.random() < 0.12:
            middle = f"{middle} {rng.choice(MIDDLE[sex])}"
        given = rng.choice(GIVEN[sex])
        name = f"{family} {middle} {given}"
        born = rng.randint(1950, 2006)
        province = _pick(rng, *ID_PROVINCES)
        # Căn cước number: province, century and sex digit, year of birth, six random digits.
        number = f"{province}{(0 if born < 2000 else 2) + (sex == 'f')}{born % 100:02d}{rng.randrange(10**6):06d}"
        email = f"{_fold(given)}.{_fold(family)}{rng.randint(1, 999)}@gmail.com" if rng.random() < 0.3 else ""
        p.applicant = (ApplicantKind.INDIVIDUAL, name, "", f"09{rng.randrange(10**8):08d}", email, address)
        p.identity = (IdDocumentType.PERSONAL_ID, number)
        return name

    def _documents(self, p: _Plan, v: _Version, channel: int, *, received: bool) -> None:
        """One component per required document of the version, as the services create them."""
        rng = self.rng
        for doc_id, name, originals, copies in v.documents:
            if channel == Channel.ONLINE:
                form = DocumentForm.CERTIFIED if rng.random() < 0.2 else DocumentForm.PHOTO
                count, digitised = 1, Digitisation.REUSED if rng.random() < 0.15 else Digitisation.DIGITISED
            else:
                form = DocumentForm.ORIGINAL if originals else DocumentForm.CERTIFIED
                count = max(1, originals + copies)
                digitised = Digitisation.DIGITISED if received and rng.random() < 0.75 else Digitisation.NOT_DIGITISED
            p.documents.append((doc_id, name, form, count, received, digitised))

    def _fees(self, p: _Plan, v: _Version, channel: int, status: str) -> None:
        """Every fee line of the version (as the services copy them), the fee mode and the payment state."""
        d, r = p.d, self.rng.random()
        p.fees = list(v.fees)
        if sum(amount for _n, amount in v.fees) == 0:
            d["fee_mode"], d["payment_state"] = FeeMode.NONE, PaymentState.NOT_REQUIRED
        elif status == S.DRAFT:
            d["fee_mode"], d["payment_state"] = FeeMode.NONE, PaymentState.PENDING
        elif r < 0.04:
            d["fee_mode"], d["payment_state"] = FeeMode.EXEMPT, PaymentState.NOT_REQUIRED
        elif channel != Channel.ONLINE and r > 0.86:  # "thu sau": paid when the result is handed over
            d["fee_mode"] = FeeMode.AFTER
            d["payment_state"] = PaymentState.PAID if status == S.RETURNED else PaymentState.PENDING
        else:
            d["fee_mode"] = FeeMode.BEFORE
            unpaid = status in (S.SUBMITTED, S.SUPPLEMENT_REQUESTED) and channel == Channel.ONLINE and r > 0.7
            d["payment_state"] = PaymentState.PENDING if unpaid else PaymentState.PAID


def _place(agency: Agency) -> tuple[str, bool]:
    """("phường Hạc Thành", True) from "Ủy ban nhân dân phường Hạc Thành"; the flag says street addresses."""
    label = agency.name.removeprefix("Ủy ban nhân dân ").strip()
    return label, label.startswith("phường")


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
        self.cut15 = line.offset_of(dt.time(15, 0))  # forwarded the same working day, after 15:00 the next one
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
        self.p.events.append((action, actor, who, at, frm, to, note, True, data or {}))

    def submit(self, day: int) -> int:
        """T1 on or just before working day `day`: code, acceptance deadline (§5.8). Returns the first office
        minute at which the desk can act."""
        d = self.p.d
        submitted = self.online_moment(max(day, self.floor))
        d["submitted_at"] = self.p.code_at = submitted
        d["created_at"] = submitted - dt.timedelta(minutes=self.rng.randint(3, 90))
        d["acceptance_due_at"] = self.g.deadlines.due(submitted, self.v.window, self.hours)
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
        due = self.due = g.deadlines.due(received, v.duration, self.hours, v.cutoff)
        d.update(duration_unit=v.unit, duration_value=v.value, duration_parts=v.parts, cutoff_time=v.cutoff)
        d.update(calendar_version=g.c.calendar_version, original_due_at=due, current_due_at=due)
        d["apology_deadline"] = g.deadlines.previous_working_day(due.date()) if due else None
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
        budget = self.v.step_budgets[index]
        due = self.g.deadlines.due(start, budget, self.hours) if budget is not None else None
        self.p.steps.append([index + 1, name, agency, self.handler(index), start, due, None, "", False])
        self.p.open_step = len(self.p.steps) - 1
        self.p.d["current_handler_id"] = self.handler(index)

    def close_step(self, finish: dt.datetime) -> None:
        if self.p.open_step is not None:
            step = self.p.steps[self.p.open_step]
            step[6], step[7] = finish, _classify(finish, step[5])
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
        budgets = self.v.step_budgets
        weight = [max(0.3, float(b.value) if b else 1.0) for b in budgets]
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
        deadline = self.g.deadlines.due(asked, Duration.working_days(SUPPLEMENT_APPLICANT_DAYS), self.hours)
        self.p.supplement = {
            "stage": stage,
            "items": [{"document": name, "requirement": rng.choice(SUPPLEMENT_FIXES)} for _i, name, _o, _c in picked],
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
        remaining, adjustment = "", DueAdjustment.Kind.RESTART
        if previous is None:
            new_due = None
        elif mode == ClockMode.RESTART:
            new_due = g.deadlines.due(resumed, self.v.duration, self.hours)
        else:
            left = remaining_after_pause(
                due=previous,
                pause_start=pause["started_at"],
                duration=self.v.duration,
                calendar=g.c.calendar,
                hours=self.hours,
                start=self.received,
            )
            new_due = resume_due(resumed, left, calendar=g.c.calendar, hours=self.hours)
            g.deadlines.calls += 1
            remaining, adjustment = str(left), DueAdjustment.Kind.CONTINUE
        self.due = d["current_due_at"] = new_due
        d["apology_deadline"] = g.deadlines.previous_working_day(new_due.date()) if new_due else None
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
        d.update(completed_at=at, outcome=_classify(at, self.due), clock_state=ClockState.STOPPED)
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
        p.events, p.steps, p.adjustments, p.open_step = [], [], [], None
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


@functools.cache
def _fold(text: str) -> str:
    return fold(text)


def _pick(rng: random.Random, items, cumulative: list[float]):
    """What `rng.choices(items, cum_weights=cumulative)[0]` draws, without its overhead."""
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1], 0, len(items) - 1)]


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _allocate(count: int, shares: dict[str, int]) -> list[str]:
    """`count` statuses in the given proportions (largest remainder), each present once `count` allows."""
    total = sum(shares.values())
    exact = {s: count * w / total for s, w in shares.items()}
    counts = {s: int(x) for s, x in exact.items()}
    for s in sorted(shares, key=lambda s: exact[s] - counts[s], reverse=True)[: count - sum(counts.values())]:
        counts[s] += 1
    if count >= len(shares):
        for s in shares:
            if counts[s] == 0:
                counts[max(counts, key=counts.__getitem__)] -= 1
                counts[s] = 1
    return [s for s in shares for _i in range(counts[s])]


# --- Writing ------------------------------------------------------------------------------------------------


class _Table:
    """One model's rows in a fixed column order, produced from the plans; other columns get their defaults."""

    def __init__(self, model: type[models.Model], columns: str, rows) -> None:
        self.model = model
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        names = columns.split()
        extra = [f for f in model._meta.concrete_fields if f.attname not in names and not f.primary_key]
        self.fields = [by_name[c] for c in names] + extra
        now = timezone.now()
        extra_values = tuple(now if getattr(f, "auto_now_add", False) else f.get_default() for f in extra)
        self.rows = (row + extra_values for row in rows) if extra_values else rows  # an iterator, read once
        self.count = 0

    def chunks(self, size: int):
        while chunk := list(itertools.islice(self.rows, size)):
            self.count += len(chunk)
            yield chunk


class _Writer:
    """Writes the groups of plans as they come, then fills the links that need database ids.

    Per group: ids in creation order, codes, and one table after another, parents first. On PostgreSQL the rows go
    by COPY from a second thread on the same connection and transaction (`_Copier`), foreign keys checked as each
    COPY ends, so the server loads one group while Python plans the next; elsewhere by multi-row inserts. Nothing
    else may use the connection between the constructor and `finish()`, so every query is made up front.
    """

    def __init__(self, context: _Context, groups: list[list[_Plan]], today: dt.date) -> None:
        self.c = context
        self.identifiers = {a.pk: a.e_identifier for a in context.agencies.values()}
        self.counters: dict[tuple[int, dt.date], int] = {}
        first = today - dt.timedelta(days=WINDOW_DAYS + 60)
        self.existing = {
            (agency, day): last
            for agency, day, last in CodeCounter.objects.select_for_update()
            .filter(day__range=(first, today))
            .values_list("agency_id", "day", "last")
        }
        self.dossier_ids = iter(_reserve_ids(Dossier, sum(len(g) for g in groups)))
        self.applicant_ids = iter(_reserve_ids(Applicant, sum(1 for g in groups for p in g if not p.citizen)))
        # The current step is the one open step; only these statuses can have one at the end of their path.
        open_max = sum(1 for g in groups for p in g if p.d["status"] in _WITH_OPEN_STEP)
        self.open_step_ids = iter(_reserve_ids(DossierStep, open_max))
        self.first_id: int | None = None
        self.last_id = 0
        self.counts: Counter[str] = Counter()
        self.copier: _Copier | None = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Foreign keys checked as each COPY ends rather than all at commit, so that work overlaps too —
                # but for the dossier's current step, written after the dossier.
                constraints = connection.introspection.get_constraints(cursor, Dossier._meta.db_table)
                current = [
                    n for n, c in constraints.items() if c["foreign_key"] and c["columns"] == ["current_step_id"]
                ]
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for name in current:
                    cursor.execute(f"SET CONSTRAINTS {connection.ops.quote_name(name)} DEFERRED")
            self.copier = _Copier(connection.connection)

    def write(self, plans: list[_Plan]) -> None:
        plans.sort(key=lambda p: p.d["created_at"])
        self._codes(plans)
        citizen = self.c.citizen_applicant[0] if self.c.citizen_applicant else None
        for p in plans:
            p.d["id"] = next(self.dossier_ids)
            p.d["applicant_id"] = next(self.applicant_ids) if p.applicant else citizen
            p.d["current_step_id"] = next(self.open_step_ids) if p.open_step is not None else None
        self.first_id = min(self.first_id or plans[0].d["id"], plans[0].d["id"])
        self.last_id = max(self.last_id, plans[-1].d["id"])
        for table in self._tables(plans):
            if self.copier is not None:
                self.copier.load(table)
            else:
                with connection.cursor() as cursor:
                    _insert(cursor, table)
            self.counts[table.model._meta.label] += table.count

    def abort(self) -> None:
        """Stop the worker thread before the transaction is rolled back on this one."""
        if self.copier is not None:
            self.copier.close(raise_error=False)

    def finish(self) -> dict[str, int]:
        if self.copier is not None:
            self.copier.close()
        if self.first_id is not None:
            self._link(self.first_id, self.last_id)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to how Django declares them
        CodeCounter.objects.bulk_create(
            [CodeCounter(agency_id=a, day=day, last=last) for (a, day), last in sorted(self.counters.items())],
            update_conflicts=True,
            unique_fields=["agency", "day"],
            update_fields=["last"],
            batch_size=2000,
        )
        self.counts[CodeCounter._meta.label] = len(self.counters)
        return dict(self.counts)

    def _codes(self, plans: list[_Plan]) -> None:
        """Codes per (agency, local day) in the order they were issued, after each counter's last number."""
        issued = sorted(
            (p.code_agency.pk, p.code_at.astimezone(LOCAL_TZ).date(), p.code_at, i)
            for i, p in enumerate(plans)
            if p.code_at is not None
        )
        for agency, day, _moment, i in issued:
            key = (agency, day)
            number = self.counters[key] = self.counters.get(key, self.existing.get(key, 0)) + 1
            plans[i].d["code"] = f"{self.identifiers[agency]}-{day:%y%m%d}-{number:04d}"

    def _link(self, first: int, last: int) -> None:
        """Each resume adjustment's pause, whose id the database gave (one pause at most per seeded dossier):
        one set-based update over a few per cent of the dossiers."""
        qn = connection.ops.quote_name
        adjustment, pause = qn(DueAdjustment._meta.db_table), qn(DossierPause._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {adjustment} SET pause_id = (SELECT MAX(p.id) FROM {pause} p "  # noqa: S608
                f"WHERE p.dossier_id = {adjustment}.dossier_id) "
                f"WHERE dossier_id BETWEEN %s AND %s AND pause_id IS NULL AND kind IN (%s, %s)",
                [first, last, DueAdjustment.Kind.RESTART, DueAdjustment.Kind.CONTINUE],
            )

    def _tables(self, plans: list[_Plan]) -> list[_Table]:
        """Every table as an iterator over the plans, parents before children."""
        columns = [f.attname for f in Dossier._meta.concrete_fields]
        defaults = {f.attname: f.get_default() for f in Dossier._meta.concrete_fields}
        dossier_row = itemgetter(*columns)
        at, version = itemgetter(3), self.c.calendar_version

        def adjustments():
            for p in plans:
                for kind, _pause, previous, new, left, reason, basis, actor, when in p.adjustments:
                    yield (p.d["id"], kind, previous, new, left, reason, basis, version, actor, when)

        def supplements():
            for p in plans:
                if s := p.supplement:
                    yield (p.d["id"], s["stage"], s["items"], s["reason"], s["legal_basis"], s["requested_at"],
                           s["requested_by_id"], s["applicant_deadline"], s["supplied_at"], s["accepted_at"],
                           s["previous_due_at"], s["new_due_at"])  # fmt: skip

        def pauses():
            for p in plans:
                if x := p.pause:
                    yield (p.d["id"], x["kind"], x["started_at"], x["ended_at"], x["reason"], x["legal_basis"],
                           x["actor_id"])  # fmt: skip

        def steps(open_: bool):
            for p in plans:
                for index, step in enumerate(p.steps):
                    if open_ and index == p.open_step:
                        yield (p.d["current_step_id"], p.d["id"], *step)
                    elif not open_ and index != p.open_step:
                        yield (p.d["id"], *step)

        def children(attribute, key=None):
            for p in plans:
                rows = getattr(p, attribute)
                for row in sorted(rows, key=key) if key else rows:
                    yield (p.d["id"], *row)

        return [
            _Table(Applicant, "id kind name tax_code phone email address user_id created_at",
                   ((p.d["applicant_id"], *p.applicant, None, p.d["created_at"]) for p in plans if p.applicant)),
            _Table(ApplicantIdentity, "applicant_id doc_type number",
                   ((p.d["applicant_id"], *p.identity) for p in plans if p.applicant)),
            _Table(Dossier, " ".join(columns), (dossier_row({**defaults, **p.d}) for p in plans)),
            _Table(DossierStep, "dossier_id order name agency_id handler_id started_at due_at finished_at outcome "
                   "is_late", steps(False)),
            _Table(DossierStep, "id dossier_id order name agency_id handler_id started_at due_at finished_at outcome "
                   "is_late", steps(True)),
            _Table(DossierDocument, "dossier_id required_document_id name form count checked digitisation",
                   children("documents")),
            _Table(FeeLine, "dossier_id name amount", children("fees")),
            _Table(DossierPause, "dossier_id kind started_at ended_at reason legal_basis actor_id", pauses()),
            _Table(SupplementRequest, "dossier_id stage items reason legal_basis requested_at requested_by_id "
                   "applicant_deadline supplied_at accepted_at previous_due_at new_due_at", supplements()),
            _Table(DueAdjustment, "dossier_id kind previous_due_at new_due_at remaining reason legal_basis "
                   "calendar_version actor_id created_at", adjustments()),
            _Table(Apology, "dossier_id reason new_due_at issued_at signer_id is_late",
                   ((p.d["id"], *p.apology) for p in plans if p.apology)),
            _Table(DossierEvent, "dossier_id action actor_id actor_role at from_status to_status note "
                   "visible_to_citizen data", children("events", at)),
        ]  # fmt: skip


def _reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` primary keys for rows written with explicit ids, which their children refer to before they exist."""
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction holds the only write lock; AUTOINCREMENT must skip the reserved ids too.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        first = cursor.fetchone()[0] + 1
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            first = max(first, (row[0] if row else 0) + 1)
            if row:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [first + n - 1, table])
            else:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, first + n - 1])
    return list(range(first, first + n))


_TEXT = (models.CharField, models.TextField)
_WITH_OPEN_STEP = (S.RECEIVED, S.IN_PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_FINANCIAL_OBLIGATION)


class _Copier:
    """PostgreSQL COPY (CSV) from a worker thread on the dossier transaction's connection: the server loads one
    chunk while the caller encodes the next (libpq waits with the GIL released).

    In CSV an unquoted empty field is NULL, so text columns that are never NULL are read with FORCE_NOT_NULL. The
    caller must not use the connection until `close()` returns; an error stops the queue and is raised by the
    next `load` or by `close`.
    """

    def __init__(self, raw_connection, chunk: int = 50_000) -> None:
        self.raw, self.chunk = raw_connection, chunk
        self.queue: queue.Queue = queue.Queue(maxsize=12)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="seed-copy", daemon=True)
        self.thread.start()

    def load(self, table: _Table) -> None:
        qn = connection.ops.quote_name
        json_at = [i for i, f in enumerate(table.fields) if f.get_internal_type() == "JSONField"]
        text = [qn(f.column) for f in table.fields if isinstance(f, _TEXT) and not f.null]
        options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(text)})" if text else "")
        columns = ", ".join(qn(f.column) for f in table.fields)
        sql = f"COPY {qn(table.model._meta.db_table)} ({columns}) FROM STDIN WITH ({options})"
        for rows in table.chunks(self.chunk):
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerows((_with_json(row, json_at) for row in rows) if json_at else rows)
            buffer.seek(0)
            if self.error is not None:
                raise self.error
            self.queue.put((sql, buffer))

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue
            sql, buffer = item
            try:
                with self.raw.cursor() as cursor:
                    if hasattr(cursor, "copy_expert"):  # psycopg2
                        cursor.copy_expert(sql, buffer, size=1 << 20)
                    else:  # psycopg 3
                        with cursor.copy(sql) as copy:
                            copy.write(buffer.getvalue())
            except BaseException as error:  # noqa: BLE001 - handed over to the caller's thread
                self.error = error

    def close(self, *, raise_error: bool = True) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and raise_error:
            raise self.error


def _with_json(row: tuple, positions: list[int]) -> list:
    row = list(row)
    for i in positions:
        if row[i] is not None:
            row[i] = json.dumps(row[i], ensure_ascii=False)
    return row


def _insert(cursor, table: _Table, chunk: int = 2000) -> None:
    """Multi-row INSERT, each value prepared by its field as bulk_create does — without bulk_create's
    pre_save, which would replace the historical `created_at` of auto_now_add fields with now."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in table.fields)
    sql = f"INSERT INTO {qn(table.model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(table.fields))})"
    prepare = [f.get_db_prep_save for f in table.fields]
    for rows in table.chunks(chunk):
        cursor.executemany(sql, [[p(value, connection) for p, value in zip(prepare, row, strict=True)] for row in rows])
