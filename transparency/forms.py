from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyLevel
from transparency.selectors import BY_AGENCY, BY_PROCEDURE, SORT_FAST, SORT_NAME, SORT_ON_TIME

QUERY_MAX_LENGTH = 200


class FigureFilterForm(forms.Form):
    """The transparency page's search and filters (GET). An invalid value is dropped and reported (`problems`),
    the rest still applies: a stale or mistyped link lists something and says what it ignored."""

    view = forms.ChoiceField(
        label=_("Xem theo"),
        required=False,
        choices=[(BY_PROCEDURE, _("Thủ tục tại từng cơ quan")), (BY_AGENCY, _("Cơ quan (mọi thủ tục)"))],
    )
    q = forms.CharField(label=_("Tên hoặc mã thủ tục"), required=False, max_length=QUERY_MAX_LENGTH)
    agency = forms.ChoiceField(label=_("Cơ quan giải quyết"), required=False)
    level = forms.ChoiceField(label=_("Cấp cơ quan"), required=False)
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[
            (SORT_NAME, _("Theo tên")),
            (SORT_ON_TIME, _("Tỷ lệ đúng hạn cao trước")),
            (SORT_FAST, _("Thời gian giải quyết ngắn trước")),
        ],
    )

    def __init__(self, *args, agencies: list[Agency], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("Tất cả"))]
        self._agencies = {agency.e_identifier: agency for agency in agencies}
        self.fields["agency"].choices = every + [(agency.e_identifier, agency.name) for agency in agencies]
        present = {agency.level for agency in agencies}
        levels = [(value, label) for value, label in AgencyLevel.choices if value in present]
        self.fields["level"].choices = every + levels
        self.fields["q"].widget.input_type = "search"

    def problems(self) -> list[str]:
        """What was ignored, in words a visitor understands."""
        self.is_valid()
        return [
            _("{field}: giá trị không hợp lệ, đã bỏ qua.").format(field=self.fields[name].label) for name in self.errors
        ]

    def filters(self) -> dict:
        """Keyword arguments for transparency.selectors.public_figures, from the valid fields only."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        agency = self._agencies.get(data.get("agency") or "")
        return {
            "group": data.get("view") or BY_PROCEDURE,
            "query": data.get("q") or "",
            "agency_id": agency.pk if agency else None,
            "level": data.get("level") or None,
            "sort": data.get("sort") or SORT_NAME,
        }
