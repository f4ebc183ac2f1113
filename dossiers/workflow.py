"""The dossier lifecycle as data: statuses with their national sync codes, and transitions T1–T18.

docs/domain.md §3.1 and §4.1 (Decree 118/2025, Circular 03/2025). `dossiers.services.dossier_transition`
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


# Statuses in which a fee due may be paid, at the counter (T16a collect_fee) or online (T16a pay_online).
FEE_PAYABLE = (
    Status.RECEIVED,
    Status.IN_PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.AWAITING_FINANCIAL_OBLIGATION,
    Status.RESULT_READY,
)
# Online, the applicant pays right after submitting (T1), before the desk has received the dossier: the platform's
# confirmation is recorded then too. At the counter nothing is collected before receipt.
ONLINE_PAYABLE = (Status.SUBMITTED, *FEE_PAYABLE)


# How a withdrawal request reached the desk (Decree 118/2025 Art. 21: on paper, by post or online).
class RequestChannel(models.TextChoices):
    COUNTER = "counter", _("Nộp trực tiếp tại Bộ phận Một cửa")
    POST = "post", _("Qua dịch vụ bưu chính")
    ONLINE = "online", _("Trực tuyến trên Cổng dịch vụ công")


# How the result reaches the applicant (registered at receipt, Dossier.return_method; docs/domain.md §4.1 T16).
# Declared here so the transition table can offer it as a choice; `dossiers.models` re-exports it.
class ReturnMethod(models.TextChoices):
    COUNTER = "counter", _("Nhận trực tiếp tại Bộ phận Một cửa")
    POST = "post", _("Qua dịch vụ bưu chính công ích")
    ONLINE = "online", _("Nhận trực tuyến")


# Who collects a result at the counter (docs/domain.md §4.1 T16: "who received it (type, name)").
class ReceiverKind(models.TextChoices):
    OWNER = "owner", _("Chủ hồ sơ")
    AUTHORISED = "authorised", _("Người được ủy quyền")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Người đại diện theo pháp luật")


# How a fee collected at the counter was paid ("thu sau", docs/domain.md §3.2).
class FeePaymentMethod(models.TextChoices):
    CASH = "cash", _("Tiền mặt")
    TRANSFER = "transfer", _("Chuyển khoản")
    CARD = "card", _("Thẻ ngân hàng")


POSTING = "posting"  # the sub-state of a result handed to the postal operator (SUBSTATE_SYNC)
SUPPLIED = "supplied"  # the applicant has sent the supplement online; the desk has not accepted it yet (§3.2)


# --- Typed inputs -------------------------------------------------------------------------------------------


class Kind:
    """The types an action's input field may have; the engine checks values against them before anything changes."""

    TEXT = "text"
    INT = "int"
    BOOL = "bool"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    ITEMS = "items"  # a list of {"document": str, "content": str, "form": str, "count": int}
    IDS = "ids"  # a list of primary keys of the dossier's own rows (which ones: the handler checks)
    AGENCY = "agency"  # an agencies.Agency
    USER = "user"  # a staff account
    # An uploaded file (a django.core.files.File: an UploadedFile from a form, a ContentFile from code); its type
    # is detected from the bytes and must be one of the field's `accept` types.
    FILE = "file"
    # Only in the counter receipt (T2), whose intake screen builds them: a procedure version, an applicant, the list
    # of the procedure's documents with what was handed in.
    PROCEDURE_VERSION = "procedure_version"
    APPLICANT = "applicant"
    DOCUMENTS = "documents"
    # The ids of the dossier's own components (DossierDocument) the desk found present and checked; an empty list
    # is a value (nothing checked), not a missing one.
    DOCUMENT_IDS = "document_ids"


@dataclass(frozen=True)
class Field:
    """One input of an action: its name, type, whether it is required, allowed values and its Vietnamese label.

    Buttons, the desk's Django forms and the API serializers are all derived from these declarations.
    """

    name: str
    kind: str
    label: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    min_value: int | None = None
    help_text: str = ""
    # FILE only: the MIME types accepted, detected from the content (dossiers/files.py); empty → any the portal takes.
    accept: tuple[str, ...] = ()


def _note(required: bool = False, label=None) -> Field:
    if required:
        return Field("note", Kind.TEXT, label or _("Lý do"), required=True, max_length=4000)
    return Field("note", Kind.TEXT, label or _("Ghi chú"), max_length=4000)


LEGAL_BASIS = Field("legal_basis", Kind.TEXT, _("Căn cứ pháp lý"), max_length=1000)
INTERNAL_NOTE = _("Ghi chú nội bộ")
# What the applicant reads of an internal action (its note stays with the staff): see Transition.note_internal.
MESSAGE = Field(
    "message",
    Kind.TEXT,
    _("Thông báo cho người nộp hồ sơ"),
    max_length=1000,
    help_text=_("Hiện trên trang theo dõi hồ sơ của người nộp và gửi thư cho họ; ghi chú nội bộ chỉ cán bộ xem được."),
)
# How the step that ends went (T7): the officer's finding, kept in the event and on the control sheet's history.
STEP_RESULT = Field(
    "step_result",
    Kind.CHOICE,
    _("Kết quả bước vừa xong"),
    choices=(("pass", _("Đạt yêu cầu")), ("fail", _("Không đạt yêu cầu")), ("done", _("Đã hoàn thành"))),
)
# The desk's checklist, given with the decision it leads to (T3, T4, T5, T10): the engine stores each component's
# tick in the decision's own transaction and lists the ids in its event (`services._documents_check`).
CHECKED_DOCUMENTS = Field(
    "checked_documents",
    Kind.DOCUMENT_IDS,
    _("Thành phần hồ sơ đã kiểm tra"),
    help_text=_("Các giấy tờ đã có và đã kiểm tra; giấy tờ không có trong danh sách được ghi là chưa đạt."),
)
ITEMS = Field(
    "items",
    Kind.ITEMS,
    _("Các nội dung cần bổ sung, hoàn thiện"),
    required=True,
    help_text=_("Liệt kê đầy đủ trong một lần: giấy tờ và nội dung cần bổ sung."),
)


# --- Targets ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conditional:
    """A target that depends on one fact: `on` names an input field ("input:<name>") or a fact of the dossier
    ("dossier:<name>", computed by the engine); `cases` maps its value to the status or sub-state."""

    on: str
    cases: tuple[tuple[object, str], ...]

    def pick(self, value: object) -> str:
        for key, target in self.cases:
            if key == value:
                return target
        raise KeyError(f"{self.on}={value!r} has no declared target")


SAME = "="  # the status (or sub-state) does not change
UNCHANGED = None  # the sub-state is left as it is


@dataclass(frozen=True)
class Transition:
    """One row of the table: who may move a dossier from which statuses to which, with which input, under which rule."""

    key: str
    number: str
    sources: tuple[str | None, ...]
    target: str | Conditional
    roles: frozenset[str]
    label: str
    rule: str
    fields: tuple[Field, ...] = ()
    # Named preconditions checked by the engine (dossiers/guards.py) and by the selector of available actions.
    guards: tuple[str, ...] = ()
    substate: str | Conditional | None = UNCHANGED
    # Shown instead of the generic refusal when the dossier's status does not allow the action.
    wrong_status: str = ""
    # The note is the staff's own (routing, appraisal): the event stays off the applicant's timeline unless the
    # action's `message` for the applicant is filled in, which is then all the applicant sees of it.
    note_internal: bool = False

    @property
    def needs_reason(self) -> bool:
        return any(f.name == "note" and f.required for f in self.fields)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def _t(
    key,
    number,
    sources,
    target,
    roles,
    label,
    rule,
    *,
    fields=(),
    guards=(),
    substate=UNCHANGED,
    wrong_status="",
    note_internal=False,
):
    return Transition(
        key,
        number,
        tuple(sources),
        target,
        frozenset(roles),
        label,
        rule,
        tuple(fields),
        tuple(guards),
        substate,
        wrong_status,
        note_internal,
    )


_STAGE = "dossier:supplement_stage"

# What the desk enters about a dossier handed in at the counter or by post, whatever it decides (T2, T4, T5 at the
# counter), and what only a dossier that goes on needs (how the result is returned, how fees are collected).
_COUNTER_DOSSIER = (
    Field("procedure_version", Kind.PROCEDURE_VERSION, _("Thủ tục hành chính"), required=True),
    Field("applicant", Kind.APPLICANT, _("Chủ hồ sơ"), required=True),
    Field("channel", Kind.INT, _("Kênh nộp hồ sơ"), choices=((1, _("Trực tiếp")), (3, _("Bưu chính")))),
    Field("summary", Kind.TEXT, _("Nội dung yêu cầu giải quyết"), max_length=1000),
    Field("documents", Kind.DOCUMENTS, _("Thành phần hồ sơ")),
    Field("sets_count", Kind.INT, _("Số lượng hồ sơ (bộ)"), min_value=1),
    Field("processing_agency", Kind.AGENCY, _("Cơ quan giải quyết")),
    Field("representative", Kind.APPLICANT, _("Người đại diện")),
    Field("client_key", Kind.TEXT, _("Khóa chống gửi trùng"), max_length=64),
)
_COUNTER_RETURN = (
    Field("return_method", Kind.CHOICE, _("Hình thức nhận kết quả")),
    Field("fee_mode", Kind.CHOICE, _("Hình thức thu phí, lệ phí")),
    # The version's fee lines that apply to this dossier (procedures.ProcedureFee ids): a version may list
    # alternatives (on time / late, counter / online, a reduced rate) or optional items, which are not all due.
    # Absent: every line applies; an empty list: none does. `services._fee_choice` checks the ids.
    Field(
        "fees",
        Kind.IDS,
        _("Phí, lệ phí áp dụng"),
        help_text=_("Chỉ chọn các khoản áp dụng cho hồ sơ này; các khoản thay thế nhau chỉ chọn một."),
    ),
)

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
            "Online submission issues the code and the acceptance deadline (docs/domain.md §4.1 T1, §5.8); the "
            "owner's level of electronic identification meets the version's (Decree 69/2024, docs/vneid.md).",
            fields=[_note()],
            guards=["assurance_level_met"],
        ),
        _t(
            "submit_national",
            "T1",
            [None],
            Status.SUBMITTED,
            [SYSTEM],
            _("Nhận hồ sơ nộp trên Cổng Dịch vụ công quốc gia"),
            "A dossier submitted on the national portal arrives through the sync adapter and waits in the desk's "
            "queue like an online submission, once per national code (§10.1, docs/national-sync.md).",
            # Creation: `services.dossier_submit_national` takes its input as keyword-only arguments.
        ),
        _t(
            "receive_counter",
            "T2",
            [None],
            Status.RECEIVED,
            [DESK],
            _("Tiếp nhận hồ sơ"),
            "A complete counter or postal dossier is received; the appointment is frozen (§4.1 T2, §5.4–5.5).",
            # Creation, not a change: `services.dossier_receive_counter` takes these as keyword-only arguments.
            fields=[*_COUNTER_DOSSIER, *_COUNTER_RETURN],
        ),
        _t(
            "request_supplement_counter",
            "T4",
            [None],
            Status.SUPPLEMENT_REQUESTED,
            [DESK],
            _("Yêu cầu bổ sung hồ sơ nộp trực tiếp"),
            "An incomplete counter or postal dossier is recorded with its code and the one supplement request, stage "
            "intake, with the applicant's deadline; no clock runs until T10 receives it complete (§4.1 T2/T4, §5.6).",
            # Creation: `services.dossier_request_supplement_counter` takes these as keyword-only arguments.
            fields=[*_COUNTER_DOSSIER, *_COUNTER_RETURN, _note(required=True), ITEMS, LEGAL_BASIS],
        ),
        _t(
            "refuse_counter",
            "T5",
            [None],
            Status.REFUSED,
            [DESK],
            _("Từ chối tiếp nhận hồ sơ nộp trực tiếp"),
            "A counter or postal dossier the desk may not receive is recorded with its code and the refusal, its "
            "specific reasons and legal basis; nothing is collected (§4.1 T2/T5, §6.2).",
            # Creation: `services.dossier_refuse_counter` takes these as keyword-only arguments.
            fields=[*_COUNTER_DOSSIER, _note(required=True), LEGAL_BASIS],
        ),
        _t(
            "receive",
            "T3",
            [Status.SUBMITTED],
            Status.RECEIVED,
            [DESK],
            _("Tiếp nhận hồ sơ trực tuyến"),
            "A complete online dossier is accepted; late acceptance is flagged (§4.1 T3, §5.8).",
            fields=[_note(), CHECKED_DOCUMENTS],
        ),
        _t(
            "request_supplement_intake",
            "T4",
            [Status.SUBMITTED],
            Status.SUPPLEMENT_REQUESTED,
            [DESK],
            _("Yêu cầu bổ sung hồ sơ"),
            "Everything missing in one request, once per dossier (Decree 118/2025 Art. 11).",
            fields=[_note(required=True), ITEMS, LEGAL_BASIS, CHECKED_DOCUMENTS],
            guards=["supplement_not_requested_yet"],
        ),
        _t(
            "refuse",
            "T5",
            [Status.SUBMITTED, Status.RECEIVED],
            Status.REFUSED,
            [DESK],
            _("Từ chối tiếp nhận"),
            "Refusal states specific reasons with their legal basis (§4.1 T5).",
            fields=[_note(required=True), LEGAL_BASIS, CHECKED_DOCUMENTS],
        ),
        _t(
            "forward",
            "T6",
            [Status.RECEIVED],
            Status.IN_PROCESSING,
            [DESK, SYSTEM],
            _("Chuyển xử lý"),
            "Forwarded to the processing body the same working day (§4.1 T6).",
            fields=[
                _note(label=INTERNAL_NOTE),
                Field("agency", Kind.AGENCY, _("Cơ quan giải quyết")),
                Field("handler", Kind.USER, _("Cán bộ thụ lý")),
                MESSAGE,
            ],
            note_internal=True,
        ),
        _t(
            "step",
            "T7",
            [Status.IN_PROCESSING],
            SAME,
            [OFFICER, HEAD],
            _("Chuyển bước xử lý"),
            "A step change is a control-sheet row (§4.1 T7, §5.7).",
            fields=[
                STEP_RESULT,
                _note(label=INTERNAL_NOTE),
                Field("name", Kind.TEXT, _("Tên bước xử lý"), max_length=255),
                Field("agency", Kind.AGENCY, _("Cơ quan, đơn vị")),
                Field("handler", Kind.USER, _("Cán bộ xử lý")),
                MESSAGE,
            ],
            note_internal=True,
        ),
        _t(
            "assign",
            "T7",
            [Status.IN_PROCESSING],
            SAME,
            [OFFICER, HEAD],
            _("Phân công xử lý"),
            "Who holds the current step: a head assigns or reassigns it, an officer takes it for themself (§4.1 T7); "
            "the step and its due moment stay, the event records the hand-over.",
            fields=[Field("handler", Kind.USER, _("Cán bộ xử lý"), required=True), _note(label=INTERNAL_NOTE)],
            note_internal=True,
        ),
        _t(
            "interconnect",
            "T8",
            [Status.IN_PROCESSING],
            SAME,
            [OFFICER, SYSTEM],
            _("Chuyển liên thông"),
            "Sent to or back from another body (§4.1 T8).",
            fields=[
                _note(label=INTERNAL_NOTE),
                Field("partner", Kind.TEXT, _("Cơ quan phối hợp"), required=True, max_length=255),
                Field("back", Kind.BOOL, _("Nhận lại từ cơ quan phối hợp")),
                MESSAGE,
            ],
            substate=Conditional("input:back", ((False, "interconnected"), (True, ""))),
            note_internal=True,
        ),
        _t(
            "request_supplement",
            "T9",
            [Status.IN_PROCESSING],
            Status.SUPPLEMENT_REQUESTED,
            [OFFICER, DESK],
            _("Yêu cầu bổ sung hồ sơ"),
            "Appraisal finds a deficiency; the clock pauses; once per dossier (Decree 118/2025 Art. 11).",
            fields=[_note(required=True), ITEMS, LEGAL_BASIS],
            guards=["supplement_not_requested_yet"],
        ),
        _t(
            "supply_supplement",
            "T10",
            [Status.SUPPLEMENT_REQUESTED],
            SAME,
            [CITIZEN],
            _("Gửi hồ sơ bổ sung"),
            "The applicant sends what the one request listed, online, before the applicant's deadline and once "
            "(§3.2 supplement sub-state, §4.1 T10); the status stays until the desk accepts it (accept_supplement).",
            fields=[
                _note(label=_("Ghi chú gửi Bộ phận Một cửa")),
                # The dossier's SUPPLEMENT files stored in the same transaction (`services.dossier_supplement_supply`).
                Field("files", Kind.IDS, _("Tệp hồ sơ bổ sung")),
            ],
            guards=["supplement_not_supplied_yet", "supplement_before_deadline"],
            substate=SUPPLIED,
        ),
        _t(
            "accept_supplement",
            "T10",
            [Status.SUPPLEMENT_REQUESTED],
            Conditional(_STAGE, (("intake", Status.RECEIVED), ("appraisal", Status.IN_PROCESSING))),
            [DESK],
            _("Nhận hồ sơ bổ sung"),
            "Accepting the completed supplement restarts or continues the clock per the version (§5.6).",
            fields=[_note(), CHECKED_DOCUMENTS],
            substate="",  # no longer "supplied": the supplement is received
        ),
        _t(
            "expire_supplement",
            "T11",
            [Status.SUPPLEMENT_REQUESTED],
            Conditional(_STAGE, (("intake", Status.REFUSED), ("appraisal", Status.STOPPED))),
            [SYSTEM],
            _("Hết hạn bổ sung"),
            "The applicant's deadline passed (Decree 297/2025 Art. 6(4)(a)).",
            fields=[_note()],
            guards=["supplement_deadline_passed"],
        ),
        _t(
            "await_obligation",
            "T12a",
            [Status.IN_PROCESSING],
            Status.AWAITING_FINANCIAL_OBLIGATION,
            [OFFICER, SYSTEM],
            _("Chờ nghĩa vụ tài chính"),
            "Financial obligation notified; excluded time where the version says so (§5.6, §5.9).",
            fields=[_note(), Field("amount", Kind.INT, _("Số tiền (đồng)"), min_value=0)],
        ),
        _t(
            "obligation_met",
            "T12b",
            [Status.AWAITING_FINANCIAL_OBLIGATION],
            Status.IN_PROCESSING,
            [OFFICER, DESK, SYSTEM],
            _("Đã thực hiện nghĩa vụ tài chính"),
            "Proof of payment received (§4.1 T12).",
            fields=[_note()],
        ),
        _t(
            "stop",
            "T13",
            [Status.IN_PROCESSING],
            Status.STOPPED,
            [OFFICER, HEAD, DESK],
            _("Dừng xử lý"),
            "Not eligible after appraisal: a written reply with reasons (§4.1 T13).",
            fields=[_note(required=True), LEGAL_BASIS],
        ),
        _t(
            "withdraw",
            "T14",
            BEFORE_DECISION,
            Status.WITHDRAWN,
            [CITIZEN, DESK],
            _("Rút hồ sơ"),
            "Only while no decision or result exists (Decree 118/2025 Art. 21); the law asks for the request (its date "
            "and channel), not a motive, so a reason is optional.",
            fields=[
                Field("request_date", Kind.DATE, _("Ngày nhận đề nghị rút hồ sơ"), required=True),
                Field(
                    "request_channel",
                    Kind.CHOICE,
                    _("Hình thức đề nghị"),
                    required=True,
                    choices=tuple(RequestChannel.choices),
                ),
                _note(label=_("Lý do (nếu có)")),
                Field("fee_refunded", Kind.BOOL, _("Hoàn trả phí, lệ phí")),
                Field("refund_amount", Kind.INT, _("Số tiền hoàn trả (đồng)"), min_value=0),
                Field("refund_reason", Kind.TEXT, _("Lý do không hoàn trả / ghi chú hoàn trả"), max_length=500),
            ],
            wrong_status=_(
                "Không thể rút hồ sơ: đã có quyết định hoặc kết quả giải quyết (Nghị định 118/2025/NĐ-CP, Điều 21)."
            ),
        ),
        _t(
            "issue_result",
            "T15",
            [Status.IN_PROCESSING],
            Status.RESULT_READY,
            [HEAD],
            _("Ban hành kết quả"),
            "The result is signed and issued, its file kept with its hash and the verification of its digital "
            "signatures (§4.1 T15); the dossier and its steps are classed by date (§5.11).",
            fields=[
                _note(),
                Field("number", Kind.TEXT, _("Số, ký hiệu văn bản kết quả"), required=True, max_length=100),
                Field("signer", Kind.TEXT, _("Người ký"), max_length=255),
                Field("result_type", Kind.TEXT, _("Loại kết quả"), max_length=255),
                Field("result_date", Kind.DATE, _("Ngày ban hành")),
                # Absent: the portal generates the result PDF from its template (dossiers/printing.py). Present: the
                # signed PDF itself; its digital signatures are verified and kept (dossiers/signatures.py).
                Field(
                    "result_file",
                    Kind.FILE,
                    _("Tệp kết quả (PDF đã ký số)"),
                    accept=("application/pdf",),
                    help_text=_("Để trống thì Cổng tạo văn bản kết quả từ mẫu."),
                ),
            ],
        ),
        _t(
            "collect_fee",
            "T16a",
            FEE_PAYABLE,
            SAME,
            [DESK],
            _("Thu phí, lệ phí"),
            'The desk records fees paid at the counter — "thu sau" fees before the result is returned (§4.1 T16, '
            "§3.2); the whole amount due, once.",
            fields=[
                Field("amount", Kind.INT, _("Số tiền đã thu (đồng)"), required=True, min_value=0),
                Field(
                    "payment_method",
                    Kind.CHOICE,
                    _("Hình thức thanh toán"),
                    required=True,
                    choices=tuple(FeePaymentMethod.choices),
                ),
                Field("receipt_number", Kind.TEXT, _("Số biên lai"), required=True, max_length=50),
                _note(),
            ],
            guards=["fees_due"],
        ),
        _t(
            "pay_online",
            "T16a",
            ONLINE_PAYABLE,
            SAME,
            [SYSTEM],
            _("Thanh toán trực tuyến"),
            "The payment platform confirmed an online payment of the whole amount due (§10.2); only the system "
            "records it, once, from a verified notification or the reconciliation (payments/services.py).",
            fields=[
                Field("amount", Kind.INT, _("Số tiền đã thanh toán (đồng)"), required=True, min_value=0),
                Field("provider", Kind.TEXT, _("Nền tảng thanh toán"), required=True, max_length=40),
                Field("transaction_ref", Kind.TEXT, _("Mã tham chiếu giao dịch"), required=True, max_length=64),
                Field("platform_transaction", Kind.TEXT, _("Mã giao dịch của nền tảng"), max_length=64),
                _note(),
            ],
            guards=["fees_due"],
        ),
        _t(
            "post_result",
            "T16b",
            [Status.RESULT_READY],
            SAME,
            [DESK],
            _("Gửi kết quả qua bưu chính"),
            "The desk hands the result to the postal operator; the dossier stays result_ready, sub-state posting, "
            "until the delivery is reported (§3.1, §4.1 T16). Fees collected afterwards come first.",
            fields=[
                Field("postal_operator", Kind.TEXT, _("Doanh nghiệp bưu chính"), required=True, max_length=255),
                Field("tracking_number", Kind.TEXT, _("Mã vận đơn (số hiệu bưu gửi)"), required=True, max_length=64),
                Field("originals_returned", Kind.IDS, _("Bản chính gửi trả kèm kết quả")),
                _note(),
            ],
            guards=["fees_collected", "not_posted_yet"],
            substate=POSTING,
        ),
        _t(
            "return_result",
            "T16",
            [Status.RESULT_READY],
            Status.RETURNED,
            [DESK, SYSTEM],
            _("Trả kết quả"),
            "Handed over at the counter (identity checked), delivered by post, or downloaded online by the owner; fees "
            "collected afterwards come first (§4.1 T16). What each method needs is checked by the handler "
            "(`dossiers.handover.HANDOVER_FIELDS`); the method defaults to the one registered at receipt.",
            fields=[
                Field("method", Kind.CHOICE, _("Hình thức trả kết quả"), choices=tuple(ReturnMethod.choices)),
                Field("receiver_kind", Kind.CHOICE, _("Người nhận là"), choices=tuple(ReceiverKind.choices)),
                Field("receiver", Kind.TEXT, _("Họ tên người nhận kết quả"), max_length=255),
                Field("receiver_id_number", Kind.TEXT, _("Số giấy tờ tùy thân của người nhận"), max_length=40),
                Field("id_checked", Kind.BOOL, _("Đã kiểm tra giấy tờ tùy thân")),
                Field("originals_returned", Kind.IDS, _("Bản chính trả lại")),
                Field("delivered_on", Kind.DATE, _("Ngày phát thành công")),
                Field("tracking_number", Kind.TEXT, _("Mã vận đơn (số hiệu bưu gửi)"), max_length=64),
                Field("file", Kind.INT, _("Tệp kết quả đã tải về"), min_value=1),
                _note(),
            ],
            guards=["fees_collected"],
            substate="",
        ),
        _t(
            "apologise",
            "T17",
            [Status.RECEIVED, Status.IN_PROCESSING, Status.AWAITING_FINANCIAL_OBLIGATION],
            SAME,
            [HEAD],
            _("Xin lỗi và hẹn lại"),
            "Before the due moment, one new date at most (§5.10); after the apology deadline it is flagged late.",
            fields=[
                _note(required=True),
                Field("new_due_at", Kind.DATETIME, _("Thời gian hẹn trả kết quả mới"), required=True),
            ],
            guards=["no_apology_yet", "has_due_moment", "before_due_moment"],
        ),
        _t(
            "recall",
            "T18",
            [Status.RETURNED],
            Status.RESULT_READY,
            [ADMIN],
            _("Thu hồi kết quả đã trả"),
            "A result returned by mistake is recalled by the administrator; both events are kept.",
            fields=[_note(required=True)],
        ),
    ]
}

# Rows that create a dossier instead of changing one (source None): each has its own keyword-only service function
# (`services.dossier_receive_counter`, `dossier_request_supplement_counter`, `dossier_refuse_counter`), never
# `dossier_transition`.
CREATIONS = frozenset(key for key, t in TRANSITIONS.items() if None in t.sources)
