"""The TOTP step after the password, for staff (docs/authentication.md): enrolment the first time, a code after."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import second_factor

WRONG_CODE = _(
    "Mã xác thực không đúng, đã được dùng hoặc đã hết hạn. Hãy nhập mã mới đang hiển thị trong ứng dụng xác thực."
)


class TotpForm(forms.Form):
    code = forms.CharField(
        label=_("Mã xác thực"),
        max_length=16,
        help_text=_("6 chữ số trong ứng dụng xác thực, hoặc một mã khôi phục."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _next(request) -> str:
    """Where to go after the step: the `next` given, only when it is on this host, else where signing in lands."""
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@require_http_methods(["GET", "POST"])
def otp_step(request):
    """Staff enrol or give a code; anyone else (anonymous, citizens, verified sessions) goes on to `next`, whose
    own access rule then applies."""
    next_url = _next(request)
    if not second_factor.is_staff_account(request.user) or second_factor.session_verified(request):
        return redirect(next_url)
    form = TotpForm(request.POST or None)
    device = second_factor.confirmed_totp(request.user)
    context = {"form": form, "next": next_url}
    if device is None:
        # No recovery code exists before enrolment: the field asks for the app's code only.
        form.fields["code"].help_text = _("6 chữ số đang hiển thị trong ứng dụng xác thực.")
        pending = second_factor.pending_totp(request.user)
        if request.method == "POST" and form.is_valid():
            codes = second_factor.enrol(request, pending, form.cleaned_data["code"])
            if codes is not None:
                return render(request, "accounts/otp_recovery.html", {"codes": codes, "next": next_url})
            form.add_error("code", WRONG_CODE)
        context |= {"qr_svg": second_factor.qr_svg(pending), "secret": second_factor.secret_base32(pending)}
        return render(request, "accounts/otp_enrol.html", context)
    if request.method == "POST" and form.is_valid():
        if second_factor.verify(request, form.cleaned_data["code"]):
            return redirect(next_url)
        form.add_error("code", WRONG_CODE)
    return render(request, "accounts/otp_verify.html", context)
