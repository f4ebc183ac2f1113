"""Output serializers of the read-only catalogue API (the same content as the public pages)."""

from rest_framework import serializers

from procedures import display
from procedures.models import Field, ProcedureFee, ProcedureStep, ProcedureVersion, RequiredDocument


class FieldSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["code", "name"]


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcedureFee
        fields = ["name", "amount", "description"]


class DocumentSerializer(serializers.ModelSerializer):
    form_url = serializers.SerializerMethodField()

    class Meta:
        model = RequiredDocument
        fields = ["name", "originals", "copies", "mandatory", "form_name", "form_url", "note"]

    def get_form_url(self, document: RequiredDocument) -> str:
        """The uploaded form when there is one, else the published link."""
        if document.form_file:
            request = self.context.get("request")
            url = document.form_file.url
            return request.build_absolute_uri(url) if request else url
        return document.form_url


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcedureStep
        fields = ["name", "role", "budget", "description"]


class LegalBasisSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    date = serializers.DateField(allow_null=True)


class ProcedureListSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="procedure.code")
    version = serializers.IntegerField(source="number")
    field = FieldSerializer()
    time_text = serializers.SerializerMethodField()
    fee_summary = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureVersion
        fields = [
            "code", "name", "version", "effective_from", "field", "levels", "online_mode",
            "time_unit", "time_value", "time_text", "fee_summary",
        ]  # fmt: skip

    def get_time_text(self, version: ProcedureVersion) -> str:
        return display.time_limit_text(version)

    def get_fee_summary(self, version: ProcedureVersion) -> str:
        return display.fee_summary(version.fees.all(), version.fee_description)


class ProcedureDetailSerializer(ProcedureListSerializer):
    cutoff = serializers.TimeField(source="cutoff_time", format="%H:%M", allow_null=True)
    documents = DocumentSerializer(many=True)
    fees = FeeSerializer(many=True)
    steps = StepSerializer(many=True)
    legal_basis = LegalBasisSerializer(source="legal_basis_entries", many=True)
    agencies = serializers.SlugRelatedField(slug_field="e_identifier", many=True, read_only=True)
    source = serializers.SerializerMethodField()

    class Meta(ProcedureListSerializer.Meta):
        fields = [
            *ProcedureListSerializer.Meta.fields,
            "effective_to", "procedure_type", "implementing_agency", "competent_agency",
            "coordinating_agency", "agencies", "submission_place", "applicants", "sequence", "channels",
            "time_parts", "time_description", "cutoff", "supplement_clock_mode", "excluded_time_categories",
            "financial_obligation_excluded", "acceptance_window_hours", "fees", "fee_description",
            "documents", "conditions", "legal_basis", "result", "location_independent",
            "announcing_decision", "steps", "source",
        ]  # fmt: skip

    def get_source(self, version: ProcedureVersion) -> dict[str, str]:
        return {"title": version.source_title, "url": version.source_url}
