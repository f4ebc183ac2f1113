"""What the citizen's API reads and writes, field by field: an allow-list.

Output serializers name every key they give (tests/security/test_c05_* compares the JSON with
`DOSSIER_DETAIL_KEYS` and `EVENT_KEYS`): no internal note, no officer id or name, no routing field (handler,
current step, desk). Input serializers name every key they accept; anything else in a body (status, agency,
deadline, code, created_by …) is ignored and the row stays as it was (check 4). The rules are the engine's
(dossiers/drafts.py, dossiers/services.py); these only check the shape.
"""

from __future__ import annotations

import copy

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from citizen import selectors
from dossiers.api.actions import action_serializer_class
from dossiers.models import Dossier, DossierDocument, DossierFile, ReturnMethod
from dossiers.workflow import TRANSITIONS

# The keys of a dossier's JSON for its owner, and of one timeline row: compared by the security tests.
DOSSIER_DETAIL_KEYS = frozenset(
    {
        "code",
        "status",
        "status_label",
        "procedure",
        "receiving_agency",
        "submitted_at",
        "received_at",
        "due_at",
        "completed_at",
        "returned_at",
        "return_method",
        "payment_state",
        "expected",
        "timeline",
        "documents",
        "supplement_request",
        "result_files",
        "can_withdraw",
    }
)
EVENT_KEYS = frozenset({"at", "action", "action_label", "from_status", "to_status", "to_status_label", "unit", "note"})
FILE_KEYS = frozenset({"id", "name", "content_type", "size", "uploaded_at", "scan_status", "url"})


def _file_url(dossier: Dossier, record: DossierFile) -> str:
    return reverse("api:citizen-file-download", kwargs={"code": dossier.code, "file_id": record.pk})


class ExpectedSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)


class DossierListSerializer(serializers.Serializer):
    """One row of "my dossiers"."""

    code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    procedure = serializers.CharField(source="procedure_version.name")
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField()
    payment_state = serializers.CharField()
    expected = serializers.SerializerMethodField()

    def get_due_at(self, dossier) -> str | None:
        due = dossier.rescheduled_due_at or dossier.current_due_at
        return serializers.DateTimeField().to_representation(due) if due else None

    @extend_schema_field(ExpectedSerializer)
    def get_expected(self, dossier) -> dict:
        expected = selectors.expected_action(dossier, now=self.context.get("now") or timezone.now())
        return ExpectedSerializer(expected).data


class EventSerializer(serializers.Serializer):
    """A citizen-visible event: who acted is their unit (never a person), the note only when it is theirs."""

    at = serializers.DateTimeField()
    action = serializers.CharField()
    action_label = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    to_status_label = serializers.CharField()
    unit = serializers.SerializerMethodField()
    note = serializers.CharField(source="public_note")

    def get_unit(self, event) -> str:
        return str(selectors.event_unit(event))


class FileSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="original_name")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    uploaded_at = serializers.DateTimeField()
    # pending: waiting for the malware scan, not served yet (409 scan_pending); clean; infected: removed (410).
    scan_status = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, record) -> str | None:
        dossier = self.context.get("dossier")
        return _file_url(dossier, record) if dossier is not None and dossier.code else None


class DossierDocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    mandatory = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    def get_mandatory(self, document) -> bool:
        required = document.required_document
        return bool(required and required.mandatory)

    def get_files(self, document) -> list[dict]:
        files = self.context.get("files_by_document", {}).get(document.pk, [])
        return FileSerializer(files, many=True, context=self.context).data


class SupplementRequestSerializer(serializers.Serializer):
    reason = serializers.CharField()
    items = serializers.ListField(child=serializers.DictField())
    requested_at = serializers.DateTimeField()
    applicant_deadline = serializers.DateTimeField()
    supplied_at = serializers.DateTimeField(allow_null=True)


class DossierDetailSerializer(serializers.Serializer):
    """One dossier as its owner follows it (the page /ho-so-cua-toi/<code>/ as JSON)."""

    code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(source="get_status_display")
    procedure = serializers.SerializerMethodField()
    receiving_agency = serializers.CharField(source="receiving_agency.name")
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.SerializerMethodField()
    completed_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    return_method = serializers.CharField()
    payment_state = serializers.CharField()
    expected = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    supplement_request = serializers.SerializerMethodField()
    result_files = serializers.SerializerMethodField()
    can_withdraw = serializers.SerializerMethodField()

    def get_procedure(self, dossier) -> dict:
        return {"code": dossier.procedure_version.procedure.code, "name": dossier.procedure_version.name}

    def get_due_at(self, dossier) -> str | None:
        due = dossier.rescheduled_due_at or dossier.current_due_at
        return serializers.DateTimeField().to_representation(due) if due else None

    @extend_schema_field(ExpectedSerializer)
    def get_expected(self, dossier) -> dict:
        return ExpectedSerializer(selectors.expected_action(dossier, now=timezone.now())).data

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, dossier) -> list[dict]:
        return EventSerializer(dossier.events.all(), many=True).data

    @extend_schema_field(DossierDocumentSerializer(many=True))
    def get_documents(self, dossier) -> list[dict]:
        components, _others = selectors.component_files(dossier)
        context = {"dossier": dossier, "files_by_document": {doc.pk: files for doc, files in components}}
        return DossierDocumentSerializer([doc for doc, _files in components], many=True, context=context).data

    @extend_schema_field(SupplementRequestSerializer(allow_null=True))
    def get_supplement_request(self, dossier) -> dict | None:
        request = getattr(dossier, "supplement_request", None)
        return SupplementRequestSerializer(request).data if request is not None else None

    @extend_schema_field(FileSerializer(many=True))
    def get_result_files(self, dossier) -> list[dict]:
        return FileSerializer(selectors.result_files(dossier), many=True, context={"dossier": dossier}).data

    def get_can_withdraw(self, dossier) -> bool:
        return dossier.status in TRANSITIONS["withdraw"].sources


# --- Drafts --------------------------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    """The applicant or the representative, as the wizard's form asks them."""

    name = serializers.CharField(max_length=255)
    personal_id = serializers.RegexField(r"^[0-9]{9,12}$", required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    phone = serializers.RegexField(r"^\+?[0-9]{8,15}$", required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class DraftCreateSerializer(serializers.Serializer):
    procedure = serializers.CharField(max_length=64, help_text=_("Mã thủ tục (ví dụ 1.001193)"))
    agency = serializers.IntegerField(
        required=False, help_text=_("Cơ quan tiếp nhận; mặc định là cơ quan đầu tiên thực hiện thủ tục")
    )
    case = serializers.IntegerField(required=False, help_text=_("Trường hợp của thủ tục (nếu có)"))


class DraftUpdateSerializer(serializers.Serializer):
    """PATCH: any of the case, the applicant (with an optional representative) and the return method."""

    case = serializers.IntegerField(required=False)
    applicant = PersonSerializer(required=False)
    representative = PersonSerializer(required=False, allow_null=True)
    return_method = serializers.ChoiceField(choices=ReturnMethod.choices, required=False)
    delivery_address = serializers.CharField(max_length=255, required=False, allow_blank=True)


class DraftDocumentSerializer(DossierDocumentSerializer):
    def get_files(self, document) -> list[dict]:
        return [
            {
                "id": f.pk,
                "name": f.original_name,
                "content_type": f.content_type,
                "size": f.size,
                "scan_status": f.scan_status,
            }
            for f in document.files.all()
        ]


class DraftSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    revision = serializers.IntegerField()
    procedure = serializers.SerializerMethodField()
    receiving_agency = serializers.CharField(source="receiving_agency.name")
    case = serializers.IntegerField(source="case_id", allow_null=True)
    applicant = serializers.SerializerMethodField()
    representative = serializers.SerializerMethodField()
    return_method = serializers.CharField()
    delivery_address = serializers.CharField()
    documents = serializers.SerializerMethodField()

    def get_procedure(self, dossier) -> dict:
        return {"code": dossier.procedure_version.procedure.code, "name": dossier.procedure_version.name}

    @staticmethod
    def _person(row) -> dict | None:
        if row is None:
            return None
        identity = next(iter(row.identities.all()), None)
        return {
            "name": row.name,
            "personal_id": identity.number if identity else "",
            "date_of_birth": row.date_of_birth.isoformat() if row.date_of_birth else None,
            "address": row.address,
            "phone": row.phone,
            "email": row.email,
        }

    def get_applicant(self, dossier) -> dict | None:
        return self._person(dossier.applicant)

    def get_representative(self, dossier) -> dict | None:
        return self._person(dossier.representative)

    def get_documents(self, dossier) -> list[dict]:
        documents = (
            DossierDocument.objects.filter(dossier=dossier)
            .select_related("required_document")
            .prefetch_related("files")
            .order_by("pk")
        )
        return DraftDocumentSerializer(documents, many=True).data


class DraftSummarySerializer(serializers.Serializer):
    """A row of the drafts list (what to continue): no applicant, no documents."""

    id = serializers.IntegerField(source="pk")
    procedure = serializers.SerializerMethodField()
    receiving_agency = serializers.CharField(source="receiving_agency.name")
    revision = serializers.IntegerField()
    created_at = serializers.DateTimeField()

    def get_procedure(self, dossier) -> dict:
        return {"code": dossier.procedure_version.procedure.code, "name": dossier.procedure_version.name}


class SubmitSerializer(serializers.Serializer):
    expected_revision = serializers.IntegerField(
        required=False, help_text=_("Lần thay đổi của bản nháp đã xem; khác thì bị từ chối (409)")
    )


class SubmittedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class WithdrawSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(help_text=_("Phải là true: xác nhận rút hồ sơ"))
    # The engine's declaration of T14's reason (dossiers/api/actions.py), not a copy of it.
    note = copy.deepcopy(action_serializer_class(TRANSITIONS["withdraw"])._declared_fields["note"])

    def validate_confirm(self, value):
        if not value:
            raise serializers.ValidationError(_("Cần xác nhận để rút hồ sơ."), code="required")
        return value


class RatingSerializer(serializers.Serializer):
    contacts = serializers.CharField()
    bodies = serializers.CharField()
    attitude = serializers.CharField()
    ease = serializers.CharField()
    overall = serializers.CharField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")
