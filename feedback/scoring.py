"""The points of the per-dossier rating (docs/domain.md §9.3): the indices the portal knows from what it recorded,
and the points of the answers only the applicant can give.

Each index gives 2, 1 or 0 points. The readings of the law below are ours where the text leaves a choice
([design], docs/feedback.md); each is a short function so a province can change one without touching the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from dossiers.models import Channel, Dossier, Outcome, ResultHandover, outcome_by_date
from feedback.models import DossierRating, Feedback
from procedures.models import OnlineMode
from workcalendar.calendar import LOCAL_TZ

OUTCOME_POINTS = {Outcome.EARLY: 2, Outcome.ON_TIME: 1, Outcome.LATE: 0}

# The applicant's answers (indices 3, 4 and 7): value → (label, points).
CONTACTS = {
    "none": (_("Không phải liên hệ lần nào"), 2),
    "once": (_("Một lần"), 1),
    "more": (_("Từ hai lần trở lên"), 0),
}
BODIES = {
    "desk": (_("Chỉ Bộ phận Một cửa"), 2),
    "one": (_("Thêm 1 cơ quan, đơn vị khác"), 1),
    "more": (_("Thêm từ 2 cơ quan, đơn vị khác trở lên"), 0),
}
ATTITUDE = {
    "good": (_("Lịch sự, tận tình, hướng dẫn rõ ràng"), 2),
    "fair": (_("Bình thường"), 1),
    "bad": (_("Không đúng mực, gây khó khăn"), 0),
}
ANSWERS = {3: CONTACTS, 4: BODIES, 7: ATTITUDE}


@dataclass(frozen=True)
class PortalPoint:
    """One index the portal computed, with the plain reason shown to the applicant beside the points."""

    index: int
    points: int
    reason: str

    @property
    def label(self) -> str:
        """The index's name, as the rating's column names it."""
        return DossierRating._meta.get_field(f"index_{self.index}").verbose_name


def dossier_outcome(dossier: Dossier) -> str:
    """Early / on time / late of the whole dossier by date (§5.11): the engine's stored outcome, else computed."""
    if dossier.outcome:
        return dossier.outcome
    finished = dossier.completed_at or dossier.returned_at
    return outcome_by_date(finished, dossier.current_due_at) if finished else Outcome.ON_TIME


def index_total_time(dossier: Dossier) -> PortalPoint:
    """(1) Total time against the legal time: shorter 2, equal 1, longer 0; no fixed time counts as equal."""
    outcome = dossier_outcome(dossier)
    return PortalPoint(1, OUTCOME_POINTS[outcome], str(Outcome(outcome).label))


def index_step_times(dossier: Dossier) -> PortalPoint:
    """(2) Each body's time against its step budget (§5.7): one late step 0, every step early 2, otherwise 1.
    A dossier without steps is judged on its total time, as (1)."""
    steps = list(dossier.steps.all())
    if not steps:
        first = index_total_time(dossier)
        return PortalPoint(2, first.points, first.reason)
    outcomes = {step.outcome or Outcome.ON_TIME for step in steps}
    if any(step.is_late for step in steps) or Outcome.LATE in outcomes:
        return PortalPoint(2, 0, str(_("Có bước xử lý quá hạn")))
    if outcomes == {Outcome.EARLY}:
        return PortalPoint(2, 2, str(_("Mọi bước xử lý đều trước hạn")))
    return PortalPoint(2, 1, str(_("Các bước xử lý đúng hạn")))


def index_one_stop(dossier: Dossier) -> PortalPoint:
    """(5) Received and returned at the one-stop desk (online and by post through it too): 1 point each."""
    received = dossier.desk_id is not None or dossier.channel in (Channel.ONLINE, Channel.POSTAL)
    returned = ResultHandover.objects.filter(dossier=dossier).exists()
    points = int(received) + int(returned)
    reasons = {
        2: _("Tiếp nhận và trả kết quả qua Bộ phận Một cửa"),
        1: _("Chỉ tiếp nhận hoặc chỉ trả kết quả qua Bộ phận Một cửa"),
        0: _("Không qua Bộ phận Một cửa"),
    }
    return PortalPoint(5, points, str(reasons[points]))


def index_published(dossier: Dossier) -> PortalPoint:
    """(6) The procedure published correctly: on the portal's catalogue with its documents, time and result 2,
    published with content missing 1."""
    version = dossier.procedure_version
    full = bool(version.result) and version.time_unit and version.documents.exists()
    if full:
        return PortalPoint(6, 2, str(_("Thủ tục được công khai đầy đủ trên Cổng Dịch vụ công")))
    return PortalPoint(6, 1, str(_("Thủ tục được công khai nhưng chưa đầy đủ nội dung")))


def index_feedback_handling(dossier: Dossier, *, now: dt.datetime) -> PortalPoint:
    """(8) The applicant's feedback about this dossier handled on time: all (or none sent) 2, at least 90 % 1.
    An open one still within its deadline counts as on time (§9.2, as for dossiers in progress)."""
    today_start = dt.datetime.combine(now.astimezone(LOCAL_TZ).date(), dt.time(), tzinfo=LOCAL_TZ)
    figures = Feedback.objects.filter(dossier=dossier).aggregate(
        sent=Count("id"),
        on_time=Count("id", filter=Q(on_time=True) | Q(answered_at=None, answer_due_at__gte=today_start)),
    )
    if not figures["sent"]:
        return PortalPoint(8, 2, str(_("Không có phản ánh, kiến nghị")))
    share = figures["on_time"] / figures["sent"]
    points = 2 if share >= 1 else 1 if share >= 0.9 else 0
    reason = _("{on_time}/{sent} phản ánh, kiến nghị được xử lý đúng hạn").format(**figures)
    return PortalPoint(8, points, str(reason))


def index_online(dossier: Dossier) -> PortalPoint:
    """(9) Online provision: submitted online and not late 2; online but late, or offered online and filed at the
    counter 1; the procedure offers no online service 0."""
    if dossier.procedure_version.online_mode == OnlineMode.NONE:
        return PortalPoint(9, 0, str(_("Thủ tục chưa cung cấp dịch vụ công trực tuyến")))
    if dossier.channel == Channel.ONLINE and dossier_outcome(dossier) != Outcome.LATE:
        return PortalPoint(9, 2, str(_("Nộp trực tuyến, giải quyết không quá hạn")))
    if dossier.channel == Channel.ONLINE:
        return PortalPoint(9, 1, str(_("Nộp trực tuyến nhưng giải quyết quá hạn")))
    return PortalPoint(9, 1, str(_("Thủ tục có dịch vụ trực tuyến, hồ sơ nộp trực tiếp")))


def portal_points(dossier: Dossier, *, now: dt.datetime) -> list[PortalPoint]:
    """The indices the portal computes for a returned dossier, in index order."""
    return [
        index_total_time(dossier),
        index_step_times(dossier),
        index_one_stop(dossier),
        index_published(dossier),
        index_feedback_handling(dossier, now=now),
        index_online(dossier),
    ]


def answer_points(index: int, value: str) -> int:
    """The points of the applicant's answer to index 3, 4 or 7."""
    return ANSWERS[index][value][1]
