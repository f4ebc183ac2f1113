"""Ratings and feedback in the admin: read only, as records of what citizens said and agencies answered (they are
written by `feedback.services` alone)."""

from django.contrib import admin

from feedback.models import DossierRating, Feedback


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DossierRating)
class DossierRatingAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "agency", "submitted_at", "overall", "ease"]
    list_filter = ["overall", "ease"]
    list_select_related = ["dossier", "agency"]
    search_fields = ["dossier__code"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "agency", "received_at", "answer_due_at", "answered_at", "on_time"]
    list_filter = ["subject", "on_time"]
    list_select_related = ["agency"]
    search_fields = ["reference", "title"]
