"""The sync's admin: the backlog (messages not yet delivered, oldest first) and failures with their last error."""

from django.contrib import admin, messages
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from natsync.models import FakeReceived, FakeSwitch, InboundDossier, SyncMessage, SyncState
from natsync.services import TOPIC
from outbox.models import OutboxState
from outbox.services import outbox_retry
from portal.admin_mixins import ReadOnlyAdminMixin


def sync_backlog(*, now) -> dict:
    """Waiting and failed counts of the sync topic and its oldest waiting message, in one query."""
    summary = SyncMessage.objects.filter(topic=TOPIC).aggregate(
        pending=Count("id", filter=Q(state=OutboxState.PENDING)),
        failed=Count("id", filter=Q(state=OutboxState.FAILED)),
        oldest=Min("created_at", filter=Q(state=OutboxState.PENDING)),
    )
    summary["now"] = now
    return summary


@admin.register(SyncMessage)
class SyncMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Only what has not reached the national portal: waiting (with its attempts) and failed, oldest first."""

    list_display = ["id", "dossier", "kind", "state", "attempts", "next_attempt_at", "created_at", "error"]
    list_filter = ["state"]
    search_fields = ["key"]
    readonly_fields = [f.name for f in SyncMessage._meta.fields]
    ordering = ["id"]
    show_full_result_count = False
    actions = ["retry_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(topic=TOPIC).exclude(state=OutboxState.DELIVERED)

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("outbox.change_outboxmessage")

    @admin.display(description=_("hồ sơ"))
    def dossier(self, obj: SyncMessage):
        return obj.payload.get("dossier_id")

    @admin.display(description=_("loại"))
    def kind(self, obj: SyncMessage) -> str:
        return obj.payload.get("kind", "")

    @admin.display(description=_("lỗi gần nhất"))
    def error(self, obj: SyncMessage) -> str:
        return obj.last_error[:120]

    @admin.action(description=_("Gửi lại ngay các thư gửi lỗi đã chọn"), permissions=["retry"])
    def retry_now(self, request, queryset):
        count = outbox_retry(ids=queryset.values_list("id", flat=True))
        self.message_user(
            request,
            ngettext("Đã đưa {count} thư vào hàng gửi lại.", "Đã đưa {count} thư vào hàng gửi lại.", count).format(
                count=count
            ),
            messages.SUCCESS if count else messages.WARNING,
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "backlog": sync_backlog(now=timezone.now())}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dossier", "last_kind", "status_code", "synced_at", "last_key"]
    readonly_fields = [f.name for f in SyncState._meta.fields]
    search_fields = ["dossier__code"]


@admin.register(InboundDossier)
class InboundDossierAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["national_code", "dossier", "received_at"]
    readonly_fields = [f.name for f in InboundDossier._meta.fields]
    search_fields = ["national_code", "dossier__code"]


@admin.register(FakeReceived)
class FakeReceivedAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "message_id", "kind", "dossier_code", "status_code", "copies", "received_at"]
    readonly_fields = [f.name for f in FakeReceived._meta.fields]


@admin.register(FakeSwitch)
class FakeSwitchAdmin(admin.ModelAdmin):
    list_display = ["id", "down", "note"]
