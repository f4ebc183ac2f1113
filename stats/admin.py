"""The daily figures, the "why late" figures and the refresh watermark in the admin: read only (written by
`stats.services` alone)."""

from django.contrib import admin

from portal.admin_mixins import ReadOnlyAdminMixin
from stats.models import DailyFigure, LateStepFigure, RefreshMark


@admin.register(DailyFigure)
class DailyFigureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "agency", "procedure", "channel", "online_mode", "received", "early", "on_time", "late"]
    list_filter = ["channel", "online_mode"]
    list_select_related = ["agency", "procedure"]
    date_hierarchy = "day"


@admin.register(LateStepFigure)
class LateStepFigureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["day", "agency", "procedure", "handler", "steps", "late_steps", "late_dossiers", "overrun_minutes"]
    list_select_related = ["agency", "procedure", "handler"]
    date_hierarchy = "day"


@admin.register(RefreshMark)
class RefreshMarkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["refreshed_at", "event_id", "previous_event_id", "days"]
