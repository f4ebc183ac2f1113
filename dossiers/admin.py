"""Read-only admin: dossiers change only through `dossiers.services`; history is never edited or deleted here
(the models refuse deletion too, and triggers guard the logs: docs/adr/0005-audit-trail.md)."""

from django.contrib import admin

from dossiers.models import (
    CodeCounter,
    DocumentNumber,
    Dossier,
    DossierEvent,
    PersonalDataAccess,
    RegisterCounter,
    RegisterEntry,
    ResultSignature,
)
from portal.admin_mixins import ReadOnlyAdminMixin


class DossierEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DossierEvent
    fields = ["at", "action", "actor", "actor_role", "from_status", "to_status", "note", "visible_to_citizen"]
    readonly_fields = fields
    extra = 0
    ordering = ["at", "id"]


@admin.register(Dossier)
class DossierAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "status", "channel", "receiving_agency", "received_at", "current_due_at", "is_overdue"]
    list_filter = ["status", "channel", "is_overdue"]
    search_fields = ["code", "external_code"]
    list_select_related = ["receiving_agency"]
    show_full_result_count = False
    inlines = [DossierEventInline]


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["at", "user", "role", "agency", "dossier", "purpose", "ip_address"]
    list_select_related = ["user", "agency", "dossier"]
    list_filter = ["role"]
    show_full_result_count = False


@admin.register(CodeCounter)
class CodeCounterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["agency", "day", "last"]
    list_select_related = ["agency"]


@admin.register(RegisterCounter)
class RegisterCounterAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["desk", "year", "book", "last"]
    list_select_related = ["desk"]


@admin.register(RegisterEntry)
class RegisterEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dossier", "desk", "year", "book", "number", "entered_at"]
    list_select_related = ["dossier", "desk"]
    list_filter = ["year"]
    search_fields = ["dossier__code"]
    show_full_result_count = False


@admin.register(DocumentNumber)
class DocumentNumberAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dossier", "form_key", "number", "symbol", "year", "agency", "issued_at"]
    list_select_related = ["dossier", "agency"]
    list_filter = ["form_key", "year"]
    search_fields = ["dossier__code"]
    show_full_result_count = False


@admin.register(ResultSignature)
class ResultSignatureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["file", "signer", "signed_at", "intact", "covers_whole", "trusted", "verified_at"]
    list_select_related = ["file"]
    list_filter = ["intact", "covers_whole", "trusted"]
    search_fields = ["signer", "file__dossier__code"]
    show_full_result_count = False
