"""Shared admin behaviour: rows that change only through services (dossiers, their logs, the outbox) are read-only."""


class ReadOnlyAdminMixin:
    """No add, change or delete in the admin, and no "delete selected" even if a permission were granted by mistake."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
