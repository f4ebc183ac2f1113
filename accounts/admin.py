from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import CitizenProfile, FakeSms, StaffProfile, User
from accounts.services import staff_assign
from portal.admin_mixins import ReadOnlyAdminMixin


class CitizenProfileInline(admin.StackedInline):
    model = CitizenProfile
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Thông tin bổ sung"), {"fields": ("full_name", "phone")}),
    )
    list_display = ["username", "full_name", "email", "phone", "is_staff", "is_active"]
    search_fields = ["username", "full_name", "email", "phone"]
    inlines = [CitizenProfileInline]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role", "desk"]
    list_filter = ["role"]
    list_select_related = ["user", "agency", "desk"]
    search_fields = ["user__username", "user__full_name", "agency__name"]
    autocomplete_fields = ["agency", "user"]

    def save_model(self, request, obj, form, change):
        # Through the service, so the role's group follows the role.
        staff_assign(user=obj.user, agency=obj.agency, role=obj.role, desk=obj.desk, title=obj.title)


@admin.register(FakeSms)
class FakeSmsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the local SMS backend kept instead of sending (SMS_BACKEND = accounts.sms.DatabaseSmsBackend)."""

    list_display = ["created_at", "to", "body"]
    search_fields = ["to"]
