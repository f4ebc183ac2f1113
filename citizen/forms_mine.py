"""The citizen's two forms on their dossier: the supplement answer (one file per requested item and a note) and the
withdrawal (a confirmation and an optional reason). They check the shape only; the rules are the engine's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dossiers.files import ALLOWED_LABEL

NOTE_MAX = 4000  # the engine's note (dossiers/workflow.py `_note`)


class SupplementForm(forms.Form):
    """One required file per item of the request (`item_<n>`), and a note for the desk."""

    note = forms.CharField(
        label=_("Ghi chú gửi Bộ phận Một cửa (nếu có)"), required=False, max_length=NOTE_MAX, widget=forms.Textarea
    )

    def __init__(self, *args, items: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"item_{item['index']}"] = forms.FileField(
                label=item["document"],
                help_text=_("Tệp {allowed}.").format(allowed=ALLOWED_LABEL),
                error_messages={"required": _("Cần chọn tệp cho “{name}”.").format(name=item["document"])},
            )

    def item_rows(self):
        """(item, its bound file field) in the request's order, for the template."""
        return [(item, self[f"item_{item['index']}"]) for item in self.items]

    def uploads(self) -> list[tuple]:
        """(component or None, uploaded file) per item, for `dossiers.services.dossier_supplement_supply`."""
        return [(item["component"], self.cleaned_data[f"item_{item['index']}"]) for item in self.items]


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Tôi đề nghị rút hồ sơ này và dừng giải quyết"),
        error_messages={"required": _("Cần đánh dấu xác nhận để rút hồ sơ.")},
    )
    note = forms.CharField(
        label=_("Lý do (nếu có)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Pháp luật không bắt buộc nêu lý do rút hồ sơ."),
    )
