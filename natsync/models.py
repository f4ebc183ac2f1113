"""The national portal sync's own rows (docs/national-sync.md, docs/domain.md §10.1).

The outbound messages themselves are outbox rows (topic `natsync.push`); `SyncMessage` is a proxy so the admin can
list them as the sync's backlog. `SyncState` is the synced flag per dossier; `InboundDossier` remembers which
national dossiers already landed in the desk's queue. `FakeReceived` and `FakeSwitch` belong to the local fake
receiver (natsync/fake.py).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from outbox.models import OutboxMessage


class SyncMessage(OutboxMessage):
    """An outbox message of the sync topic, as the admin shows it (backlog and failures)."""

    class Meta:
        proxy = True
        verbose_name = _("thư đồng bộ quốc gia")
        verbose_name_plural = _("hàng đợi đồng bộ quốc gia")


class SyncState(models.Model):
    """The synced flag of one dossier: the last message the national portal accepted, and when."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="national_sync"
    )
    last_key = models.CharField(_("thư gần nhất"), max_length=200)
    last_kind = models.CharField(_("loại thư"), max_length=10)
    status_code = models.PositiveSmallIntegerField(_("mã trạng thái đã gửi"), null=True, blank=True)
    synced_at = models.DateTimeField(_("đồng bộ lúc"))

    class Meta:
        verbose_name = _("trạng thái đồng bộ")
        verbose_name_plural = _("trạng thái đồng bộ")

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.last_key}"


class InboundDossier(models.Model):
    """A dossier submitted on the national portal and created here once: the national code is the unique key."""

    national_code = models.CharField(_("mã hồ sơ quốc gia"), max_length=64, unique=True)
    dossier = models.OneToOneField(
        "dossiers.Dossier", verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="national_inbound"
    )
    received_at = models.DateTimeField(_("nhận lúc"))

    class Meta:
        verbose_name = _("hồ sơ nhận từ Cổng quốc gia")
        verbose_name_plural = _("hồ sơ nhận từ Cổng quốc gia")

    def __str__(self) -> str:
        return self.national_code


class FakeReceived(models.Model):
    """What the fake national receiver accepted, one row per message id; a repeated id only counts a copy."""

    message_id = models.CharField(_("mã thư"), max_length=200, unique=True)
    kind = models.CharField(_("loại"), max_length=10)
    dossier_code = models.CharField(_("mã hồ sơ"), max_length=64, db_index=True)
    status_code = models.PositiveSmallIntegerField(_("mã trạng thái"), null=True, blank=True)
    body = models.JSONField(_("nội dung"), default=dict)
    copies = models.PositiveIntegerField(_("số lần nhận"), default=1)
    received_at = models.DateTimeField(_("nhận lúc"))

    class Meta:
        verbose_name = _("thư cổng giả lập đã nhận")
        verbose_name_plural = _("thư cổng giả lập đã nhận")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.message_id


class FakeSwitch(models.Model):
    """A row with `down` set makes the fake receiver answer 503 (tests and demos keep it down for a while)."""

    down = models.BooleanField(_("ngừng hoạt động"), default=True)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("công tắc cổng giả lập")
        verbose_name_plural = _("công tắc cổng giả lập")

    def __str__(self) -> str:
        return "down" if self.down else "up"
