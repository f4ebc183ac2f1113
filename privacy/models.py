"""Data protection records: denied accesses and data-subject requests (docs/privacy.md).

Both are evidence the controller keeps, append-only like the event and read logs (a PostgreSQL trigger refuses
UPDATE and DELETE, privacy/migrations/0001_initial.py): a `DataSubjectRequest` is written once, already answered
or received.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import AppendOnlyQuerySet


class DeniedAccess(models.Model):
    """A request for a dossier (page, file, history, form PDF) the user may not see: "denied: out of scope".

    The answer stays the 404 of a missing object; this row records who asked (user, role, agency, address,
    browser), when (UTC), for what kind of object and which code or id — so probing someone else's dossiers is
    visible to the security officer (docs/security.md check 1). A code that exists nowhere is `not_found`.
    """

    class Reason(models.TextChoices):
        OUT_OF_SCOPE = "out_of_scope", _("ngoài phạm vi được xem")
        NOT_FOUND = "not_found", _("không tồn tại")

    class Kind(models.TextChoices):
        DOSSIER = "dossier", _("hồ sơ")
        FILE = "file", _("tệp hồ sơ")
        HISTORY = "history", _("lịch sử xử lý")
        FORM = "form", _("biểu mẫu (PDF)")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=20, blank=True)
    agency = models.ForeignKey("agencies.Agency", null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    object_kind = models.CharField(max_length=20, choices=Kind.choices)
    object_ref = models.CharField(_("mã hoặc số hiệu được hỏi"), max_length=100)
    # The dossier behind the code when it exists (no constraint: the log must never block anything).
    dossier_id = models.BigIntegerField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True, default="")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("truy cập bị từ chối")
        verbose_name_plural = _("truy cập bị từ chối")
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"denied: {self.reason} {self.object_kind} {self.object_ref} by {self.user_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Nhật ký truy cập bị từ chối chỉ được ghi thêm, không được sửa."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Nhật ký truy cập bị từ chối không được xóa."))


class DataSubjectRequest(models.Model):
    """A citizen's request about their personal data (Decree 356/2025: acknowledged within 2 working days).

    "Export my data" is answered at once by the file itself; erasure of dossiers under retention is refused with
    the legal basis (`settings.PRIVACY_RETENTION_BASIS`). Each request is one row, written already answered.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", _("Tải dữ liệu của tôi")
        ERASURE = "erasure", _("Yêu cầu xóa dữ liệu")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Đã đáp ứng")
        RECEIVED = "received", _("Đã tiếp nhận, đang xử lý")
        REFUSED = "refused", _("Từ chối có căn cứ pháp lý")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(_("loại yêu cầu"), max_length=10, choices=Kind.choices)
    received_at = models.DateTimeField(_("nhận lúc"))
    acknowledge_by = models.DateField(_("hạn xác nhận (2 ngày làm việc)"))
    acknowledged_at = models.DateTimeField(_("xác nhận lúc"))
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices)
    reason = models.TextField(_("lý do của người dân"), blank=True)
    answer = models.TextField(_("trả lời"), blank=True)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=500, blank=True)
    # What the answer covered: the dossier codes exported or kept, and the export's SHA-256.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("yêu cầu của chủ thể dữ liệu")
        verbose_name_plural = _("yêu cầu của chủ thể dữ liệu")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__gte=models.F("received_at")),
                name="privacy_request_acknowledged_after_received",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id} {self.received_at:%Y-%m-%d}"
