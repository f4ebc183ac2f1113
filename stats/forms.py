"""The dashboard's query string (docs/dashboard.md "URL contract"): period, presets and filters, read the same way by
the dashboard, the drill-down and the exports.

`from` / `to` are ISO dates (yyyy-mm-dd; dd/mm/yyyy is accepted too), local days of Asia/Ho_Chi_Minh, both
included; a `preset` (this month, last month, this quarter, this year — the periods of Decision 766) replaces them.
`agency` narrows the reader's scope to an agency's subtree (`own=1`: that agency alone); an agency outside the scope
is the view's 404, not a form error, so the answer never tells whether it exists.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import Channel
from procedures.models import Field, Procedure
from stats.selectors import Period

# The longest period a page sums (a few years of daily rows stays one cheap aggregate; beyond, ask for a year).
MAX_DAYS = 5 * 366
PRESETS = {
    "month": _("Tháng này"),
    "last_month": _("Tháng trước"),
    "quarter": _("Quý này"),
    "year": _("Năm nay"),
}


def preset_period(name: str, *, today: dt.date) -> Period:
    """The period a preset names, ending today for the running month, quarter and year (Decision 766 periods)."""
    if name == "last_month":
        end = today.replace(day=1) - dt.timedelta(days=1)
        return Period(end.replace(day=1), end)
    if name == "quarter":
        return Period(dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today)
    if name == "year":
        return Period(dt.date(today.year, 1, 1), today)
    return Period(today.replace(day=1), today)


def _pick(model_label: str):
    return {"invalid_choice": _("Không tìm thấy {what} đã chọn.").format(what=model_label)}


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")  # ISO in the links between pages, dd/mm/yyyy as people type dates


def parse_day(value: str | None) -> dt.date | None:
    """A date in one of DATE_FORMATS, None when empty or not understood (the caller says so)."""
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime((value or "").strip(), fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


class FiguresForm(forms.Form):
    """The GET parameters of every dashboard page; invalid input gives Vietnamese messages, never an error page."""

    preset = forms.ChoiceField(
        label=_("Kỳ báo cáo"),
        required=False,
        choices=[("", _("Tùy chọn")), *PRESETS.items()],
        error_messages={"invalid_choice": _("Kỳ báo cáo không hợp lệ.")},
    )
    agency = forms.IntegerField(
        label=_("Cơ quan"), required=False, min_value=1, error_messages={"invalid": _("Mã cơ quan không hợp lệ.")}
    )
    own = forms.BooleanField(label=_("Chỉ cơ quan này (không gồm đơn vị trực thuộc)"), required=False)
    field = forms.ModelChoiceField(
        label=_("Lĩnh vực"),
        required=False,
        queryset=Field.objects.order_by("name"),
        empty_label=_("Tất cả lĩnh vực"),
        error_messages=_pick(_("lĩnh vực")),
    )
    procedure = forms.ModelChoiceField(
        label=_("Thủ tục"),
        required=False,
        queryset=Procedure.objects.select_related("current_version"),
        error_messages=_pick(_("thủ tục")),
    )
    channel = forms.TypedChoiceField(
        label=_("Kênh nộp"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Tất cả các kênh")), *Channel.choices],
        error_messages={"invalid_choice": _("Kênh nộp không hợp lệ.")},
    )

    def __init__(self, data=None, *, today: dt.date | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.today = today or timezone.localdate()
        # `from` is a Python keyword: declared here, under the name the URL carries.
        for name, label in (("from", _("Từ ngày")), ("to", _("Đến ngày"))):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                input_formats=list(DATE_FORMATS),
                error_messages={"invalid": _("Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm.")},
            )
        self.order_fields(["preset", "from", "to", "agency", "field", "procedure", "channel", "own"])

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset:
            period = preset_period(preset, today=self.today)
        elif "from" in self.errors or "to" in self.errors:
            return data
        else:
            default = preset_period("month", today=self.today)
            start, end = data.get("from"), data.get("to")
            if start is None and end is None:
                preset = data["preset"] = "month"
            period = Period(start or (end or default.end).replace(day=1), end or max(start or default.end, self.today))
            if period.end < period.start:
                raise forms.ValidationError(_("Ngày kết thúc phải sau hoặc trùng ngày bắt đầu."))
            if period.days > MAX_DAYS:
                raise forms.ValidationError(_("Khoảng thời gian tối đa là 5 năm; hãy chọn khoảng ngắn hơn."))
        data["period"] = period
        data["preset"] = preset or ""
        return data
