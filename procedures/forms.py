from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.models import Level, OnlineMode
from procedures.selectors import filter_choices

# A procedure name runs to ~570 characters, but nobody types that: a longer query is refused, not truncated.
QUERY_MAX_LENGTH = 200


class ProcedureSearchForm(forms.Form):
    """The catalogue's search box and filters (GET).

    An unknown filter value is dropped, not an error (a stale link still lists something); an invalid query
    (too long, a NUL character) is refused with `query_errors`, and then nothing is listed.
    """

    q = forms.CharField(
        label=_("Tên hoặc mã thủ tục"),
        required=False,
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "max_length": _("Từ khóa tìm kiếm dài quá %(limit_value)d ký tự: hãy nhập tên hoặc mã thủ tục ngắn hơn."),
            "null_characters_not_allowed": _("Từ khóa tìm kiếm chứa ký tự không hợp lệ."),
        },
    )
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    level = forms.ChoiceField(label=_("Cấp thực hiện"), required=False)
    agency = forms.ChoiceField(label=_("Cơ quan giải quyết"), required=False)
    online_mode = forms.ChoiceField(label=_("Mức độ trực tuyến"), required=False)
    everywhere = forms.BooleanField(label=_("Tìm cả trong giấy tờ, kết quả, căn cứ pháp lý"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("Tất cả"))]
        choices = filter_choices()
        self.fields["field"].choices = every + choices["fields"]
        self.fields["level"].choices = every + Level.choices
        self.fields["agency"].choices = every + choices["agencies"]
        self.fields["online_mode"].choices = every + OnlineMode.choices
        self.fields["q"].widget.input_type = "search"

    def query_errors(self) -> list[str]:
        """Why the search text is refused; empty when it is usable."""
        self.is_valid()
        return list(self.errors.get("q", []))

    def filters(self) -> dict[str, str]:
        """Keyword arguments for procedures.selectors.procedure_search, from the valid fields only."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q") or "",
            "field": data.get("field") or None,
            "level": data.get("level") or None,
            "agency": data.get("agency") or None,
            "online_mode": data.get("online_mode") or None,
            "everywhere": bool(data.get("everywhere")),
        }
