"""The desk queue's GET parameters, validated: a bad value is a Vietnamese message next to its field, never a 500."""

from django import forms
from django.utils.translation import gettext_lazy as _

from desk.selectors_queue import SECTIONS, QueueFilters
from dossiers.models import OPEN_STATUSES, Channel
from dossiers.workflow import Status

DATE_FORMATS = ["%d/%m/%Y"]
DATE_ERROR = _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy (ví dụ 01/03/2026).")
CHOICE_ERROR = _("Giá trị không hợp lệ; hãy chọn trong danh sách.")


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100, strip=True)
    procedure = forms.TypedChoiceField(
        label=_("Thủ tục"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        # The queue holds open dossiers only: a finished status would only ever show empty sections.
        choices=[("", _("Tất cả")), *((s.value, s.label) for s in Status if s in OPEN_STATUSES)],
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    channel = forms.TypedChoiceField(
        label=_("Kênh nộp"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả")), *Channel.choices],
        error_messages={"invalid_choice": CHOICE_ERROR},
    )
    received_from = forms.DateField(
        label=_("Tiếp nhận từ ngày"), required=False, input_formats=DATE_FORMATS, error_messages={"invalid": DATE_ERROR}
    )
    received_to = forms.DateField(
        label=_("Đến ngày"), required=False, input_formats=DATE_FORMATS, error_messages={"invalid": DATE_ERROR}
    )
    section = forms.ChoiceField(
        required=False, choices=[("", ""), *((key, key) for key in SECTIONS)], widget=forms.HiddenInput
    )
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000, widget=forms.HiddenInput)

    def __init__(self, *args, procedures: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("Tất cả thủ tục")), *procedures]

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
        return data

    def filters(self) -> QueueFilters:
        """The valid filters; a field with an error is left out (the page says why)."""
        data = self.cleaned_data
        # A period is one filter: when either end is wrong, neither is applied.
        period_ok = "received_from" not in self.errors and "received_to" not in self.errors
        return QueueFilters(
            procedure_id=data.get("procedure"),
            status=data.get("status") or "",
            channel=data.get("channel"),
            received_from=data.get("received_from") if period_ok else None,
            received_to=data.get("received_to") if period_ok else None,
        )
