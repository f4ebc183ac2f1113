"""The dossier lifecycle as data: statuses with their national sync codes, and transitions T1–T18.

shared/domain.md §3.1 and §4.1 (Decree 118/2025, Circular 03/2025). `dossiers.services.dossier_transition`
is the one entry point that moves a dossier along this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Hồ sơ chưa nộp")
    SUBMITTED = "submitted", _("Chờ tiếp nhận")
    RECEIVED = "received", _("Mới tiếp nhận")
    REFUSED = "refused", _("Không được tiếp nhận")
    IN_PROCESSING = "in_processing", _("Đang xử lý")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    AWAITING_FINANCIAL_OBLIGATION = "awaiting_financial_obligation", _("Chờ thực hiện nghĩa vụ tài chính")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ (dừng theo yêu cầu)")
    STOPPED = "stopped", _("Dừng xử lý")
    RESULT_READY = "result_ready", _("Đã có kết quả, chờ trả")
    RETURNED = "returned", _("Đã trả kết quả")


# Status → (sync code, national string) for the national portal (§3.1, §10.1).
SYNC_CODES: dict[str, tuple[int | None, str | None]] = {
    Status.DRAFT: (None, None),
    Status.SUBMITTED: (1, "receiving"),
    Status.RECEIVED: (2, "new"),
    Status.REFUSED: (3, "denied"),
    Status.IN_PROCESSING: (4, "processing"),
    Status.SUPPLEMENT_REQUESTED: (5, "waiting"),
    Status.AWAITING_FINANCIAL_OBLIGATION: (6, "paying"),
    Status.WITHDRAWN: (7, "cancelled"),
    Status.STOPPED: (8, "unresolved"),
    Status.RESULT_READY: (9, "releasing"),
    Status.RETURNED: (10, "done"),
}
SUBSTATE_SYNC = {"interconnected": (4, "interoperating"), "posting": (9, "posting")}
TERMINAL = frozenset({Status.REFUSED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})

CITIZEN = "citizen"
DESK = "desk"
OFFICER = "officer"
HEAD = "head"
ADMIN = "admin"
SYSTEM = "system"

# Statuses in which no decision or result exists yet: withdrawal is allowed only here (Decree 118 Art. 21).
BEFORE_DECISION = (
    Status.SUBMITTED,
    Status.RECEIVED,
    Status.IN_PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.AWAITING_FINANCIAL_OBLIGATION,
)


@dataclass(frozen=True)
class Transition:
    """One row of the table: who may move a dossier from which statuses to which, and the rule behind it."""

    key: str
    number: str
    sources: tuple[str | None, ...]
    target: str
    roles: frozenset[str]
    label: str
    rule: str
    needs_reason: bool = False
    # Shown instead of the generic refusal when the dossier's status does not allow the action.
    wrong_status: str = ""


def _t(key, number, sources, target, roles, label, rule, needs_reason=False, wrong_status="") -> Transition:
    return Transition(key, number, tuple(sources), target, frozenset(roles), label, rule, needs_reason, wrong_status)


TRANSITIONS: dict[str, Transition] = {
    t.key: t
    for t in [
        _t(
            "submit",
            "T1",
            [Status.DRAFT],
            Status.SUBMITTED,
            [CITIZEN],
            _("Nộp hồ sơ"),
            "Online submission issues the code and the acceptance deadline (§4.1 T1, §5.8).",
        ),
        _t(
            "receive_counter",
            "T2",
            [None],
            Status.RECEIVED,
            [DESK],
            _("Tiếp nhận hồ sơ"),
            "A complete counter or postal dossier is received; the appointment is frozen (T2, §5.4–5.5).",
        ),
        _t(
            "receive",
            "T3",
            [Status.SUBMITTED],
            Status.RECEIVED,
            [DESK],
            _("Tiếp nhận hồ sơ trực tuyến"),
            "A complete online dossier is accepted; late acceptance is flagged (§4.1 T3, §5.8).",
        ),
        _t(
            "request_supplement_intake",
            "T4",
            [Status.SUBMITTED],
            Status.SUPPLEMENT_REQUESTED,
            [DESK],
            _("Yêu cầu bổ sung hồ sơ"),
            "Everything missing in one request, once per dossier (Decree 118/2025 Art. 11).",
            True,
        ),
        _t(
            "refuse",
            "T5",
            [Status.SUBMITTED, Status.RECEIVED],
            Status.REFUSED,
            [DESK],
            _("Từ chối tiếp nhận"),
            "Refusal states specific reasons with their legal basis (§4.1 T5).",
            True,
        ),
        _t(
            "forward",
            "T6",
            [Status.RECEIVED],
            Status.IN_PROCESSING,
            [DESK, SYSTEM],
            _("Chuyển xử lý"),
            "Forwarded to the processing body the same working day (§4.1 T6).",
        ),
        _t(
            "step",
            "T7",
            [Status.IN_PROCESSING],
            Status.IN_PROCESSING,
            [OFFICER, HEAD],
            _("Chuyển bước xử lý"),
            "A step change is a control-sheet row (§4.1 T7, §5.7).",
        ),
        _t(
            "interconnect",
            "T8",
            [Status.IN_PROCESSING],
            Status.IN_PROCESSING,
            [OFFICER, SYSTEM],
            _("Chuyển liên thông"),
            "Sent to or back from another body (§4.1 T8).",
        ),
        _t(
            "request_supplement",
            "T9",
            [Status.IN_PROCESSING],
            Status.SUPPLEMENT_REQUESTED,
            [OFFICER, DESK],
            _("Yêu cầu bổ sung hồ sơ"),
            "Appraisal finds a deficiency; the clock pauses; once per dossier (Decree 118/2025 Art. 11).",
            True,
        ),
        _t(
            "accept_supplement",
            "T10",
            [Status.SUPPLEMENT_REQUESTED],
            Status.RECEIVED,
            [DESK],
            _("Nhận hồ sơ bổ sung"),
            "Accepting the completed supplement restarts or continues the clock per the version (§5.6).",
        ),
        _t(
            "expire_supplement",
            "T11",
            [Status.SUPPLEMENT_REQUESTED],
            Status.REFUSED,
            [SYSTEM],
            _("Hết hạn bổ sung"),
            "The applicant's deadline passed (Decree 297/2025 Art. 6(4)(a)).",
        ),
        _t(
            "await_obligation",
            "T12a",
            [Status.IN_PROCESSING],
            Status.AWAITING_FINANCIAL_OBLIGATION,
            [OFFICER, SYSTEM],
            _("Chờ nghĩa vụ tài chính"),
            "Financial obligation notified; excluded time where the version says so (§5.6, §5.9).",
        ),
        _t(
            "obligation_met",
            "T12b",
            [Status.AWAITING_FINANCIAL_OBLIGATION],
            Status.IN_PROCESSING,
            [OFFICER, DESK, SYSTEM],
            _("Đã thực hiện nghĩa vụ tài chính"),
            "Proof of payment received (§4.1 T12).",
        ),
        _t(
            "stop",
            "T13",
            [Status.IN_PROCESSING],
            Status.STOPPED,
            [OFFICER, HEAD, DESK],
            _("Dừng xử lý"),
            "Not eligible after appraisal: a written reply with reasons (§4.1 T13).",
            True,
        ),
        _t(
            "withdraw",
            "T14",
            BEFORE_DECISION,
            Status.WITHDRAWN,
            [CITIZEN, DESK],
            _("Rút hồ sơ"),
            "Only while no decision or result exists (Decree 118/2025 Art. 21).",
            True,
            _("Không thể rút hồ sơ: đã có quyết định hoặc kết quả giải quyết (Nghị định 118/2025/NĐ-CP, Điều 21)."),
        ),
        _t(
            "issue_result",
            "T15",
            [Status.IN_PROCESSING],
            Status.RESULT_READY,
            [HEAD],
            _("Ban hành kết quả"),
            "The result is signed and issued; the dossier and its steps are classed by date (§5.11).",
        ),
        _t(
            "return_result",
            "T16",
            [Status.RESULT_READY],
            Status.RETURNED,
            [DESK, SYSTEM],
            _("Trả kết quả"),
            "Handed over, posted or downloaded; fees collected afterwards come first (§4.1 T16).",
        ),
        _t(
            "apologise",
            "T17",
            [Status.RECEIVED, Status.IN_PROCESSING, Status.AWAITING_FINANCIAL_OBLIGATION],
            "",
            [HEAD],
            _("Xin lỗi và hẹn lại"),
            "At least one working day before the due date, one new date at most (§5.10).",
            True,
        ),
        _t(
            "recall",
            "T18",
            [Status.RETURNED],
            Status.RESULT_READY,
            [ADMIN],
            _("Thu hồi kết quả đã trả"),
            "A result returned by mistake is recalled by the administrator; both events are kept.",
            True,
        ),
    ]
}
# The T11 target depends on the stage: intake → refused, appraisal → stopped.
