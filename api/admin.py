"""Integrations and API tokens in the admin: a token's digest is never shown; revoking is an action.

New tokens are issued with `manage.py api_token_issue` (which prints the token once) or by the person on the site
(POST /api/v1/tokens/), never typed in here.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.models import ApiToken, Integration
from api.tokens import token_revoke


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "account", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    raw_id_fields = ["account"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "integration", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["integration", "revoked_at"]
    search_fields = ["prefix", "name", "user__username"]
    fields = ["user", "integration", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Thu hồi các mã truy cập đã chọn"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token)
            count += 1
        self.message_user(
            request,
            ngettext("Đã thu hồi %(n)d mã truy cập.", "Đã thu hồi %(n)d mã truy cập.", count) % {"n": count},
            messages.SUCCESS,
        )
