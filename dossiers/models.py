"""Dossiers (hồ sơ TTHC): the applicant, the dossier with its frozen deadline inputs, documents and files,
process steps, pauses, due adjustments, the supplement request, the apology, and the append-only event log.

Rules: docs/domain.md §3–§7 (Decree 118/2025, Circular 03/2025). Only `dossiers.services` writes a status.
"""

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from dossiers.audit import event_digest
from dossiers.workflow import SUPPLIED, ReceiverKind, ReturnMethod, Status  # ReturnMethod is re-exported
from workcalendar.calendar import LOCAL_TZ

OPEN_STATUSES = (
    Status.SUBMITTED,
    Status.RECEIVED,
    Status.IN_PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.AWAITING_FINANCIAL_OBLIGATION,
    Status.RESULT_READY,
)
RUNNING_STATUSES = (Status.RECEIVED, Status.IN_PROCESSING)
# Received and not yet resolved (§9.2 "in progress"): the dashboard's live figures (stats/live.py).
IN_PROGRESS_STATUSES = (*RUNNING_STATUSES, Status.SUPPLEMENT_REQUESTED, Status.AWAITING_FINANCIAL_OBLIGATION)


class Channel(models.IntegerChoices):
    """Kênh nộp hồ sơ; the same codes travel in the national sync payload (§3.1)."""

    COUNTER = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POSTAL = 3, _("Qua bưu chính công ích")


class ApplicantKind(models.IntegerChoices):
    INDIVIDUAL = 1, _("Công dân")
    ENTERPRISE = 2, _("Doanh nghiệp")
    STATE_BODY = 3, _("Cơ quan nhà nước")
    OTHER = 4, _("Tổ chức khác")


class IdDocumentType(models.TextChoices):
    PERSONAL_ID = "cccd", _("Căn cước / số định danh cá nhân")
    PASSPORT = "passport", _("Hộ chiếu")
    ENTERPRISE_CODE = "enterprise", _("Mã số doanh nghiệp")
    TAX_CODE = "tax", _("Mã số thuế")
    OTHER = "other", _("Giấy tờ khác")


class ClockState(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa tính thời gian")
    RUNNING = "running", _("Đang tính thời gian")
    PAUSED = "paused", _("Tạm dừng tính thời gian")
    STOPPED = "stopped", _("Đã dừng tính thời gian")


class Outcome(models.TextChoices):
    """Trước hạn / đúng hạn / quá hạn, compared by local date (§5.11)."""

    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")


def outcome_by_date(finished, due) -> str:
    """Trước hạn / đúng hạn / quá hạn: local date of completion against the due date (§5.11); no due → on time."""
    if due is None:
        return Outcome.ON_TIME
    done, limit = finished.astimezone(LOCAL_TZ).date(), due.astimezone(LOCAL_TZ).date()
    if done < limit:
        return Outcome.EARLY
    return Outcome.ON_TIME if done == limit else Outcome.LATE


class FeeMode(models.TextChoices):
    BEFORE = "before", _("Thu trước")
    AFTER = "after", _("Thu sau")
    EXEMPT = "exempt", _("Đối tượng miễn phí")
    NONE = "none", _("Không thu phí")


class PaymentState(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Không phải nộp")
    PENDING = "pending", _("Chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    CANCELLED = "cancelled", _("Hủy thanh toán")
    REFUNDED = "refunded", _("Đã hoàn phí")


class Applicant(models.Model):
    """Tổ chức, cá nhân (chủ hồ sơ): who the dossier is for; linked to a citizen account when there is one."""

    kind = models.PositiveSmallIntegerField(_("loại đối tượng"), choices=ApplicantKind.choices)
    name = models.CharField(_("họ tên / tên tổ chức"), max_length=255)
    tax_code = models.CharField(_("mã số thuế"), max_length=20, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="applicants",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("chủ hồ sơ")
        verbose_name_plural = _("chủ hồ sơ")
        # phone: the desk's exact search by phone number (desk/selectors_queue.py). Its search by the start of a
        # name uses `applicant_name_prefix` on upper(name) text_pattern_ops, built on PostgreSQL only by migration
        # dossiers/0010 (an operator class Django's SQLite cannot build), so it is not declared here.
        indexes = [models.Index(fields=["user"]), models.Index(fields=["phone"], name="applicant_phone")]

    def __str__(self) -> str:
        return self.name


class ApplicantIdentity(models.Model):
    """An identity document of an applicant (several allowed): type and number (DinhDanhCHS)."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="identities")
    doc_type = models.CharField(_("loại giấy tờ"), max_length=20, choices=IdDocumentType.choices)
    number = models.CharField(_("số giấy tờ"), max_length=40)

    class Meta:
        verbose_name = _("giấy tờ định danh")
        verbose_name_plural = _("giấy tờ định danh")
        constraints = [
            models.UniqueConstraint(fields=["applicant", "doc_type", "number"], name="applicant_identity_unique")
        ]
        indexes = [models.Index(fields=["number"])]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.number}"


class CodeCounter(models.Model):
    """The daily dossier sequence per agency (§7.1): a locked row bumped in the dossier transaction."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "day"], name="code_counter_unique_agency_day")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day:%y%m%d} #{self.last}"


class DeletionRefused(PermissionDenied):
    """A dossier or its history was asked to be deleted: they are evidence and are kept (docs/adr/0004).

    A `PermissionDenied`, so a view that lets it through answers 403 rather than 500.
    """


def _refuse_dossier_deletion(label: str = ""):
    if not label:
        raise DeletionRefused(_("Không được xóa hồ sơ: hồ sơ và nhật ký xử lý là chứng cứ, được lưu giữ vĩnh viễn."))
    raise DeletionRefused(
        _("Không được xóa hồ sơ {label}: hồ sơ và nhật ký xử lý là chứng cứ, được lưu giữ vĩnh viễn.").format(
            label=label
        )
    )


class DossierQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def delete(self):
        """Refused for every dossier: a bulk delete (admin action, shell, data migration) never erases history."""
        _refuse_dossier_deletion()


class AppendOnlyQuerySet(models.QuerySet):
    """For the event log and the read log: rows are only inserted (the database triggers say the same)."""

    def update(self, **kwargs):
        raise ValidationError(_("Nhật ký chỉ được ghi thêm, không được sửa."))

    def delete(self):
        raise ValidationError(_("Nhật ký không được xóa."))


class DossierEventQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # bulk_create skips save(), so the rows would carry no chain; bulk writers (the demo seeder's COPY)
        # compute prev_hash/digest themselves with dossiers.audit.event_digest.
        raise NotImplementedError("DossierEvent rows are chained in save(); create them one by one.")


_STATUS_LABELS = dict(Status.choices)
_CHANNEL_LABELS = dict(Channel.choices)


class Dossier(models.Model):
    """A dossier under one procedure version, with its status, frozen deadline inputs and moments.

    `original_due_at` is set once at receipt and never overwritten; `current_due_at` moves only through
    `DueAdjustment` rows (§5.6); "late" is derived from dates, `is_overdue` is a cache for lists (§5.12).
    """

    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True, null=True, blank=True)
    external_code = models.CharField(_("mã hồ sơ ở hệ thống khác"), max_length=64, blank=True)
    procedure_version = models.ForeignKey(
        "procedures.ProcedureVersion",
        verbose_name=_("thủ tục (phiên bản)"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    applicant = models.ForeignKey(
        Applicant, verbose_name=_("chủ hồ sơ"), on_delete=models.PROTECT, related_name="dossiers"
    )
    representative = models.ForeignKey(
        Applicant,
        verbose_name=_("người được ủy quyền"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="represented_dossiers",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản nộp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="dossiers",
    )
    receiving_agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan tiếp nhận"), on_delete=models.PROTECT, related_name="+"
    )
    desk = models.ForeignKey(
        "agencies.OneStopDesk",
        verbose_name=_("bộ phận một cửa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    processing_agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("cơ quan giải quyết"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.PositiveSmallIntegerField(_("kênh nộp"), choices=Channel.choices)
    summary = models.CharField(_("trích yếu"), max_length=1000, blank=True)
    sets_count = models.PositiveSmallIntegerField(_("số bộ hồ sơ"), default=1)

    status = models.CharField(_("trạng thái"), max_length=32, choices=Status.choices, default=Status.DRAFT)
    substate = models.CharField(_("trạng thái phụ"), max_length=20, blank=True)
    clock_state = models.CharField(
        _("tính thời gian"), max_length=12, choices=ClockState.choices, default=ClockState.NOT_STARTED
    )
    revision = models.PositiveIntegerField(_("lần thay đổi"), default=0)

    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    # The owner's level of electronic identification at online submission (T1, docs/vneid.md); None off line.
    loa = models.PositiveSmallIntegerField(_("mức độ định danh điện tử khi nộp"), null=True, blank=True)
    acceptance_due_at = models.DateTimeField(_("hạn tiếp nhận"), null=True, blank=True)
    late_acceptance = models.BooleanField(_("tiếp nhận muộn"), default=False)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    original_due_at = models.DateTimeField(_("hẹn trả ban đầu"), null=True, blank=True)
    current_due_at = models.DateTimeField(_("hẹn trả hiện hành"), null=True, blank=True)
    rescheduled_due_at = models.DateTimeField(_("hẹn trả lại (xin lỗi)"), null=True, blank=True)
    apology_deadline = models.DateField(_("hạn gửi văn bản xin lỗi"), null=True, blank=True)
    completed_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    returned_at = models.DateTimeField(_("trả kết quả lúc"), null=True, blank=True)
    refused_at = models.DateTimeField(_("từ chối lúc"), null=True, blank=True)
    outcome = models.CharField(_("kết quả đúng hạn"), max_length=10, choices=Outcome.choices, blank=True)
    is_overdue = models.BooleanField(_("quá hạn"), default=False)
    overdue_since = models.DateField(_("quá hạn từ"), null=True, blank=True)

    # Deadline inputs frozen at receipt (§4.3): what computed `original_due_at`.
    duration_unit = models.CharField(_("đơn vị thời hạn"), max_length=20, blank=True)
    duration_value = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    duration_parts = models.JSONField(default=list, blank=True)
    cutoff_time = models.TimeField(null=True, blank=True)
    calendar_version = models.PositiveIntegerField(null=True, blank=True)

    current_step = models.ForeignKey("DossierStep", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    current_handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_dossiers",
    )

    fee_mode = models.CharField(_("hình thức thu phí"), max_length=10, choices=FeeMode.choices, default=FeeMode.NONE)
    payment_state = models.CharField(
        _("thanh toán"), max_length=14, choices=PaymentState.choices, default=PaymentState.NOT_REQUIRED
    )
    return_method = models.CharField(
        _("hình thức nhận kết quả"), max_length=10, choices=ReturnMethod.choices, default=ReturnMethod.COUNTER
    )
    result_number = models.CharField(_("số văn bản kết quả"), max_length=100, blank=True)
    result_date = models.DateField(_("ngày ký kết quả"), null=True, blank=True)
    result_signer = models.CharField(_("người ký"), max_length=150, blank=True)
    result_type = models.CharField(_("loại kết quả"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    client_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    # The online wizard's draft (citizen/views_wizard.py, dossiers/drafts.py): the chosen case, the step the
    # citizen reached (so another device resumes there) and the postal address for a result sent by post.
    case = models.ForeignKey(
        "procedures.ProcedureCase",
        verbose_name=_("trường hợp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    wizard_step = models.CharField(_("bước đang khai"), max_length=20, blank=True)
    delivery_address = models.CharField(_("địa chỉ nhận kết quả qua bưu chính"), max_length=255, blank=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["receiving_agency", "status"]),
            models.Index(fields=["processing_agency", "status"]),
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["status", "current_due_at"]),
            models.Index(fields=["received_at"]),
            models.Index(fields=["procedure_version"]),
            models.Index(
                fields=["current_due_at"],
                name="dossier_open_running_due",
                condition=Q(status__in=RUNNING_STATUSES, is_overdue=False),
            ),
            # The late-acceptance job (dossiers/jobs.py): submitted dossiers not yet flagged, by acceptance deadline.
            models.Index(
                fields=["acceptance_due_at"],
                name="dossier_acceptance_not_late",
                condition=Q(status=Status.SUBMITTED, late_acceptance=False),
            ),
            # The result-not-collected job: ready results by completion moment, across agencies.
            models.Index(
                fields=["completed_at"],
                name="dossier_result_ready_since",
                condition=Q(status=Status.RESULT_READY),
            ),
            # The desk's queue (desk/selectors_queue.py): each section is one range of its own partial index, in
            # the section's order, so a section reads its page and a capped count reads index entries only.
            models.Index(
                fields=["receiving_agency", "acceptance_due_at", "id"],
                name="dossier_desk_waiting",
                condition=Q(status=Status.SUBMITTED),
            ),
            models.Index(
                fields=["receiving_agency", "completed_at", "id"],
                name="dossier_desk_result_ready",
                condition=Q(status=Status.RESULT_READY),
            ),
            # Answered supplements waiting for the desk (T10): the agency's few, each sorted by its request's
            # answer moment (the order's column is on SupplementRequest, migration 0014).
            models.Index(
                fields=["receiving_agency", "id"],
                name="dossier_desk_supplied",
                condition=Q(status=Status.SUPPLEMENT_REQUESTED, substate=SUPPLIED),
            ),
            models.Index(
                fields=["receiving_agency", "current_due_at", "id"],
                name="dossier_desk_open_due",
                condition=Q(status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["receiving_agency", "current_due_at", "id"],
                name="dossier_desk_running_due",
                condition=Q(status__in=RUNNING_STATUSES),
            ),
            # Its search by the start of a name: the agency's dossiers newest first.
            models.Index(fields=["receiving_agency", "-id"], name="dossier_desk_newest"),
            # The officers' inbox counts its states by probing these for each open step (desk/selectors_inbox.py):
            # is it the current step of a dossier whose clock runs (and when is that dossier due), or is paused.
            models.Index(
                fields=["current_step", "current_due_at"],
                name="dossier_current_step_running",
                condition=Q(current_step__isnull=False) & ~Q(clock_state=ClockState.PAUSED),
            ),
            models.Index(
                fields=["current_step"], name="dossier_current_step_paused", condition=Q(clock_state=ClockState.PAUSED)
            ),
            # The dashboard's live figures (stats/live.py): in progress and overdue now per handling agency (the
            # roll-up's key), procedure version and channel, counted from the index entries alone (index-only scan).
            models.Index(
                Coalesce("processing_agency", "receiving_agency"),
                "status",
                "current_due_at",
                include=["processing_agency", "receiving_agency", "procedure_version", "channel"],
                name="dossier_live_handler",
                condition=Q(status__in=IN_PROGRESS_STATUSES),
            ),
            # The dashboard's drill-down (stats/dashboard.py): the dossiers resolved, refused or returned in a period,
            # newest first, one keyset page at a time; the roll-up's refresh (stats/services.py) selects the same day
            # ranges — one index range each instead of a scan of the table (docs/statistics.md "Cost").
            models.Index(
                fields=["completed_at", "id"], name="dossier_completed", condition=Q(completed_at__isnull=False)
            ),
            models.Index(fields=["refused_at", "id"], name="dossier_refused", condition=Q(refused_at__isnull=False)),
            models.Index(fields=["returned_at", "id"], name="dossier_returned", condition=Q(returned_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.code or _("(hồ sơ chưa có mã)")

    # Lists print these on every row. Django's generic get_FOO_display hashes every choice of the field on each call
    # (one translation per lazy label); a lookup by value translates the one label shown.
    def get_status_display(self) -> str:
        return str(_STATUS_LABELS.get(self.status, self.status))

    def get_channel_display(self) -> str:
        return str(_CHANNEL_LABELS.get(self.channel, self.channel))

    def delete(self, *args, **kwargs):
        """Refused: a dossier, even a draft, is never deleted; it ends in a status (withdrawn, refused…)."""
        _refuse_dossier_deletion(self.code or f"#{self.pk}")


class DocumentForm(models.TextChoices):
    ORIGINAL = "original", _("Bản chính")
    COPY = "copy", _("Bản sao")
    CERTIFIED = "certified", _("Bản sao chứng thực")
    PHOTO = "photo", _("Bản chụp")


class Digitisation(models.IntegerChoices):
    NOT_DIGITISED = 0, _("Chưa số hóa")
    DIGITISED = 1, _("Đã số hóa")
    REUSED = 2, _("Tái sử dụng")
    REUSED_RESULT = 3, _("Tái sử dụng từ kết quả hồ sơ khác")


class DossierDocument(models.Model):
    """A component of the dossier, per required document of the procedure version (§6.2 receipt table)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="documents")
    required_document = models.ForeignKey(
        "procedures.RequiredDocument", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.TextField(_("tên giấy tờ"))
    form = models.CharField(_("hình thức"), max_length=10, choices=DocumentForm.choices, default=DocumentForm.COPY)
    count = models.PositiveSmallIntegerField(_("số lượng"), default=1)
    checked = models.BooleanField(_("đã kiểm tra"), default=False)
    digitisation = models.PositiveSmallIntegerField(
        _("số hóa"), choices=Digitisation.choices, default=Digitisation.NOT_DIGITISED
    )

    class Meta:
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name[:80]


class DossierFile(models.Model):
    """An uploaded file, stored under a generated name through Django's storage, with its SHA-256."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="files")
    document = models.ForeignKey(DossierDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="files")

    class Kind(models.TextChoices):
        COMPONENT = "component", _("Thành phần hồ sơ")
        SUPPLEMENT = "supplement", _("Hồ sơ bổ sung")
        RESULT = "result", _("Kết quả giải quyết")

    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices, default=Kind.COMPONENT)
    file = models.FileField(_("tệp"), upload_to="dossiers/%Y/%m/")
    original_name = models.CharField(_("tên tệp gốc"), max_length=255)
    content_type = models.CharField(_("loại tệp"), max_length=100)
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class ScanStatus(models.TextChoices):
        """The malware scan (dossiers/scanning.py): only a clean file is ever served (docs/uploads.md)."""

        PENDING = "pending", _("Đang chờ quét virus")
        CLEAN = "clean", _("Đã quét virus")
        INFECTED = "infected", _("Nhiễm mã độc, đã xóa")

    # A row written by anything else than dossiers.files starts as waiting: never served before a scan says clean.
    scan_status = models.CharField(
        _("quét virus"), max_length=10, choices=ScanStatus.choices, default=ScanStatus.PENDING
    )
    scanned_at = models.DateTimeField(_("quét lúc"), null=True, blank=True)
    # The signature the scanner named, for an INFECTED row (its stored object is deleted).
    scan_signature = models.CharField(_("mã độc"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("tệp hồ sơ")
        verbose_name_plural = _("tệp hồ sơ")
        indexes = [
            # The rescan job's selection: the few files waiting for the scanner.
            models.Index(
                fields=["uploaded_at"], name="dossier_file_scan_pending", condition=models.Q(scan_status="pending")
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class ResultSignature(models.Model):
    """A digital signature found in a result file, as verified when the result was issued (T15, docs/domain.md
    §4.1): signer, signing time, integrity and trust, kept so the page shows what was checked then.

    A result file without rows is not digitally signed ("Chưa ký số"). Written by `dossiers.services` only.
    """

    file = models.ForeignKey(DossierFile, on_delete=models.PROTECT, related_name="signatures")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=1)
    field_name = models.CharField(_("trường chữ ký"), max_length=255, blank=True)
    signer = models.CharField(_("người ký (CN)"), max_length=255, blank=True)
    signed_at = models.DateTimeField(_("thời điểm ký"), null=True, blank=True)
    intact = models.BooleanField(_("toàn vẹn"))
    covers_whole = models.BooleanField(_("bao phủ toàn bộ tệp"))
    trusted = models.BooleanField(_("chuỗi chứng thư tin cậy"))
    summary = models.CharField(_("kết quả kiểm tra"), max_length=255, blank=True)
    verified_at = models.DateTimeField(_("kiểm tra lúc"))

    class Meta:
        verbose_name = _("chữ ký số trên kết quả")
        verbose_name_plural = _("chữ ký số trên kết quả")
        ordering = ["file", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["file", "order"], name="result_signature_file_order")]

    def __str__(self) -> str:
        return f"{self.signer} — {self.integrity_label}"

    @property
    def valid(self) -> bool:
        """The document is exactly what was signed: intact, and nothing added after the signature."""
        return self.intact and self.covers_whole

    @property
    def integrity_label(self) -> str:
        if not self.intact:
            return _("Tài liệu đã bị thay đổi sau khi ký")
        if not self.covers_whole:
            return _("Chữ ký không bao phủ toàn bộ tệp")
        return _("Nguyên vẹn")

    @property
    def trust_label(self) -> str:
        return _("Chứng thư số tin cậy") if self.trusted else _("Chưa xác thực được chuỗi chứng thư số")


class DossierStep(models.Model):
    """A step of the internal process with its due moment from its budget and its outcome (§5.7)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=255)
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(_("bắt đầu"))
    due_at = models.DateTimeField(_("hạn bước"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices, blank=True)
    is_late = models.BooleanField(default=False)
    # The dossier's clock is paused while this step is its open current step (§5.6): a copy of `Dossier.clock_state`
    # kept by the engine (services.dossier_transition) so that the inbox's states are ranges of one index of steps,
    # where reading the clock on the dossier cost one probe per open step. False once the step is finished.
    paused = models.BooleanField(default=False)
    # Working minutes the step used beyond its budget, paused time left out (set when it finishes, §5.6–5.7; the
    # "why late" figures, docs/statistics.md): 0 within budget; NULL while open, without a due moment, or when a
    # withdrawal closed it (not judged).
    overrun_minutes = models.PositiveIntegerField(_("số phút vượt định mức"), null=True, blank=True)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["dossier", "order", "id"]
        indexes = [
            models.Index(fields=["due_at"], name="dossier_step_open_due", condition=Q(finished_at__isnull=True)),
            # The late-steps job (dossiers/jobs.py): open running steps not yet flagged, by due moment.
            models.Index(
                fields=["due_at"],
                name="dossier_step_not_late_due",
                condition=Q(finished_at__isnull=True, paused=False, is_late=False),
            ),
            # The officers' inbox (/work/): an agency's open steps by due moment.
            models.Index(
                fields=["agency", "due_at"], name="dossier_step_open_agency_due", condition=Q(finished_at__isnull=True)
            ),
            # Its "mine" tab: one officer's open steps by due moment.
            models.Index(
                fields=["handler", "due_at"],
                name="dossier_step_open_handler_due",
                condition=Q(finished_at__isnull=True),
            ),
            # The inbox's states and their counts: an agency's (or an officer's) open steps, running or paused, by
            # due moment — each state a range of one of these.
            models.Index(
                fields=["agency", "paused", "due_at"],
                name="dossier_step_agency_state",
                condition=Q(finished_at__isnull=True),
            ),
            models.Index(
                fields=["handler", "paused", "due_at"],
                name="dossier_step_handler_state",
                condition=Q(finished_at__isnull=True),
            ),
            # Why late (stats/lateness.py): an agency's steps that overran their budget, by finish moment — a few
            # per cent of the steps, so the index stays small.
            models.Index(
                fields=["agency", "finished_at"], name="dossier_step_overrun", condition=Q(overrun_minutes__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PauseKind(models.TextChoices):
    SUPPLEMENT = "supplement", _("Bổ sung hồ sơ")
    FINANCIAL_OBLIGATION = "financial_obligation", _("Thực hiện nghĩa vụ tài chính")
    VERIFICATION = "verification", _("Xác minh")
    CONSULTATION = "consultation", _("Lấy ý kiến")
    OTHER_AGENCY = "other_agency", _("Cơ quan khác xử lý")
    OTHER = "other", _("Khác")


class DossierPause(models.Model):
    """An interval during which the clock does not run (§5.6)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="pauses")
    kind = models.CharField(_("loại"), max_length=24, choices=PauseKind.choices)
    started_at = models.DateTimeField(_("bắt đầu"))
    ended_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("thời gian tạm dừng")
        verbose_name_plural = _("thời gian tạm dừng")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(ended_at__isnull=True), name="dossier_one_open_pause"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%d/%m/%Y}"


class DueAdjustment(models.Model):
    """Every change of `current_due_at`, with both values and its reason (never an overwrite, §5.6)."""

    class Kind(models.TextChoices):
        RECEIPT = "receipt", _("Hẹn trả khi tiếp nhận")
        RESTART = "restart", _("Tính lại sau bổ sung")
        CONTINUE = "continue", _("Tính tiếp sau tạm dừng")
        CORRECTION = "correction", _("Điều chỉnh có kiểm soát")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="adjustments")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    pause = models.ForeignKey(DossierPause, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    previous_due_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(null=True, blank=True)
    remaining = models.CharField(max_length=40, blank=True)
    reason = models.TextField(blank=True)
    legal_basis = models.CharField(max_length=255, blank=True)
    calendar_version = models.PositiveIntegerField(null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dossier", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.new_due_at}"


class SupplementStage(models.TextChoices):
    INTAKE = "intake", _("Khi tiếp nhận")
    APPRAISAL = "appraisal", _("Khi thẩm định")


class SupplementRequest(models.Model):
    """The one request to supplement a dossier, listing everything missing (Decree 118/2025 Art. 11).

    The unique constraint on `dossier` is what makes a second request impossible, even under a race.
    """

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="supplement_request")
    stage = models.CharField(max_length=10, choices=SupplementStage.choices)
    items = models.JSONField(_("nội dung cần bổ sung"))
    reason = models.TextField(_("lý do"))
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255, blank=True)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    applicant_deadline = models.DateTimeField(_("hạn bổ sung"))
    supplied_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    previous_due_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.dossier} — {self.get_stage_display()}"


class Apology(models.Model):
    """The apology with one new appointment (§5.10); the official due date is not changed."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="apology")
    reason = models.TextField(_("lý do"))
    new_due_at = models.DateTimeField(_("thời gian hẹn trả mới"))
    issued_at = models.DateTimeField()
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    is_late = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.dossier} → {self.new_due_at}"


class ResultHandover(models.Model):
    """How a result reached the applicant (T16, docs/domain.md §4.1): at the counter to a checked person, delivered
    by post, or downloaded online — what the handover record prints. The event log keeps the same facts with the ID
    number masked; a recalled result (T18) keeps its row and a later return adds another."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="handovers")
    method = models.CharField(_("hình thức trả kết quả"), max_length=10, choices=ReturnMethod.choices)
    receiver_kind = models.CharField(_("người nhận là"), max_length=24, choices=ReceiverKind.choices, blank=True)
    receiver = models.CharField(_("người nhận kết quả"), max_length=255, blank=True)
    receiver_id_number = models.CharField(_("số giấy tờ tùy thân"), max_length=40, blank=True)
    id_checked = models.BooleanField(_("đã kiểm tra giấy tờ tùy thân"), default=False)
    # The originals handed back, as they were named then: [{"id": …, "name": …, "count": …}].
    originals_returned = models.JSONField(_("bản chính trả lại"), default=list, blank=True)
    postal_operator = models.CharField(_("doanh nghiệp bưu chính"), max_length=255, blank=True)
    tracking_number = models.CharField(_("mã vận đơn"), max_length=64, blank=True)
    posted_at = models.DateTimeField(_("gửi bưu chính lúc"), null=True, blank=True)
    delivered_on = models.DateField(_("ngày phát thành công"), null=True, blank=True)
    file = models.ForeignKey(
        "DossierFile", verbose_name=_("tệp kết quả"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_over_at = models.DateTimeField(_("trả kết quả lúc"))
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trả kết quả"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("giao nhận kết quả")
        verbose_name_plural = _("giao nhận kết quả")
        indexes = [models.Index(fields=["dossier", "-handed_over_at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.get_method_display()} {self.handed_over_at:%d/%m/%Y}"


class FileReuse(models.Model):
    """A file copied from one of the citizen's own earlier dossiers into a draft ("kho dữ liệu của tôi"): reusing
    personal data for a new purpose is logged — source, target, who and why (docs/domain.md §11)."""

    source_dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    source_file = models.ForeignKey("DossierFile", on_delete=models.PROTECT, related_name="reuses")
    target_dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="file_reuses")
    target_file = models.OneToOneField("DossierFile", on_delete=models.PROTECT, related_name="reused_from")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("mục đích"), max_length=255)
    at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("tái sử dụng tệp")
        verbose_name_plural = _("tái sử dụng tệp")
        indexes = [models.Index(fields=["target_dossier", "at"])]

    def __str__(self) -> str:
        return f"{self.source_file_id} → {self.target_dossier_id}"


class FeeLine(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="fee_lines")
    name = models.CharField(max_length=255)
    amount = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class DossierEvent(models.Model):
    """One row of the append-only event log — the data behind the process control sheet (§4.1).

    Rows are never updated or deleted; a correction is a new event (§4.2). PostgreSQL triggers refuse UPDATE and
    DELETE, and each row is chained to the previous event of its dossier by SHA-256 (`dossiers.audit`), so an edit
    made behind the triggers' back is found by `manage.py audit_verify`.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("thao tác"), max_length=40)
    # PROTECT, not SET_NULL: clearing the actor would be an UPDATE, which the table's trigger refuses.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_role = models.CharField(_("vai trò"), max_length=20, blank=True)
    at = models.DateTimeField(_("thời điểm"))
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    visible_to_citizen = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)
    # Hash chain per dossier (dossiers/audit.py): the previous event's digest and this event's own.
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    digest = models.CharField(max_length=64, blank=True, default="")

    objects = DossierEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký hồ sơ")
        verbose_name_plural = _("nhật ký hồ sơ")
        ordering = ["dossier", "at", "id"]
        indexes = [models.Index(fields=["dossier", "at"])]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.action} {self.at}"

    def save(self, *args, **kwargs):
        """Insert only, linking the row to the chain: the caller holds the dossier's row lock (every service does),
        so the previous digest read here is still the last one when the row is written."""
        if self.pk is not None:
            raise ValidationError(_("Nhật ký hồ sơ chỉ được ghi thêm, không được sửa."))
        self.prev_hash = (
            DossierEvent.objects.filter(dossier_id=self.dossier_id)
            .order_by("-id")
            .values_list("digest", flat=True)
            .first()
        ) or ""
        self.digest = self.compute_digest()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Nhật ký hồ sơ không được xóa."))

    def compute_digest(self) -> str:
        """`event_digest` of this row as the database will give it back (JSON data normalised by a round trip)."""
        encoder = self._meta.get_field("data").encoder
        return event_digest(
            dossier_id=self.dossier_id,
            action=self.action,
            actor_id=self.actor_id,
            actor_role=self.actor_role,
            at=self.at,
            from_status=self.from_status,
            to_status=self.to_status,
            note=self.note,
            visible_to_citizen=self.visible_to_citizen,
            data=json.loads(json.dumps(self.data, cls=encoder)),
            prev_hash=self.prev_hash,
        )

    @property
    def to_status_label(self) -> str:
        return Status(self.to_status).label if self.to_status else ""

    @property
    def action_label(self) -> str:
        """The action in words, as the transition table names it ("Chuyển bước xử lý"); the key if it names none."""
        from dossiers.workflow import TRANSITIONS  # the table imports this module's choices

        transition = TRANSITIONS.get(self.action)
        return str(transition.label) if transition else self.action

    @property
    def step_result_label(self) -> str:
        """The officer's finding on the step that ended (T7 `step_result`), in words."""
        from dossiers.workflow import STEP_RESULT

        value = (self.data or {}).get("step_result", "")
        return str(dict(STEP_RESULT.choices).get(value, value))

    @property
    def public_note(self) -> str:
        """What the applicant reads of this event: the note, or for an action whose note is internal (routing,
        appraisal) only the message written for them (`workflow.Transition.note_internal`)."""
        from dossiers.workflow import TRANSITIONS

        transition = TRANSITIONS.get(self.action)
        if transition is not None and transition.note_internal:
            return (self.data or {}).get("message", "")
        return self.note


class PersonalDataAccess(models.Model):
    """Every staff read of a dossier's personal data (Law 91/2025; shown to the citizen by unit): who, role, agency,
    when, why, from which address and browser. Append-only like the event log (a trigger refuses UPDATE/DELETE)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="data_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, blank=True)
    agency = models.ForeignKey("agencies.Agency", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    purpose = models.CharField(max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["dossier", "at"])]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.dossier_id} {self.at}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Nhật ký truy cập dữ liệu cá nhân chỉ được ghi thêm, không được sửa."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Nhật ký truy cập dữ liệu cá nhân không được xóa."))


class RegisterCounter(models.Model):
    """The desk's tracking register for one year (Sổ theo dõi hồ sơ, form 07): its book number and last entry.

    One row per (desk, local year), bumped by one statement in the receipt's transaction (dossiers/numbering.py),
    so entries are consecutive and restart at 1 on 1 January (docs/domain.md §6.1, §6.2).
    """

    desk = models.ForeignKey("agencies.OneStopDesk", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    book = models.PositiveSmallIntegerField(_("quyển số"), default=1)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("quyển sổ theo dõi hồ sơ")
        verbose_name_plural = _("quyển sổ theo dõi hồ sơ")
        constraints = [models.UniqueConstraint(fields=["desk", "year"], name="register_counter_unique_desk_year")]

    def __str__(self) -> str:
        return f"{self.desk_id} {self.year} Q{self.book} #{self.last}"


class RegisterEntry(models.Model):
    """The line a received dossier takes in the desk's tracking register: "Quyển số …, Số thứ tự …" (§6.2)."""

    dossier = models.OneToOneField(Dossier, on_delete=models.PROTECT, related_name="register_entry")
    desk = models.ForeignKey("agencies.OneStopDesk", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    book = models.PositiveSmallIntegerField(_("quyển số"))
    number = models.PositiveIntegerField(_("số thứ tự"))
    entered_at = models.DateTimeField(_("vào sổ lúc"))

    class Meta:
        verbose_name = _("số thứ tự trong sổ theo dõi hồ sơ")
        verbose_name_plural = _("số thứ tự trong sổ theo dõi hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["desk", "year", "number"], name="register_entry_unique_desk_year_number")
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.book} #{self.number}"


class DocumentCounter(models.Model):
    """The last number one issuing body gave a form in one year (docs/domain.md §6.1): bumped like `CodeCounter`."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    form_key = models.CharField(_("mẫu"), max_length=20)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "year", "form_key"], name="document_counter_unique_agency_year_form"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.form_key} #{self.last}"


class DocumentNumber(models.Model):
    """The number and symbol printed as "Số: 12/HDHS" on a form issued for a dossier (Decree 30/2020 Art. 8).

    One per dossier and form; consecutive per issuing body, form and year (dossiers/numbering.py).
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="document_numbers")
    form_key = models.CharField(_("mẫu"), max_length=20)
    number = models.PositiveIntegerField(_("số"))
    symbol = models.CharField(_("ký hiệu"), max_length=40)
    year = models.PositiveSmallIntegerField(_("năm"))
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan ban hành"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("ban hành lúc"))

    class Meta:
        verbose_name = _("số văn bản")
        verbose_name_plural = _("số văn bản")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "form_key"], name="document_number_unique_dossier_form"),
            models.UniqueConstraint(
                fields=["agency", "year", "form_key", "number"], name="document_number_unique_agency_year_form_number"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """Number, slash, symbol — "12/HDHS" — as Decree 30/2020 Appendix I writes it."""
        return f"{self.number}/{self.symbol}"


class JobMarker(models.Model):
    """That a beat job (§5.12, dossiers/jobs.py) has acted on a dossier for one threshold.

    The unique constraint, not a check, makes a rerun or a second worker's concurrent run a no-op: each job inserts
    its markers with `INSERT … SELECT … ON CONFLICT DO NOTHING`, and only the rows of its own run (`run`) lead to
    notifications. `threshold` is the moment the selection crossed (the due moment, the acceptance deadline, the
    completion…): a new due moment is a new threshold and is reported again.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    threshold = models.DateTimeField()
    run = models.CharField(max_length=32)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mốc tác vụ định kỳ")
        verbose_name_plural = _("mốc tác vụ định kỳ")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind", "threshold"], name="job_marker_once"),
        ]
        indexes = [models.Index(fields=["run", "kind"], name="job_marker_run")]

    def __str__(self) -> str:
        return f"{self.kind} {self.dossier_id} {self.threshold:%Y-%m-%d %H:%M}"
