"""Read-only admin views of the data-protection logs: the security officer reviews, nobody edits."""

from django.contrib import admin

from portal.admin_mixins import ReadOnlyAdminMixin
from privacy.models import DataSubjectRequest, DeniedAccess


@admin.register(DeniedAccess)
class DeniedAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user", "role", "agency", "reason", "object_kind", "object_ref", "ip_address"]
    list_select_related = ["user", "agency"]
    list_filter = ["reason", "object_kind", "role"]
    search_fields = ["object_ref", "user__username"]
    show_full_result_count = False


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["received_at", "user", "kind", "acknowledge_by", "acknowledged_at", "outcome"]
    list_select_related = ["user"]
    list_filter = ["kind", "outcome"]
    show_full_result_count = False
