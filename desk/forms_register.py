"""The tracking register's period (?from=dd/mm/yyyy&to=dd/mm/yyyy, the same parameters as its PDF)."""

from __future__ import annotations

import calendar
import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from desk.forms_queue import DATE_ERROR, DATE_FORMATS
from dossiers.printing import MAX_REGISTER_DAYS


def this_month(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of `today`'s month: the register's default period."""
    last = calendar.monthrange(today.year, today.month)[1]
    return today.replace(day=1), today.replace(day=last)


class RegisterPeriodForm(forms.Form):
    """From and to (local dates, inclusive, at most a quarter) and the page; a bad value is named in Vietnamese."""

    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    def __init__(self, data, *, today: dt.date):
        start, end = this_month(today)
        super().__init__(data, initial={"from": start, "to": end})
        # "from" is a Python keyword: the two fields are added by name.
        for name, label in (("from", _("Từ ngày")), ("to", _("Đến ngày"))):
            self.fields[name] = forms.DateField(
                label=label,
                required=False,
                input_formats=DATE_FORMATS,
                error_messages={"invalid": DATE_ERROR},
                widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
            )
        self.default = (start, end)

    def clean(self):
        data = super().clean()
        start = data.get("from") or self.default[0]
        end = data.get("to") or self.default[1]
        if "from" in self.errors or "to" in self.errors:
            return data
        if start > end:
            self.add_error("to", _("Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."))
        elif (end - start).days >= MAX_REGISTER_DAYS:
            self.add_error("to", _("Khoảng thời gian tối đa {days} ngày.").format(days=MAX_REGISTER_DAYS))
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The period asked for, or this month when it is missing or invalid."""
        if not self.is_bound or not self.is_valid():
            return self.default
        return (self.cleaned_data.get("from") or self.default[0], self.cleaned_data.get("to") or self.default[1])

    def page_number(self) -> int:
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("page") or 1
        return 1
