"""The transactional outbox: side effects leave the portal only through a row written in the transaction that
caused them, and are delivered after the commit (docs/domain.md §5.12, §10).

A message is written with `outbox.services.outbox_put`, kicked to a worker on commit and swept up by Celery beat
when the kick was lost; delivery is at least once, in order per dossier, and carries an idempotency key so the
receiver can drop a duplicate.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    DELIVERED = "delivered", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")


class OutboxMessage(models.Model):
    """One side effect to perform after commit; the only way a notification or an outbound call leaves the portal.

    `dossier_id` is the ordering key: messages of one dossier are delivered in the order they were written (the
    dossier's row lock serialises their writers, so id order is commit order). It is a plain column, not a foreign
    key: the outbox sits below the domain apps and a message outlives whatever happens to the row.
    """

    topic = models.CharField(_("chủ đề"), max_length=100)
    key = models.CharField(_("khóa chống trùng"), max_length=200, unique=True)
    dossier_id = models.BigIntegerField(_("hồ sơ"), null=True, blank=True)
    payload = models.JSONField(_("nội dung"), default=dict, blank=True)
    state = models.CharField(_("trạng thái"), max_length=10, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveIntegerField(_("số lần thử"), default=0)
    next_attempt_at = models.DateTimeField(_("thử lại lúc"))
    last_error = models.TextField(_("lỗi gần nhất"), blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    delivered_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thư chờ gửi")
        verbose_name_plural = _("hộp thư đi")
        ordering = ["id"]
        indexes = [
            # The sweep: pending messages whose next attempt is due, oldest first.
            models.Index(fields=["next_attempt_at", "id"], name="outbox_pending_due", condition=Q(state="pending")),
            # The order check: is there an older pending message of the same dossier?
            models.Index(fields=["dossier_id", "id"], name="outbox_pending_dossier", condition=Q(state="pending")),
            # The admin's failures list.
            models.Index(fields=["id"], name="outbox_failed", condition=Q(state="failed")),
        ]

    def __str__(self) -> str:
        return f"{self.topic} {self.key}"
