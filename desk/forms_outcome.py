"""What the desk decides about a dossier it has checked, shared by the counter intake and the online review.

Three outcomes (docs/domain.md §4.1): receive it (T2 at the counter, T3 online, T10 after a supplement), ask once for
everything missing (T4, form 02) or refuse it with reasons and their legal basis (T5, form 03). The supplement's items
start from the checklist: every component not ticked is an item, with what the officer wrote for it, then the extra
lines typed below it — each item once. Labels come from the transitions' declared fields; the engine checks again.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dossiers import workflow
from dossiers.forms import ItemsField

RECEIVE, SUPPLEMENT, REFUSE = "receive", "supplement", "refuse"
OUTCOMES = (
    (RECEIVE, _("Tiếp nhận")),
    (SUPPLEMENT, _("Hồ sơ chưa đầy đủ")),
    (REFUSE, _("Không đủ điều kiện tiếp nhận")),
)
T4 = {f.name: f for f in workflow.TRANSITIONS["request_supplement_intake"].fields}
T5 = {f.name: f for f in workflow.TRANSITIONS["refuse"].fields}
DEFAULT_MISSING = _("Chưa có trong hồ sơ, cần nộp bổ sung.")

# The form field each of the engine's input names lands on, per outcome (to show its refusal where it belongs).
ENGINE_FIELDS = {
    RECEIVE: {"note": "receive_note"},
    SUPPLEMENT: {"note": "supplement_note", "items": "supplement_extra", "legal_basis": "supplement_legal_basis"},
    REFUSE: {"note": "refusal_note", "legal_basis": "refusal_legal_basis"},
}


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class OutcomeForm(forms.Form):
    """What the supplement request and the refusal ask for; `outcome` is the clicked button's value (a form resent
    without one, by an older page or a script, receives — as the intake always did)."""

    supplement_note = forms.CharField(
        label=_("Lý do yêu cầu bổ sung"),
        max_length=4000,
        required=False,
        widget=_textarea(2),
        initial=_("Hồ sơ chưa đầy đủ thành phần, số lượng theo quy định của thủ tục hành chính."),
    )
    supplement_extra = ItemsField(
        label=_("Nội dung khác cần bổ sung, hoàn thiện"),
        required=False,
        help_text=_("Mỗi dòng một nội dung: “Tên giấy tờ: nội dung cần sửa, bổ sung”."),
        widget=_textarea(2),
    )
    supplement_legal_basis = forms.CharField(label=T4["legal_basis"].label, max_length=1000, required=False)
    refusal_note = forms.CharField(
        label=_("Lý do không tiếp nhận"),
        max_length=4000,
        required=False,
        widget=_textarea(3),
        help_text=_("Nêu cụ thể lý do (không thuộc thẩm quyền, không phải thủ tục của cơ quan, không đủ điều kiện…)."),
    )
    refusal_legal_basis = forms.CharField(label=T5["legal_basis"].label, max_length=1000, required=False)

    def __init__(self, *args, outcome: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcome = outcome or RECEIVE
        self.missing_rows: list[dict] = []

    def add_missing_fields(self, documents, *, mandatory) -> None:
        """One "what is missing" box per component, shown in the supplement part while the component is not ticked;
        `mandatory(document)` tells whether the procedure requires it."""
        self.missing_rows = []
        for document in documents:
            name = f"missing_{document.pk}"
            self.fields[name] = forms.CharField(
                label=document.name, max_length=500, required=False, widget=forms.TextInput(attrs={"size": 40})
            )
            self.missing_rows.append({"document": document, "field": self[name], "mandatory": mandatory(document)})

    def clean_outcome_input(self, data: dict, missing: list[dict]) -> None:
        """Check what the chosen outcome needs; `missing` is the components not ticked, as supplement items."""
        outcome = self.outcome
        if outcome not in dict(OUTCOMES):
            self.add_error(None, _("Kết quả kiểm tra hồ sơ không hợp lệ."))
        elif outcome == SUPPLEMENT:
            if not (data.get("supplement_note") or "").strip():
                self.add_error("supplement_note", _("Cần nêu rõ lý do yêu cầu bổ sung."))
            data["items"] = supplement_items(missing, data.get("supplement_extra") or [])
            if not data["items"]:
                self.add_error(
                    "supplement_extra",
                    _(
                        "Chưa có nội dung cần bổ sung: mọi giấy tờ đã được đánh dấu. Ghi nội dung cần sửa, bổ sung "
                        "hoặc chọn “Tiếp nhận”."
                    ),
                )
        elif outcome == REFUSE and not (data.get("refusal_note") or "").strip():
            self.add_error("refusal_note", _("Cần nêu rõ lý do không tiếp nhận hồ sơ."))

    def engine_error(self, field: str | None, message: str) -> None:
        """Show an engine refusal on the form field it concerns, else at the top of the form."""
        name = ENGINE_FIELDS.get(self.outcome, {}).get(field or "", field)
        self.add_error(name if name in self.fields else None, message)

    def missing_item(self, document, *, mandatory: bool, form: str, count: int) -> dict | None:
        """A component not ticked, as a supplement item: what the officer wrote, else the default wording. An optional
        component ("nếu có") not handed in is an item only when the officer wrote something for it."""
        content = (self.cleaned_data.get(f"missing_{document.pk}") or "").strip()
        if not mandatory and not content:
            return None
        return {"document": document.name, "content": content or str(DEFAULT_MISSING), "form": form, "count": count}


def supplement_items(missing: list[dict], extra: list[dict]) -> list[dict]:
    """Every item once: the components not ticked, then each extra line — a line about one of those components adds
    to its item, the same line twice is kept once."""
    items = [dict(item) for item in missing]
    by_name = {item["document"].casefold(): item for item in items}
    seen = set()
    for line in extra:
        document, content = line["document"].strip(), (line.get("content") or "").strip()
        key = (document.casefold(), content.casefold())
        if key in seen:
            continue
        seen.add(key)
        same = by_name.get(document.casefold())
        if same is not None:
            if content and content.casefold() not in same["content"].casefold():
                same["content"] = content if same["content"] == str(DEFAULT_MISSING) else f"{same['content']} {content}"
            continue
        items.append({"document": document, "content": content})
    return items
