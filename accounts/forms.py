"""The citizen's own account: sign-up, the code, a password reset by phone, the profile (docs/domain.md §2)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import CitizenProfile, User
from accounts.otp import Identifier, parse_identifier, put_mail

IDENTIFIER_HELP = _("Thư điện tử (ví dụ: ten@example.vn) hoặc số điện thoại di động 10 số (ví dụ: 0912345678).")
IDENTIFIER_INVALID = _("Hãy nhập một địa chỉ thư điện tử hoặc một số điện thoại di động Việt Nam gồm 10 chữ số.")


class IdentifierField(forms.CharField):
    """An e-mail address or a Vietnamese mobile number; cleaned to an `Identifier`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Thư điện tử hoặc số điện thoại"))
        kwargs.setdefault("help_text", IDENTIFIER_HELP)
        kwargs.setdefault("max_length", 150)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "username", "autofocus": True})

    def clean(self, value) -> Identifier:
        value = super().clean(value)
        identifier = parse_identifier(value)
        if identifier is None:
            raise forms.ValidationError(IDENTIFIER_INVALID, code="invalid")
        return identifier


class LoginForm(AuthenticationForm):
    """Django's sign-in, reading an e-mail address or a mobile number as people type it (upper case, spaces, +84)."""

    def clean_username(self) -> str:
        typed = self.cleaned_data.get("username", "")
        identifier = parse_identifier(typed)
        if identifier is not None and User.objects.filter(username=identifier.value).exists():
            return identifier.value
        return typed


class SignupForm(forms.Form):
    identifier = IdentifierField()
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 8 ký tự, không quá giống họ tên, không quá phổ biến và không chỉ gồm chữ số."),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean(self):
        data = super().clean()
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("Hai mật khẩu không khớp."))
        elif one:
            identifier = data.get("identifier")
            probe = User(username=identifier.value if identifier else "", full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(one, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác nhận (6 chữ số)"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}", "autofocus": True}
        ),
        error_messages={"min_length": _("Mã xác nhận gồm 6 chữ số."), "max_length": _("Mã xác nhận gồm 6 chữ số.")},
    )

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("Mã xác nhận gồm 6 chữ số."))
        return code


class PhoneResetCodeForm(CodeForm, SetPasswordForm):
    """The code sent to the phone and the new password, on one page."""

    field_order = ["code", "new_password1", "new_password2"]


class ResetRequestForm(PasswordResetForm):
    """Django's reset form, asked for an e-mail address or a mobile number; the e-mail leaves through the outbox."""

    email = IdentifierField()

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        from django.template import loader

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        put_mail(subject=subject, body=body, to=to_email)

    def clean_email(self) -> str:
        self.identifier = self.cleaned_data["email"]
        return self.identifier.value


# The channels a citizen takes news of their dossiers on (dossiers/notifications.py).
CHANNELS = ("notify_email", "notify_sms")


class ProfileForm(forms.ModelForm):
    date_of_birth = forms.DateField(
        label=_("Ngày sinh"),
        required=False,
        input_formats=["%d/%m/%Y"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        error_messages={"invalid": _("Hãy nhập ngày sinh theo dạng ngày/tháng/năm, ví dụ 02/09/1990.")},
    )

    class Meta:
        model = CitizenProfile
        fields = ["full_name", "personal_id", "date_of_birth", "phone", "email", "address", *CHANNELS]
        widgets = {"personal_id": forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12})}
        error_messages = {
            "personal_id": {"unique": _("Số định danh này đã được khai cho một tài khoản khác.")},
        }
        help_texts = {
            "personal_id": _("12 chữ số, in trên thẻ căn cước."),
            "notify_email": _("Gửi tới địa chỉ thư điện tử ở trên."),
            "notify_sms": _("Gửi tới số điện thoại ở trên."),
        }

    def personal_fields(self):
        """The personal data, laid out as a grid; the notification channels are a group of their own."""
        return [field for field in self if field.name not in CHANNELS]

    def channel_fields(self):
        return [field for field in self if field.name in CHANNELS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.user.vneid_sub:
            # Asserted by VNeID (accounts/vneid.py): changed only through the desk, never by the account itself.
            self.fields["personal_id"].disabled = True
            self.fields["personal_id"].help_text = _("Đã xác thực qua VNeID.")

    def clean_date_of_birth(self):
        born = self.cleaned_data.get("date_of_birth")
        if born is not None and not (dt.date(1900, 1, 1) <= born <= timezone.localdate()):
            raise forms.ValidationError(_("Ngày sinh không hợp lệ."))
        return born

    def clean_personal_id(self) -> str:
        return self.cleaned_data["personal_id"].strip()
