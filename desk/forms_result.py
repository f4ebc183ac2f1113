"""The head's form for issuing a result (T15): the transition's declared fields, plus where the file comes from."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dossiers import workflow
from dossiers.forms import action_form_class

TEMPLATE = "template"
UPLOAD = "upload"
SOURCES = ((TEMPLATE, _("Tạo từ mẫu kết quả")), (UPLOAD, _("Tải lên tệp PDF đã ký số")))

_Base = action_form_class(workflow.TRANSITIONS["issue_result"])


class ResultForm(_Base):
    """Number, date, signer, type and note as the table declares them; `source` picks the generated PDF or the
    head's signed one. The engine checks the file again (a PDF, its signatures); this only shapes the choice."""

    source = forms.ChoiceField(
        label=_("Văn bản kết quả"), choices=SOURCES, initial=TEMPLATE, widget=forms.RadioSelect, required=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result_date"].widget = forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
        )
        self.fields["number"].widget.attrs.update({"autofocus": True, "autocomplete": "off"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("source") == UPLOAD and not cleaned.get("result_file"):
            self.add_error("result_file", _("Chọn tệp PDF đã ký số để tải lên."))
        elif cleaned.get("source") == TEMPLATE:
            cleaned["result_file"] = None  # a file picked before switching to the template is not sent
        return cleaned

    def action_input(self) -> dict:
        values = super().action_input()
        values.pop("source", None)
        return values
