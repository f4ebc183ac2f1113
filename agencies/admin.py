from django.contrib import admin

from agencies.models import Agency, OneStopDesk


class OneStopDeskInline(admin.TabularInline):
    model = OneStopDesk
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["e_identifier", "name", "level", "parent", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["e_identifier", "name", "short_name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [OneStopDeskInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A catalogue imported before this agency existed names it: link those procedures now.
        from procedures.services import procedures_link_pending_agencies

        procedures_link_pending_agencies()


@admin.register(OneStopDesk)
class OneStopDeskAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "phone", "is_active"]
    list_select_related = ["agency"]
    search_fields = ["name", "agency__name"]
    autocomplete_fields = ["agency"]
