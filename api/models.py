"""Who calls the API besides the site's own pages: integrations (another system of the province, acting through a
service account whose role and agency give its scope) and the API tokens of people and integrations.

A token is shown once when issued; only its SHA-256 digest is stored, beside a short prefix to find it by.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Integration(models.Model):
    """Another system connected to the portal (document management, a mobile app, the national portal's inbound
    flow). It acts as its service `account`: the account's role and agency decide what it may read and do."""

    name = models.CharField(_("tên hệ thống"), max_length=200)
    slug = models.SlugField(_("mã"), max_length=60, unique=True)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="integration", verbose_name=_("tài khoản")
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("hệ thống tích hợp")
        verbose_name_plural = _("hệ thống tích hợp")

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A bearer token of one user (or of an integration's service account): expiring, revocable, stored hashed."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    integration = models.ForeignKey(Integration, null=True, blank=True, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 hex of the whole token
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class IdempotencyKey(models.Model):
    """An `Idempotency-Key` a caller sent with a submission: the first request with a key does the work, a retry
    with the same key and the same request gets the same dossier, the same key with another request is refused.

    The unique constraint decides between two concurrent requests, never a check first (docs/conventions.md).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the method, path and body
    dossier = models.ForeignKey("dossiers.Dossier", null=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_unique_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
