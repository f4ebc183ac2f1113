"""Read-only admin for the outbox: the backlog and its age, failures with their last error, and "retry now"."""

from django.contrib import admin, messages
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outbox.models import OutboxMessage, OutboxState
from outbox.services import outbox_retry
from portal.admin_mixins import ReadOnlyAdminMixin


def outbox_backlog(*, now, messages=None) -> dict:
    """Pending and failed counts and when the oldest pending message was written, in one query — of every message,
    or of `messages` (a queryset, e.g. one topic's)."""
    summary = (OutboxMessage.objects.all() if messages is None else messages).aggregate(
        pending=Count("id", filter=Q(state=OutboxState.PENDING)),
        failed=Count("id", filter=Q(state=OutboxState.FAILED)),
        oldest=Min("created_at", filter=Q(state=OutboxState.PENDING)),
    )
    summary["now"] = now
    return summary


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "topic", "key", "dossier_id", "state", "attempts", "next_attempt_at", "created_at", "error"]
    list_filter = ["state", "topic"]
    search_fields = ["key", "=dossier_id"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    backlog_of = None  # the messages the page's backlog line counts: None, every one
    ordering = ["-id"]
    show_full_result_count = False
    actions = ["retry_now"]

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("outbox.change_outboxmessage")

    @admin.display(description=_("lỗi gần nhất"))
    def error(self, obj: OutboxMessage) -> str:
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
        extra_context = {
            **(extra_context or {}),
            "backlog": outbox_backlog(now=timezone.now(), messages=self.backlog_of),
        }
        return super().changelist_view(request, extra_context=extra_context)
