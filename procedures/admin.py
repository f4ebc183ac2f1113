import datetime as dt

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from procedures.content import version_content
from procedures.models import (
    Field,
    Level,
    Procedure,
    ProcedureCase,
    ProcedureFee,
    ProcedureStep,
    ProcedureVersion,
    RequiredDocument,
)
from procedures.services import (
    ProcedureError,
    StepBudgetError,
    procedure_publish_version,
    procedure_version_refresh,
    step_budgets_check,
)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class VersionInline(admin.TabularInline):
    """A procedure's versions, read-only: a new text is published as a new version, never edited here."""

    model = ProcedureVersion
    fields = ["link", "name", "effective_from", "effective_to", "online_mode", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    ordering = ["-number"]

    @admin.display(description=_("phiên bản"))
    def link(self, version: ProcedureVersion) -> str:
        url = reverse("admin:procedures_procedureversion_change", args=[version.pk])
        return format_html('<a href="{}">v{}</a>', url, version.number)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    """Procedures and their version history. New procedures and new texts arrive through `import_procedures`
    (procedures.services.procedure_publish_version), which numbers versions, ends the previous one and moves
    the current pointer: adding them here would skip all three."""

    list_display = ["code", "current_name", "current_number", "abolished_on", "created_at"]
    list_select_related = ["current_version"]
    search_fields = ["code", "current_version__name"]
    list_filter = [("abolished_on", admin.EmptyFieldListFilter), "current_version__field"]
    readonly_fields = ["current_version", "created_at"]
    inlines = [VersionInline]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.display(description=_("tên thủ tục"), ordering="current_version__name")
    def current_name(self, procedure: Procedure) -> str:
        return procedure.current_version.name if procedure.current_version else "—"

    @admin.display(description=_("phiên bản hiện hành"))
    def current_number(self, procedure: Procedure) -> str:
        return f"v{procedure.current_version.number}" if procedure.current_version else "—"


# Links typed without a scheme are published sites: https (and no Django 6 deprecation warning).
URL_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class FrozenWhenUsedInline:
    """Inline rows of a version that dossiers were submitted under are read-only: the dossier keeps that text."""

    def _used(self, obj) -> bool:
        return obj is not None and obj.pk is not None and obj.dossiers.exists()

    def has_add_permission(self, request, obj=None):
        return not self._used(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._used(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._used(obj) and super().has_delete_permission(request, obj)


class SameVersionCaseInline:
    """A row's case (document or fee line) is one of the same version's cases (none on a version being added)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            version_id = (request.resolver_match.kwargs or {}).get("object_id") if request.resolver_match else None
            known = str(version_id or "").isdigit()
            kwargs["queryset"] = ProcedureCase.objects.filter(version_id=version_id if known else None)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FeeInline(SameVersionCaseInline, FrozenWhenUsedInline, admin.TabularInline):
    """A fee line with a case is charged only in that case (đúng hạn 0 đ, quá hạn 8.000 đ); without, in all."""

    model = ProcedureFee
    extra = 0


class CaseInline(FrozenWhenUsedInline, admin.TabularInline):
    """Trường hợp: a version with two or more asks the citizen to choose one in the wizard (docs/wizard.md)."""

    model = ProcedureCase
    extra = 0


class DocumentInline(SameVersionCaseInline, FrozenWhenUsedInline, admin.StackedInline):
    model = RequiredDocument
    extra = 0
    formfield_overrides = URL_HTTPS


class StepFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        # The version form has already put the edited time limit on self.instance.
        budgets = [
            form.cleaned_data.get("budget") or 0
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        try:
            step_budgets_check(time_unit=self.instance.time_unit, time_value=self.instance.time_value, budgets=budgets)
        except StepBudgetError as error:
            raise ValidationError(error.message) from error


class StepInline(FrozenWhenUsedInline, admin.TabularInline):
    model = ProcedureStep
    formset = StepFormSet
    extra = 0


class LevelFilter(admin.SimpleListFilter):
    title = _("cấp thực hiện")
    parameter_name = "level"

    def lookups(self, request, model_admin):
        return Level.choices

    def queryset(self, request, queryset):
        return queryset.at_level(self.value()) if self.value() else queryset


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "name", "field", "online_mode", "effective_from", "effective_to"]
    list_select_related = ["procedure", "field"]
    list_filter = [LevelFilter, "online_mode", "time_unit", "field"]
    search_fields = ["procedure__code", "name", "search_name"]
    autocomplete_fields = ["field", "agencies"]
    readonly_fields = ["content_hash", "published_at"]
    inlines = [CaseInline, DocumentInline, FeeInline, StepInline]
    formfield_overrides = URL_HTTPS
    ordering = ["procedure__code", "-number"]
    actions = ["publish_amendment"]

    def has_change_permission(self, request, obj=None) -> bool:
        # A version dossiers were submitted under is frozen (docs/domain.md §1): amend by publishing a new version.
        if obj is not None and obj.dossiers.exists():
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description=_("Ban hành phiên bản sửa đổi (hiệu lực từ ngày mai) để chỉnh sửa"))
    def publish_amendment(self, request, queryset) -> None:
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        for version in queryset.select_related("procedure", "field").prefetch_related("agencies"):
            if version.procedure.current_version_id != version.pk:
                self.message_user(
                    request,
                    _("{code} v{number} không phải phiên bản hiện hành; bỏ qua.").format(
                        code=version.procedure.code, number=version.number
                    ),
                    messages.WARNING,
                )
                continue
            try:
                new = procedure_publish_version(
                    procedure_code=version.procedure.code,
                    data=version_content(version),
                    effective_from=tomorrow,
                    agency_identifiers=[a.e_identifier for a in version.agencies.all()],
                )
            except ProcedureError as error:
                self.message_user(request, error.message, messages.ERROR)
                continue
            self.message_user(
                request,
                _("Đã tạo phiên bản {number} của {code}, hiệu lực từ {date}; hãy chỉnh sửa nội dung sửa đổi.").format(
                    number=new.number, code=version.procedure.code, date=f"{tomorrow:%d/%m/%Y}"
                ),
                messages.SUCCESS,
            )

    def has_add_permission(self, request) -> bool:
        # A new text is published by the service (see ProcedureAdmin); here a version is corrected in place.
        return False

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # Documents are saved by now, and the search text reaches their names.
        procedure_version_refresh(version=form.instance)
