"""Online payments of a dossier's fees through a payment platform (docs/domain.md §10.2).

A payment row follows one attempt: init → pending (the applicant is at the platform) → paid, failed or cancelled.
The dossier's own payment state changes only through the engine (`pay_online`, dossiers/workflow.py); this row is
the platform's side of it, keyed by the reference sent to the platform (`MaThamChieu`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    INIT = "init", _("Khởi tạo")
    PENDING = "pending", _("Đang chờ thanh toán")
    PAID = "paid", _("Đã thanh toán")
    FAILED = "failed", _("Không thành công")
    CANCELLED = "cancelled", _("Đã hủy")


OPEN = (PaymentStatus.INIT, PaymentStatus.PENDING)


class Payment(models.Model):
    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.PROTECT, related_name="payments")
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    state = models.CharField(_("trạng thái"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.INIT)
    provider = models.CharField(_("nền tảng thanh toán"), max_length=40)
    transaction_ref = models.CharField(_("mã tham chiếu"), max_length=64, unique=True)
    platform_transaction = models.CharField(_("mã giao dịch của nền tảng"), max_length=64, blank=True)
    redirect_url = models.CharField(_("địa chỉ thanh toán"), max_length=1000, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("tạo lúc"))
    updated_at = models.DateTimeField(_("cập nhật lúc"))
    last_notification = models.JSONField(_("thông báo gần nhất"), default=dict, blank=True)

    class Meta:
        verbose_name = _("giao dịch thanh toán")
        verbose_name_plural = _("giao dịch thanh toán")
        constraints = [
            # One open attempt per dossier: a second start while one is open returns it (payments.services).
            models.UniqueConstraint(
                fields=["dossier"],
                condition=models.Q(state__in=["init", "pending"]),
                name="payments_one_open_per_dossier",
            )
        ]
        indexes = [models.Index(fields=["state", "created_at"])]

    def __str__(self) -> str:
        return f"{self.transaction_ref} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN


class FakeTransaction(models.Model):
    """The local fake platform's own record of a transaction (payments/fake.py): what `query` answers from."""

    transaction_ref = models.CharField(max_length=64, unique=True)
    amount = models.PositiveBigIntegerField()
    description = models.CharField(max_length=255, blank=True)
    return_url = models.CharField(max_length=1000, blank=True)
    state = models.CharField(max_length=10, default=PaymentStatus.PENDING)
    platform_transaction = models.CharField(max_length=64, blank=True)
    paid_at = models.CharField(max_length=14, blank=True)  # ThoiGianGD, yyyyMMddHHmmss

    def __str__(self) -> str:
        return f"{self.transaction_ref} {self.state}"
