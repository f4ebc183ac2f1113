"""Admin for the calendar overrides: every save and delete goes through `workcalendar.services` (§5.2)."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from workcalendar.models import CalendarChange, CalendarOverride
from workcalendar.services import CalendarChangeError, calendar_override_remove, calendar_override_set

ADMIN_REMOVE_REASON = _("Xóa trên trang quản trị")


class InForceFilter(admin.SimpleListFilter):
    """Rows in force by default; history on request, since closed rows only explain past versions."""

    title = _("hiệu lực")
    parameter_name = "in_force"

    def lookups(self, request, model_admin):
        return [("closed", _("Đã hết áp dụng")), ("all", _("Tất cả phiên bản"))]

    def choices(self, changelist):
        # The unfiltered state means "in force", so it is offered first under that name.
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Đang áp dụng"),
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        if self.value() == "closed":
            return queryset.filter(version_to__isnull=False)
        return queryset.current()


class CalendarOverrideForm(forms.ModelForm):
    class Meta:
        model = CalendarOverride
        fields = ["date", "kind", "legal_basis", "note"]

    def validate_unique(self):
        # Adding a date that already has an override alters it: the service closes the row in force, so
        # "one row in force per date" is not an error here.
        pass


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    form = CalendarOverrideForm
    list_display = ["date", "kind", "legal_basis", "version_from", "version_to", "created_by", "created_at"]
    list_filter = [InForceFilter, "kind"]
    search_fields = ["legal_basis", "note"]
    date_hierarchy = "date"
    list_select_related = ["created_by"]
    fields = ["date", "kind", "legal_basis", "note", "version_from", "version_to", "created_by", "created_at"]
    readonly_fields = ["version_from", "version_to", "created_by", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        if not obj.is_current:
            return self.fields  # history is read-only
        # Changing the date would move another day's override; remove it and add the other date instead.
        return ["date", *self.readonly_fields]

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_current)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_current)

    def save_model(self, request, obj, form, change):
        override = calendar_override_set(
            date=obj.date, kind=obj.kind, legal_basis=obj.legal_basis, note=obj.note, actor=request.user
        )
        # The admin goes on to log and redirect with `obj`: point it at the row the service wrote.
        obj.pk = override.pk
        obj.version_from, obj.version_to = override.version_from, override.version_to
        obj.created_by, obj.created_at = override.created_by, override.created_at

    def delete_model(self, request, obj):
        try:
            calendar_override_remove(date=obj.date, actor=request.user, reason=str(ADMIN_REMOVE_REASON))
        except CalendarChangeError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)

    def delete_queryset(self, request, queryset):
        for obj in queryset.current():
            self.delete_model(request, obj)


@admin.register(CalendarChange)
class CalendarChangeAdmin(admin.ModelAdmin):
    list_display = ["version", "date", "action", "reason", "actor", "created_at"]
    list_filter = ["action"]
    list_select_related = ["actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
