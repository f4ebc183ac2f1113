"""The counts the Decision 766 formulas use, per agency and for the whole scope, for one period
(docs/indicators.md, docs/domain.md §9.1–9.2).

Every count is set-based SQL: an aggregate grouped by agency (never a query per agency, never a loop over dossiers).
The dossier flow comes from the rolled-up `stats.DailyFigure` where it can; the rest from indexed reads of the
dossiers of the period, the catalogue, the feedback and the ratings. An agency's counts are those of the dossiers
it handles (its processing agency, else the receiving one, as the roll-up keys them); the scope's counts are the
sums over its agencies, except the catalogue's, which count distinct procedures across the scope.

A variable listed in `UNAVAILABLE` is one the portal holds no data for: an indicator using it is "chưa có dữ liệu".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import Channel, Dossier
from dossiers.workflow import Status
from feedback.selectors import feedback_by_agency, ratings_by_agency
from indicators.models import DAILY_MEASURES, DailyCount
from procedures.models import OnlineMode, ProcedureFee, ProcedureVersion
from stats.models import DailyFigure
from workcalendar.calendar import LOCAL_TZ

# The counts the portal computes: name → meaning (shown beside the value on the page).
AVAILABLE = {
    "received": _("Hồ sơ tiếp nhận trong kỳ"),
    "online": _("Hồ sơ tiếp nhận trực tuyến trong kỳ"),
    "resolved": _("Hồ sơ đã giải quyết trong kỳ (kể cả rút, dừng)"),
    "resolved_on_time": _("Hồ sơ giải quyết trước hạn, đúng hạn trong kỳ (kể cả rút hồ sơ)"),
    "resolved_late": _("Hồ sơ giải quyết quá hạn trong kỳ"),
    "in_progress": _("Hồ sơ đang giải quyết tại ngày cuối kỳ"),
    "in_progress_late": _("Hồ sơ đang giải quyết đã quá hạn tại ngày cuối kỳ"),
    "handled": _("Hồ sơ phải giải quyết trong kỳ (đã giải quyết + đang giải quyết cuối kỳ)"),
    "handled_on_time": _(
        "Hồ sơ đúng hạn: giải quyết trước hạn, đúng hạn, rút hồ sơ, đang giải quyết chưa quá hạn, chờ bổ sung"
    ),
    "synced": _("Hồ sơ tiếp nhận trong kỳ đã đồng bộ lên Cổng Dịch vụ công quốc gia"),
    "digitised": _("Hồ sơ tiếp nhận trong kỳ có thành phần được số hóa"),
    "reused": _("Hồ sơ tiếp nhận trong kỳ tái sử dụng dữ liệu đã số hóa"),
    "decided": _("Hồ sơ có quyết định, kết quả trong kỳ (không tính rút hồ sơ)"),
    "e_result": _("Hồ sơ có kết quả điện tử được ký số"),
    "with_obligation": _("Hồ sơ tiếp nhận trong kỳ có nghĩa vụ tài chính (thu phí, lệ phí)"),
    "paid_online": _("Hồ sơ đã thanh toán trực tuyến"),
    "services": _("Thủ tục hành chính thuộc thẩm quyền (đang hiệu lực)"),
    "services_online": _("Thủ tục cung cấp dịch vụ công trực tuyến toàn trình hoặc một phần"),
    "services_online_used": _("Dịch vụ công trực tuyến có phát sinh hồ sơ trực tuyến trong kỳ"),
    "fee_services": _("Thủ tục có thu phí, lệ phí"),
    "fee_services_used": _("Thủ tục có thu phí, lệ phí có phát sinh hồ sơ trong kỳ"),
    "fee_services_paid_online": _("Thủ tục có thu phí, lệ phí có hồ sơ thanh toán trực tuyến trong kỳ"),
    "feedback": _("Phản ánh, kiến nghị tiếp nhận trong kỳ"),
    "feedback_on_time": _("Phản ánh, kiến nghị xử lý đúng hạn (kể cả đang xử lý trong hạn)"),
    "ratings": _("Lượt đánh giá hồ sơ trong kỳ"),
    "ratings_satisfied": _("Lượt đánh giá hài lòng, rất hài lòng"),
}
# Counts a definition may name but the portal holds no data for: name → (meaning, why there is none).
UNAVAILABLE = {
    "announced": (_("TTHC được công bố"), _("Hệ thống chưa lưu quyết định công bố và thời hạn công bố.")),
    "announced_on_time": (_("TTHC công bố đúng hạn"), _("Hệ thống chưa lưu quyết định công bố và thời hạn công bố.")),
    "updated": (_("TTHC phải cập nhật, công khai"), _("Hệ thống chưa lưu thời hạn cập nhật, công khai TTHC.")),
    "updated_on_time": (_("TTHC cập nhật, công khai đúng hạn"), _("Hệ thống chưa lưu thời hạn cập nhật TTHC.")),
    "published": (_("TTHC công khai"), _("Đánh giá đầy đủ nội dung do Cổng quốc gia thực hiện.")),
    "published_full": (_("TTHC công khai đầy đủ nội dung"), _("Đánh giá đầy đủ nội dung do Cổng quốc gia thực hiện.")),
    "certified_copies": (_("Bản sao điện tử được chứng thực"), _("Hệ thống chưa cung cấp chứng thực bản sao điện tử.")),
    "certified_copy_requests": (
        _("Yêu cầu chứng thực bản sao điện tử"),
        _("Hệ thống chưa cung cấp chứng thực điện tử."),
    ),
    "synced_personal_store": (
        _("Hồ sơ đồng bộ kho dữ liệu cá nhân trên Cổng quốc gia"),
        _("Hệ thống chưa kết nối kho dữ liệu cá nhân của Cổng quốc gia."),
    ),
    "services_population_db": (
        _("TTHC kết nối Cơ sở dữ liệu quốc gia về dân cư"),
        _("Hệ thống chưa kết nối Cơ sở dữ liệu quốc gia về dân cư."),
    ),
    "dossiers_population_db": (
        _("Hồ sơ khai thác dữ liệu dân cư"),
        _("Hệ thống chưa kết nối Cơ sở dữ liệu quốc gia về dân cư."),
    ),
    "feedback_satisfied": (
        _("Phản ánh, kiến nghị người gửi hài lòng với kết quả xử lý"),
        _("Hệ thống chưa ghi nhận mức hài lòng của người gửi với trả lời phản ánh, kiến nghị."),
    ),
}
VARIABLES = {**AVAILABLE, **{name: label for name, (label, _why) in UNAVAILABLE.items()}}

# Catalogue counts: distinct procedures, not summable across agencies (the scope counts them once).
DISTINCT = (
    "services",
    "services_online",
    "services_online_used",
    "fee_services",
    "fee_services_used",
    "fee_services_paid_online",
)
ONLINE_MODES = (OnlineMode.FULL, OnlineMode.PARTIAL)
# Received, then neither refused nor still a draft: what may be in progress at a period's end.
NOT_IN_FLOW = (Status.DRAFT, Status.SUBMITTED, Status.REFUSED)
# Waiting for the applicant: never late (§9.2).
WAITING = (Status.SUPPLEMENT_REQUESTED, Status.AWAITING_FINANCIAL_OBLIGATION)
# Received and not completed (a result, stop or withdrawal sets `completed_at`).
OPEN_AFTER_RECEIPT = (Status.RECEIVED, Status.IN_PROCESSING, *WAITING)


@dataclass
class Counts:
    """The counts of one period: per agency id, and for the whole scope."""

    by_agency: dict[int, dict[str, int]] = field(default_factory=dict)
    scope: dict[str, int] = field(default_factory=dict)


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of a local day (Asia/Ho_Chi_Minh)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)


def _handled_by(agency_ids: list[int]) -> Q:
    """The dossier is handled by one of these agencies: its processing agency, else its receiving one."""
    return Q(processing_agency_id__in=agency_ids) | Q(
        processing_agency_id__isnull=True, receiving_agency_id__in=agency_ids
    )


HANDLER = Coalesce("processing_agency_id", "receiving_agency_id")


def _merge(target: dict[int, dict[str, int]], rows: Iterable[dict], key: str = "agency") -> None:
    for row in rows:
        agency = row.pop(key)
        target[agency].update({name: int(value or 0) for name, value in row.items()})


def _flow(agency_ids, start, end) -> list[dict]:
    """Received, online and resolved per agency from the daily roll-up (one grouped query)."""
    rows = (
        DailyFigure.objects.filter(agency_id__in=agency_ids, day__range=(start, end))
        .values("agency")
        .annotate(  # prefixed: an aggregate may not take the name of the column it sums
            s_received=Coalesce(Sum("received"), 0),
            s_online=Coalesce(Sum("received", filter=Q(channel=Channel.ONLINE)), 0),
            s_resolved_on_time=Coalesce(Sum(F("early") + F("on_time")), 0),
            s_resolved_late=Coalesce(Sum("late"), 0),
        )
        .order_by()
    )
    return [{key.removeprefix("s_"): value for key, value in row.items()} for row in rows]


def _online_used(agency_ids, start, end, *, grouped: bool):
    """Online services with at least one online dossier received in the period (from the roll-up)."""
    rows = DailyFigure.objects.filter(
        agency_id__in=agency_ids,
        day__range=(start, end),
        channel=Channel.ONLINE,
        online_mode__in=ONLINE_MODES,
        received__gt=0,
    ).order_by()
    used = Count("procedure", distinct=True)
    if grouped:
        return list(rows.values("agency").annotate(services_online_used=used))
    return rows.aggregate(services_online_used=used)


def _in_progress(agency_ids, end: dt.date, reference: dt.date, now: dt.datetime) -> list[dict]:
    """Dossiers received by the period's end and not completed by then, per agency, and those of them late at
    `reference` (the end, or today if earlier): due date before it, unless waiting for the applicant (§5.11, §9.2).

    Two kinds: still open now (through the indexed status), and completed after the period's end — none when the
    period ends in the future, so the default current period reads the open dossiers only."""
    end_next = day_start(end + dt.timedelta(days=1))
    open_at_end = Q(status__in=OPEN_AFTER_RECEIPT, completed_at__isnull=True)
    if end_next <= now:
        open_at_end |= Q(completed_at__gte=end_next)
    waiting_now = Q(completed_at__isnull=True, status__in=WAITING)
    late = Q(current_due_at__lt=day_start(reference)) & ~waiting_now
    rows = (
        Dossier.objects.filter(_handled_by(agency_ids), open_at_end, received_at__lt=end_next)
        .exclude(status__in=NOT_IN_FLOW)
        .annotate(agency=HANDLER)
        .values("agency")
        .annotate(in_progress=Count("pk"), in_progress_late=Count("pk", filter=late))
        .order_by()
    )
    return list(rows)


def _daily(agency_ids, start, end, *, grouped: bool):
    """Synced, digitised, reused, with an obligation, paid online (by day of receipt), decided and with an
    electronic result (by day of completion), and the distinct fee procedures used and paid online — summed from
    the indicators' own roll-up `DailyCount` (indicators.services), one query."""
    rows = DailyCount.objects.filter(agency_id__in=agency_ids, day__range=(start, end)).order_by()
    distinct = {
        "fee_services_used": Count("procedure", distinct=True, filter=Q(with_obligation__gt=0)),
        "fee_services_paid_online": Count("procedure", distinct=True, filter=Q(paid_online__gt=0)),
    }
    if not grouped:
        return rows.aggregate(**distinct)
    sums = {f"s_{name}": Coalesce(Sum(name), 0) for name in DAILY_MEASURES}
    return [
        {key.removeprefix("s_"): value for key, value in row.items()}
        for row in rows.values("agency").annotate(**sums, **distinct)
    ]


def _catalogue(agency_ids, *, grouped: bool):
    """Procedures in force the agencies handle: all, offered online (full or partial), charging a fee."""
    fee = Exists(ProcedureFee.objects.filter(version=OuterRef("pk"), amount__gt=0))
    if grouped:
        through = ProcedureVersion.agencies.through.objects.filter(
            agency_id__in=agency_ids,
            procedureversion__procedure__current_version=F("procedureversion"),
            procedureversion__procedure__abolished_on__isnull=True,
        )
        fee_row = Exists(ProcedureFee.objects.filter(version=OuterRef("procedureversion"), amount__gt=0))
        return list(
            through.values("agency_id")
            .annotate(
                services=Count("procedureversion__procedure", distinct=True),
                services_online=Count(
                    "procedureversion__procedure",
                    distinct=True,
                    filter=Q(procedureversion__online_mode__in=ONLINE_MODES),
                ),
                fee_services=Count("procedureversion__procedure", distinct=True, filter=Q(fee_row)),
            )
            .order_by()
        )
    versions = ProcedureVersion.objects.in_force().filter(
        pk__in=ProcedureVersion.agencies.through.objects.filter(agency_id__in=agency_ids).values("procedureversion")
    )
    return versions.aggregate(
        services=Count("procedure", distinct=True),
        services_online=Count("procedure", distinct=True, filter=Q(online_mode__in=ONLINE_MODES)),
        fee_services=Count("procedure", distinct=True, filter=Q(fee)),
    )


def _feedback(agency_ids, start, end, today) -> list[dict]:
    """PAKN received and handled on time (answered by the deadline, or open and not yet late), and ratings."""
    rows = []
    for row in feedback_by_agency(start=start, end=end, agency_ids=agency_ids, today=today):
        answered_late = row["answered"] - row["answered_on_time"]
        rows.append(
            {
                "agency": row["agency_id"],
                "feedback": row["received"],
                "feedback_on_time": row["received"] - row["open_late"] - answered_late,
            }
        )
    for row in ratings_by_agency(start=start, end=end, agency_ids=agency_ids):
        satisfied = round((row["satisfied_share"] or 0) * row["count"])
        rows.append({"agency": row["agency_id"], "ratings": row["count"], "ratings_satisfied": satisfied})
    return rows


def counts_for(
    *, agency_ids: Iterable[int], start: dt.date, end: dt.date, today: dt.date, now: dt.datetime | None = None
) -> Counts:
    """Every available count of the period start..end (local dates, both included) for each agency of the scope and
    for the scope as a whole. In-progress dossiers are judged at the period's end, or today if it ends later."""
    agency_ids = list(agency_ids)
    reference = min(end, today)
    now = now or timezone.now()
    by_agency: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(AVAILABLE, 0))
    _merge(by_agency, _flow(agency_ids, start, end))
    _merge(by_agency, _online_used(agency_ids, start, end, grouped=True))
    _merge(by_agency, _in_progress(agency_ids, end, reference, now))
    _merge(by_agency, _daily(agency_ids, start, end, grouped=True))
    _merge(by_agency, _catalogue(agency_ids, grouped=True), key="agency_id")
    for row in _feedback(agency_ids, start, end, today):
        agency = row.pop("agency")
        by_agency[agency].update(row)
    for agency in agency_ids:
        by_agency[agency]  # noqa: B018 - every agency of the scope gets a row, zeros when idle
    for values in by_agency.values():
        _derive(values)
    scope = dict.fromkeys(AVAILABLE, 0)
    for values in by_agency.values():
        for name in AVAILABLE:
            if name not in DISTINCT:
                scope[name] += values[name]
    scope.update(_online_used(agency_ids, start, end, grouped=False))
    scope.update(_daily(agency_ids, start, end, grouped=False))
    scope.update(_catalogue(agency_ids, grouped=False))
    return Counts(by_agency={k: v for k, v in by_agency.items() if k in set(agency_ids)}, scope=scope)


def _derive(values: dict[str, int]) -> None:
    """The sums the formulas read: resolved, handled (resolved in the period + still in progress at its end, i.e.
    new + carried over), handled on time (§9.2: resolved early, on time or withdrawn, plus in progress not late —
    waiting for the applicant included)."""
    values["resolved"] = values["resolved_on_time"] + values["resolved_late"]
    values["handled"] = values["resolved"] + values["in_progress"]
    values["handled_on_time"] = values["resolved_on_time"] + values["in_progress"] - values["in_progress_late"]
