"""The sync's admin: the backlog (messages not yet delivered, oldest first) and failures with their last error."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from natsync.models import FakeReceived, FakeSwitch, InboundDossier, SyncMessage, SyncState
from natsync.services import TOPIC
from outbox.admin import OutboxMessageAdmin
from outbox.models import OutboxState
from portal.admin_mixins import ReadOnlyAdminMixin


@admin.register(SyncMessage)
class SyncMessageAdmin(OutboxMessageAdmin):
    """Only what has not reached the national portal: waiting (with its attempts) and failed, oldest first; the
    outbox's own page with the sync's columns (retry now, last error and the backlog line come from there)."""

    list_display = ["id", "dossier", "kind", "state", "attempts", "next_attempt_at", "created_at", "error"]
    list_filter = ["state"]
    search_fields = ["key"]
    readonly_fields = [f.name for f in SyncMessage._meta.fields]
    ordering = ["id"]
    backlog_of = SyncMessage.objects.filter(topic=TOPIC)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(topic=TOPIC).exclude(state=OutboxState.DELIVERED)

    @admin.display(description=_("hồ sơ"))
    def dossier(self, obj: SyncMessage):
        return obj.payload.get("dossier_id")

    @admin.display(description=_("loại"))
    def kind(self, obj: SyncMessage) -> str:
        return obj.payload.get("kind", "")


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
