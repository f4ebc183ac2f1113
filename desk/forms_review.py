"""The online review form: the checklist the officer ticks and the decision it leads to (docs/domain.md §4.1 T3, T4,
T5, T10). The ticks go to the engine with the decision (`checked_documents`), in its transaction."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from desk.forms_outcome import RECEIVE, REFUSE, SUPPLEMENT, OutcomeForm
from dossiers import workflow
from dossiers.workflow import Status

T3 = {f.name: f for f in workflow.TRANSITIONS["receive"].fields}

# The engine's action for each outcome; receiving a dossier back from a supplement request is T10.
ACTIONS = {
    (Status.SUBMITTED, RECEIVE): "receive",
    (Status.SUBMITTED, SUPPLEMENT): "request_supplement_intake",
    (Status.SUBMITTED, REFUSE): "refuse",
    (Status.SUPPLEMENT_REQUESTED, RECEIVE): "accept_supplement",
}


def mandatory(document) -> bool:
    """A component the procedure requires (one not from the catalogue counts as required)."""
    return document.required_document is None or document.required_document.mandatory


class ReviewForm(OutcomeForm):
    expected_revision = forms.IntegerField(widget=forms.HiddenInput)
    checked = forms.TypedMultipleChoiceField(
        label=T3["checked_documents"].label, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    receive_note = forms.CharField(
        label=T3["note"].label, max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, documents=(), status: str = Status.SUBMITTED, **kwargs):
        super().__init__(*args, **kwargs)
        self.documents = list(documents)
        self.status = status
        self.fields["checked"].choices = [(d.pk, d.name) for d in self.documents]
        self.add_missing_fields(self.documents, mandatory=mandatory)

    @property
    def action(self) -> str | None:
        return ACTIONS.get((self.status, self.outcome))

    def checked_ids(self) -> set[int]:
        """What is ticked: the posted boxes on a re-shown form, else what the engine stored."""
        if self.is_bound:
            return {int(v) for v in self.data.getlist("checked") if str(v).isdigit()}
        return {d.pk for d in self.documents if d.checked}

    def clean(self):
        data = super().clean()
        if self.action is None:
            self.add_error(None, _("Không thể thực hiện thao tác này với hồ sơ ở trạng thái hiện tại."))
            return data
        ticked = set(data.get("checked") or [])
        unticked = [d for d in self.documents if d.pk not in ticked]
        if self.outcome == RECEIVE:
            # Only a complete dossier is received (§4.1 T3): each required component is ticked first.
            missing = [d for d in unticked if mandatory(d)]
            if missing:
                self.add_error(
                    "checked",
                    _(
                        "Còn {count} giấy tờ bắt buộc chưa đánh dấu đã kiểm tra: chỉ tiếp nhận hồ sơ đầy đủ; hồ sơ "
                        "chưa đầy đủ thì chọn “Hồ sơ chưa đầy đủ”."
                    ).format(count=len(missing)),
                )
        items = [self.missing_item(d, mandatory=mandatory(d), form=d.form, count=d.count) for d in unticked]
        self.clean_outcome_input(data, [item for item in items if item is not None])
        return data

    def engine_input(self) -> dict:
        """The input of the engine's action, the checklist included."""
        data = self.cleaned_data
        checked = sorted(set(data.get("checked") or []))
        if self.outcome == SUPPLEMENT:
            return {
                "note": data["supplement_note"],
                "items": data["items"],
                "legal_basis": data["supplement_legal_basis"],
                "checked_documents": checked,
            }
        if self.outcome == REFUSE:
            return {
                "note": data["refusal_note"],
                "legal_basis": data["refusal_legal_basis"],
                "checked_documents": checked,
            }
        return {"note": data["receive_note"], "checked_documents": checked}
