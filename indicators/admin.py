"""The administrator adds a new version of an indicator (a changed formula from a later date) here, without code:
"Lưu thành bản mới" copies a definition, and `clean()` refuses an unsafe or unknown formula (docs/indicators.md)."""

from django.contrib import admin

from indicators.models import IndicatorDefinition


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "group", "max_points", "effective_from", "effective_to")
    list_filter = ("group", "effective_from")
    search_fields = ("code", "metric", "name")
    ordering = ("group", "order", "code", "-effective_from")
    save_as = True
    readonly_fields = ("formula_display",)
    fields = (
        ("code", "metric"),
        ("group", "group_max", "order"),
        "name",
        "max_points",
        "formula",
        "formula_display",
        "variables",
        "note",
        ("effective_from", "effective_to"),
    )
