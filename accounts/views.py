"""A citizen's own account: sign up with an e-mail address or a mobile number, confirm with a code, reset the
password, keep the profile that pre-fills forms (issue 9; VNeID comes later)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from accounts.forms import CodeForm, PhoneResetCodeForm, ProfileForm, ResetRequestForm, SignupForm
from accounts.models import CitizenProfile, CodePurpose, User
from accounts.otp import CodeRefused, Identifier, check_code, identifier_of, issue_code, resend_wait
from portal.access import citizen_only

SIGNUP_SESSION = "accounts.signup_user"
RESET_SESSION = "accounts.reset_phone"
RESET_FAKE_ATTEMPTS = "accounts.reset_attempts"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _holder(identifier: Identifier) -> User | None:
    """The account already using this e-mail address or number, if any."""
    match = Q(username__iexact=identifier.value)
    match |= Q(email__iexact=identifier.value) if identifier.kind == "email" else Q(phone=identifier.value)
    return User.objects.filter(match).order_by("pk").first()


DUPLICATE = _lazy(
    "Không thể đăng ký bằng thông tin này. Nếu đây là thư điện tử hoặc số điện thoại của bạn, hãy đăng nhập hoặc "
    "dùng chức năng quên mật khẩu."
)


def _start_signup(holder: User | None, identifier: Identifier, data: dict) -> User:
    """The inactive account (new, or an unconfirmed one started again) and a code sent unless one just left."""
    with transaction.atomic():
        user = holder or User(username=identifier.value, is_active=False)
        user.full_name = data["full_name"]
        user.email = identifier.value if identifier.kind == "email" else ""
        user.phone = identifier.value if identifier.kind == "phone" else ""
        user.set_password(data["password1"])
        user.save()
        if resend_wait(user, CodePurpose.SIGNUP) == 0:
            issue_code(user, CodePurpose.SIGNUP, identifier)
    return user


def _never_confirmed(user: User) -> bool:
    return not user.is_active and user.last_login is None and user.codes.filter(purpose=CodePurpose.SIGNUP).exists()


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier, user = form.cleaned_data["identifier"], None
        holder = _holder(identifier)
        if holder is None or _never_confirmed(holder):
            try:
                user = _start_signup(holder, identifier, form.cleaned_data)
            except IntegrityError:  # the same identifier signed up a moment ago, in another request
                user = None
        if user is None:
            form.add_error("identifier", DUPLICATE)
        else:
            request.session[SIGNUP_SESSION] = user.pk
            return redirect("accounts:confirm")
    return render(request, "accounts/signup.html", {"form": form})


def _sent_to(identifier: Identifier) -> str:
    if identifier.kind == "email":
        return _("Chúng tôi đã gửi mã xác nhận gồm 6 chữ số tới thư điện tử {to}.").format(to=identifier.value)
    return _("Chúng tôi đã gửi mã xác nhận gồm 6 chữ số bằng tin nhắn tới số {to}.").format(to=identifier.value)


def _resend(request, user: User, purpose: str, identifier: Identifier) -> None:
    wait = resend_wait(user, purpose)
    if wait:
        messages.warning(request, _("Vui lòng đợi {seconds} giây rồi bấm “Gửi lại mã”.").format(seconds=wait))
    else:
        issue_code(user, purpose, identifier)
        messages.success(request, _("Đã gửi mã mới. Mã cũ không còn dùng được."))


@require_http_methods(["GET", "POST"])
def confirm(request):
    user = User.objects.filter(pk=request.session.get(SIGNUP_SESSION), is_active=False).first()
    if user is None:
        return render(request, "accounts/confirm.html", {"expired": True})
    identifier = identifier_of(user)
    form = CodeForm(request.POST if "code" in request.POST else None)
    if request.method == "POST" and "resend" in request.POST:
        _resend(request, user, CodePurpose.SIGNUP, identifier)
        return redirect("accounts:confirm")
    if request.method == "POST" and form.is_valid():
        try:
            check_code(user, CodePurpose.SIGNUP, form.cleaned_data["code"])
        except CodeRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            user.is_active = True
            user.save(update_fields=["is_active"])
            request.session.pop(SIGNUP_SESSION, None)
            login(request, user, backend=BACKEND)
            messages.success(
                request, _("Tài khoản đã được kích hoạt. Hãy khai thông tin cá nhân để dùng khi nộp hồ sơ.")
            )
            return redirect("accounts:profile")
    return render(request, "accounts/confirm.html", {"form": form, "sent_to": _sent_to(identifier)})


@require_http_methods(["GET", "POST"])
def password_reset(request):
    """Django's reset by e-mail, and the same by phone with a code; the answer never says whether an account
    exists."""
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.identifier
        if identifier.kind == "email":
            form.save(
                request=request,
                use_https=request.is_secure(),
                subject_template_name="registration/password_reset_subject.txt",
                email_template_name="registration/password_reset_email.txt",
            )
            return redirect("password_reset_done")
        user = User.objects.filter(phone=identifier.value, is_active=True).order_by("pk").first()
        if user is not None and user.has_usable_password() and resend_wait(user, CodePurpose.RESET) == 0:
            issue_code(user, CodePurpose.RESET, identifier)
        request.session[RESET_SESSION] = identifier.value
        request.session[RESET_FAKE_ATTEMPTS] = 0
        return redirect("accounts:password-reset-phone")
    return render(request, "registration/password_reset_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_phone(request):
    phone = request.session.get(RESET_SESSION)
    if not phone:
        return redirect("password_reset")
    user = User.objects.filter(phone=phone, is_active=True).order_by("pk").first()
    form = PhoneResetCodeForm(user or User(), request.POST if "code" in request.POST else None)
    if request.method == "POST" and "resend" in request.POST:
        if user is not None:
            _resend(request, user, CodePurpose.RESET, Identifier("phone", phone))
        else:
            messages.success(request, _("Đã gửi mã mới. Mã cũ không còn dùng được."))
        return redirect("accounts:password-reset-phone")
    if request.method == "POST" and form.is_valid():
        try:
            if user is None:
                _refuse_unknown(request)
            check_code(user, CodePurpose.RESET, form.cleaned_data["code"])
        except CodeRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            form.save()
            request.session.pop(RESET_SESSION, None)
            messages.success(request, _("Đã đặt mật khẩu mới. Hãy đăng nhập bằng số điện thoại và mật khẩu mới."))
            return redirect("login")
    return render(request, "accounts/password_reset_phone.html", {"form": form, "phone": phone})


def _refuse_unknown(request) -> None:
    """A number with no account answers as a known one would: the same words, the same count of tries."""
    tries = request.session.get(RESET_FAKE_ATTEMPTS, 0) + 1
    request.session[RESET_FAKE_ATTEMPTS] = tries
    left = settings.OTP_MAX_ATTEMPTS - tries
    resend = _("Hãy bấm “Gửi lại mã” để nhận mã mới.")
    if left < 0:
        raise CodeRefused(_("Bạn đã nhập sai quá {n} lần.").format(n=settings.OTP_MAX_ATTEMPTS) + " " + resend)
    if left == 0:
        raise CodeRefused(_("Mã xác nhận không đúng. Bạn đã hết lượt nhập.") + " " + resend)
    raise CodeRefused(_("Mã xác nhận không đúng. Bạn còn {left} lần thử.").format(left=left))


@citizen_only()
@require_http_methods(["GET", "POST"])
def profile(request):
    """The signed-in citizen's own profile; there is no URL for anyone else's."""
    user = request.user
    instance = CitizenProfile.objects.filter(user=user).first() or CitizenProfile(
        user=user, full_name=user.full_name, email=user.email, phone=user.phone
    )
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Đã lưu thông tin cá nhân."))
        return redirect(reverse("accounts:profile"))
    return render(request, "accounts/profile.html", {"form": form, "created": instance.pk is not None})
