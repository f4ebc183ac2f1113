"""What the staff endpoints answer (output only: every write goes through the engine's derived action serializers,
`dossiers.api.actions.action_serializer_class`). Fields are listed one by one, never `__all__`: a column added to a
model does not leak into the API. Lists show personal data masked, as the desk's pages do (docs/domain.md §11)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from dossiers.masking import mask_name


class StaffQueueRowSerializer(serializers.Serializer):
    """A row of the desk queue: the dossier's own columns, the procedure's name and the applicant's masked name."""

    code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    substate = serializers.CharField()
    channel = serializers.IntegerField()
    procedure = serializers.CharField(source="procedure_version.name")
    applicant = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    acceptance_due_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    current_due_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)

    def get_applicant(self, dossier) -> str:
        return mask_name(dossier.applicant.name)


class StaffInboxRowSerializer(serializers.Serializer):
    """A row of the officer inbox: an open step of the agency with its state and due moment."""

    step_id = serializers.IntegerField(source="pk")
    step = serializers.CharField(source="name")
    state = serializers.CharField()
    due_at = serializers.DateTimeField(source="due_moment", allow_null=True)
    handler = serializers.SerializerMethodField()
    dossier_code = serializers.CharField(source="dossier.code")
    dossier_status = serializers.CharField(source="dossier.status")
    procedure = serializers.CharField(source="dossier.procedure_version.name")

    def get_handler(self, step) -> str | None:
        handler = step.handler
        return (handler.get_full_name() or handler.username) if handler is not None else None


class StaffEventSerializer(serializers.Serializer):
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    at = serializers.DateTimeField()
    actor = serializers.SerializerMethodField()
    actor_role = serializers.CharField()
    note = serializers.CharField()
    visible_to_citizen = serializers.BooleanField()

    def get_actor(self, event) -> str | None:
        actor = event.actor
        return (actor.get_full_name() or actor.username) if actor is not None else None


class StaffStepSerializer(serializers.Serializer):
    name = serializers.CharField()
    agency = serializers.CharField(source="agency.name")
    started_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class StaffDossierDetailSerializer(serializers.Serializer):
    """The staff's view of one dossier (its read is logged as on the page)."""

    code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    substate = serializers.CharField()
    revision = serializers.IntegerField()
    channel = serializers.IntegerField()
    procedure_code = serializers.CharField(source="procedure_version.procedure.code")
    procedure = serializers.CharField(source="procedure_version.name")
    summary = serializers.CharField()
    applicant_name = serializers.CharField(source="applicant.name")
    applicant_phone = serializers.CharField(source="applicant.phone")
    receiving_agency = serializers.CharField(source="receiving_agency.name")
    processing_agency = serializers.CharField(source="processing_agency.name", allow_null=True, default=None)
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    current_due_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    result_number = serializers.CharField()
    is_overdue = serializers.BooleanField()
    events = StaffEventSerializer(many=True, source="events.all")
    steps = StaffStepSerializer(many=True, source="steps.all")


class StaffFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    choices = serializers.SerializerMethodField()

    def get_choices(self, field) -> list[list[str]]:
        return [[str(key), str(label)] for key, label in field.choices]


class StaffActionSerializer(serializers.Serializer):
    """An action the caller may take now, with the input it declares (the same list as the page's buttons)."""

    key = serializers.CharField()
    label = serializers.CharField()
    fields = StaffFieldSerializer(many=True)
    url = serializers.SerializerMethodField()

    def get_url(self, transition) -> str:
        code = self.context["dossier"].code
        return reverse("api:staff-dossier-action", kwargs={"code": code, "action": transition.key})


class StaffActionDoneSerializer(serializers.Serializer):
    code = serializers.CharField()
    status = serializers.CharField()
    substate = serializers.CharField()
    revision = serializers.IntegerField()


class StaffFileSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    scan_status = serializers.CharField()  # pending (not served yet), clean, infected (removed)
    url = serializers.SerializerMethodField()

    def get_url(self, record) -> str:
        return reverse("api:staff-dossier-file", kwargs={"code": self.context["code"], "file_id": record.pk})


class StaffFormSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()


def cursor_page(rows: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The documented shape of a cursor-paginated list (`api.pagination.IdCursorPagination`)."""
    fields = {
        "next": serializers.URLField(allow_null=True, help_text="Trang sau (con trỏ), null ở trang cuối"),
        "previous": serializers.URLField(allow_null=True, help_text="Trang trước (con trỏ)"),
        "results": rows(many=True),
    }
    return type(name, (serializers.Serializer,), fields)


StaffQueuePageSerializer = cursor_page(StaffQueueRowSerializer, "StaffQueuePageSerializer")
StaffInboxPageSerializer = cursor_page(StaffInboxRowSerializer, "StaffInboxPageSerializer")
