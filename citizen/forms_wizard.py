"""The wizard's forms: parse and check what the citizen typed; the drafts engine (dossiers/drafts.py) stores it."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from dossiers.drafts import Person
from dossiers.models import ReturnMethod

personal_id_validator = RegexValidator(r"^\d{12}$", _("Số định danh cá nhân gồm đúng 12 chữ số."))
phone_validator = RegexValidator(r"^\+?\d{9,15}$", _("Số điện thoại chỉ gồm chữ số (9–15 số)."))
DATE_INPUT = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})


class StartForm(forms.Form):
    """The start page: the receiving agency (a choice when the procedure has several) and the form's client key."""

    client_key = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)
    agency = forms.ModelChoiceField(
        queryset=None,
        label=_("Cơ quan tiếp nhận hồ sơ"),
        empty_label=None,
        help_text=_("Cơ quan sẽ tiếp nhận và giải quyết hồ sơ của bạn."),
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class CaseForm(forms.Form):
    case = forms.ModelChoiceField(
        queryset=None,
        label=_("Trường hợp của bạn"),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Vui lòng chọn một trường hợp.")},
    )

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = lambda case: case.name


class PersonForm(forms.Form):
    """The applicant (prefix "applicant") or the representative (prefix "rep")."""

    name = forms.CharField(label=_("Họ và tên"), max_length=255)
    personal_id = forms.CharField(
        label=_("Số định danh cá nhân"),
        max_length=12,
        validators=[personal_id_validator],
        help_text=_("12 chữ số, in trên thẻ căn cước."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"), required=False, input_formats=["%d/%m/%Y"], widget=DATE_INPUT, help_text="dd/mm/yyyy"
    )
    address = forms.CharField(
        label=_("Địa chỉ thường trú"), max_length=255, help_text=_("Số nhà, đường, xã/phường, tỉnh/thành phố.")
    )
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Để cơ quan liên hệ khi cần."),
    )
    email = forms.EmailField(label=_("Thư điện tử"), required=False, help_text=_("Không bắt buộc."))

    def person(self) -> Person:
        return Person(**self.cleaned_data)


class RepresentativeForm(PersonForm):
    """Optional: only checked when the citizen ticks "Nộp thay / theo ủy quyền"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].required = False
        self.fields["address"].required = False
        self.fields["personal_id"].help_text = _("12 chữ số của người được ủy quyền.")


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Cách nhận kết quả"),
        choices=[
            (ReturnMethod.ONLINE, _("Nhận trực tuyến trên Cổng (tải về bản điện tử)")),
            (ReturnMethod.COUNTER, ReturnMethod.COUNTER.label),
            (ReturnMethod.POST, ReturnMethod.POST.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Vui lòng chọn cách nhận kết quả.")},
    )
    delivery_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả qua bưu chính"),
        max_length=255,
        required=False,
        help_text=_("Chỉ cần khi chọn nhận qua bưu chính công ích; cước phí do người nhận trả."),
    )

    def clean(self):
        data = super().clean()
        if data.get("method") == ReturnMethod.POST and not (data.get("delivery_address") or "").strip():
            self.add_error("delivery_address", _("Nhận kết quả qua bưu chính cần địa chỉ nhận."))
        return data
