"""Webhooks: an integration asks to be told, by an HTTPS POST signed with a shared secret, when a dossier in its
scope changes status (docs/webhooks.md).

The target URL is checked by `portal.outbound` when the webhook is saved through a form or the admin (`clean`) and
again at every delivery, before any connection. The secret is kept as is: the portal needs it to sign each body.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from api.models import Integration
from portal.outbound import OutboundRefused, outbound_check

STATUS_CHANGED = "dossier.status_changed"
EVENT_CHOICES = [(STATUS_CHANGED, _("Hồ sơ chuyển trạng thái"))]


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def default_events() -> list[str]:
    return [STATUS_CHANGED]


class Webhook(models.Model):
    """One receiver of an integration: where to POST, the events it wants, the secret that signs each body."""

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("hệ thống tích hợp")
    )
    url = models.URLField(_("địa chỉ nhận"), max_length=500)
    secret = models.CharField(
        _("khóa ký HMAC"),
        max_length=100,
        default=new_secret,
        help_text=_("Người nhận dùng khóa này kiểm tra tiêu đề X-Signature của mỗi lần gửi."),
    )
    events = models.JSONField(_("sự kiện"), default=default_events)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhook")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.integration} → {self.url}"

    def clean(self) -> None:
        """The URL must pass the outbound guard (scheme, allow-list, no internal address), the events be known."""
        super().clean()
        errors = {}
        try:
            # Resolved at delivery, where the answer is pinned for the connection; here the name is enough.
            outbound_check(self.url, resolve=False)
        except OutboundRefused as error:
            errors["url"] = str(error)
        known = {key for key, _label in EVENT_CHOICES}
        if not isinstance(self.events, list) or not self.events or not set(self.events) <= known:
            errors["events"] = _("Sự kiện không hợp lệ; chọn trong: {events}.").format(events=", ".join(sorted(known)))
        if errors:
            raise ValidationError(errors)
