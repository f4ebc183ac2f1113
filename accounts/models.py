"""Users: citizens with a profile, staff attached to an agency with a role (docs/domain.md §2)."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

personal_id_validator = RegexValidator(r"^\d{12}$", _("Số định danh cá nhân gồm đúng 12 chữ số."))
phone_validator = RegexValidator(r"^\+?\d{9,15}$", _("Số điện thoại không hợp lệ."))


class AssuranceLevel(models.IntegerChoices):
    """Level of assurance of an electronic identification account (Decree 69/2024/NĐ-CP Art. 12): 0 when the
    account never signed in through VNeID (a password account of this portal)."""

    NONE = 0, _("Chưa xác thực định danh điện tử")
    LEVEL_1 = 1, _("Định danh điện tử mức độ 1")
    LEVEL_2 = 2, _("Định danh điện tử mức độ 2")


class VneidAccountType(models.IntegerChoices):
    """`LoaiTaiKhoan` of the national SSO (docs/domain.md §10.3)."""

    CITIZEN = 1, _("Công dân")
    ENTERPRISE = 2, _("Doanh nghiệp")
    ORGANISATION = 3, _("Tổ chức")


class User(AbstractUser):
    """A person who signs in: a citizen, a staff member, or both."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True, validators=[phone_validator])
    # Set by the last sign-in through VNeID (accounts/vneid.py); a procedure may require a level (docs/vneid.md).
    loa = models.PositiveSmallIntegerField(
        _("mức độ định danh điện tử"), choices=AssuranceLevel.choices, default=AssuranceLevel.NONE
    )
    vneid_sub = models.CharField(
        _("mã tài khoản VNeID (sub)"), max_length=255, null=True, blank=True, unique=True, editable=False
    )
    # `TechID`: the national user id, sent to the national portal as `MaDoiTuong` (§10.1).
    vneid_tech_id = models.CharField(_("mã định danh người dùng quốc gia"), max_length=100, blank=True)
    vneid_account_type = models.PositiveSmallIntegerField(
        _("loại tài khoản VNeID"), choices=VneidAccountType.choices, null=True, blank=True
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def staff_role(self) -> str | None:
        profile = getattr(self, "staff_profile", None)
        return profile.role if profile is not None else None


class Gender(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")


class CitizenProfile(models.Model):
    """Tổ chức, cá nhân: the identity a citizen files dossiers under."""

    user = models.OneToOneField(
        User, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="citizen_profile"
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    personal_id = models.CharField(
        _("số định danh cá nhân"), max_length=12, unique=True, validators=[personal_id_validator]
    )
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("thư điện tử"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    # The channels the citizen wants news of their dossiers on (dossiers/notifications.py); each is used only when
    # its address is known, so "on" by default means "wherever we can reach you".
    notify_email = models.BooleanField(_("nhận thông báo qua thư điện tử"), default=True)
    notify_sms = models.BooleanField(_("nhận thông báo qua tin nhắn (SMS)"), default=True)
    gender = models.CharField(_("giới tính"), max_length=10, choices=Gender.choices, blank=True)
    # An enterprise or organisation account of VNeID (`LoaiTaiKhoan` 2, 3): whom the representative acts for.
    organisation_name = models.CharField(_("tên doanh nghiệp, tổ chức"), max_length=255, blank=True)
    tax_code = models.CharField(_("mã số thuế, mã số doanh nghiệp"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("hồ sơ công dân")
        verbose_name_plural = _("hồ sơ công dân")

    def __str__(self) -> str:
        return self.full_name


class StaffProfile(models.Model):
    """A staff member's agency, desk and role; the role is mirrored as the user's group membership."""

    user = models.OneToOneField(
        User, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="staff_profile"
    )
    agency = models.ForeignKey(
        "agencies.Agency", verbose_name=_("cơ quan"), on_delete=models.PROTECT, related_name="staff"
    )
    desk = models.ForeignKey(
        "agencies.OneStopDesk",
        verbose_name=_("bộ phận một cửa"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    title = models.CharField(_("chức danh"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("cán bộ")
        verbose_name_plural = _("cán bộ")
        indexes = [models.Index(fields=["agency", "role"])]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class CodePurpose(models.TextChoices):
    SIGNUP = "signup", _("Xác nhận đăng ký")
    RESET = "reset", _("Đặt lại mật khẩu")


class OneTimeCode(models.Model):
    """A 6-digit code sent to an e-mail address or a mobile number; only its keyed hash is kept (accounts/otp.py)."""

    user = models.ForeignKey(User, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="codes")
    purpose = models.CharField(_("mục đích"), max_length=10, choices=CodePurpose.choices)
    code_hash = models.CharField(_("mã đã băm"), max_length=64)
    created_at = models.DateTimeField(_("tạo lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    attempts = models.PositiveSmallIntegerField(_("số lần nhập sai"), default=0)
    used_at = models.DateTimeField(_("dùng lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác nhận")
        verbose_name_plural = _("mã xác nhận")
        indexes = [models.Index(fields=["user", "purpose", "-created_at"], name="accounts_code_latest")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.user})"


class FakeSms(models.Model):
    """A text message the local SMS backend "sent" (accounts.sms.DatabaseSmsBackend), for development and tests."""

    to = models.CharField(_("số điện thoại"), max_length=20, db_index=True)
    body = models.TextField(_("nội dung"))
    idempotency_key = models.CharField(_("khóa chống trùng"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tin nhắn thử")
        verbose_name_plural = _("tin nhắn thử")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.to}: {self.body[:40]}"
