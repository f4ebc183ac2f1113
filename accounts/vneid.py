"""Sign-in through the national SSO, VNeID, with OpenID Connect (docs/domain.md §10.3, docs/vneid.md).

mozilla-django-oidc runs the authorization-code flow (state, nonce, the token call, the id_token's signature);
this module decides who the national identity is on the portal:

1. the account already linked to the identity (`User.vneid_sub`), else
2. the account signed in with its password right now, which links itself (its profile's personal ID, if any,
   must be the one VNeID asserts), else
3. a new citizen account with its profile filled from the claims —

unless the 12-digit personal ID VNeID asserts belongs to another account's profile: that account was declared by
someone on this portal, not proven, so it is never taken over silently; the person is told to sign in to it with
its password and link it (case 2), or to ask the desk. A staff account is never signed in through VNeID. The level
of assurance (`loAs`) is stored on the account at every sign-in; the national tokens are not kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts.models import AssuranceLevel, CitizenProfile, Gender, User, VneidAccountType, phone_validator
from dossiers.masking import mask_id_number

logger = logging.getLogger(__name__)

PERSONAL_ID = re.compile(r"^\d{12}$")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%Y%m%d", "%d-%m-%Y")
MALE = {"1", "nam", "m", "male"}
FEMALE = {"0", "2", "nữ", "nu", "f", "female"}


class VneidRefused(PermissionDenied):
    """The national identity is genuine but may not sign in here; the message says why, in Vietnamese."""


def _generic_failure() -> str:
    return _("Đăng nhập bằng tài khoản định danh điện tử VNeID không thành công. Vui lòng thử lại.")


# --- The claims ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VneidIdentity:
    """What the portal keeps of the claims of one sign-in (docs/domain.md §10.3)."""

    sub: str
    loa: int
    account_type: int | None
    personal_id: str
    full_name: str
    date_of_birth: dt.date | None
    gender: str
    address: str
    email: str
    phone: str
    tax_code: str
    organisation_name: str
    tech_id: str


def parse_loa(value) -> int:
    """`loAs` as a level 0–2, however it is spelt: 2, "2", "LOA2", "loa_2", or a list of them (the highest)."""
    if isinstance(value, list | tuple):
        return max((parse_loa(item) for item in value), default=0)
    digits = re.findall(r"\d", str(value if value is not None else ""))
    level = int(digits[-1]) if digits else 0
    return level if level in AssuranceLevel.values else 0


def _text(claims: dict, *names: str, limit: int = 255) -> str:
    for name in names:
        value = claims.get(name)
        if value not in (None, ""):
            return " ".join(str(value).split())[:limit]
    return ""


def _date(value: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def _gender(value: str) -> str:
    folded = value.strip().lower()
    return Gender.MALE if folded in MALE else Gender.FEMALE if folded in FEMALE else ""


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value.lower()


def _phone(value: str) -> str:
    value = re.sub(r"[\s.\-()]", "", value)
    try:
        phone_validator(value)
    except ValidationError:
        return ""
    return value


def identity_from_claims(claims: dict) -> VneidIdentity:
    """The claims of the userinfo answer, checked and normalised; what cannot be read is left empty."""
    account_type = claims.get("LoaiTaiKhoan")
    try:
        account_type = int(account_type)
    except (TypeError, ValueError):
        account_type = None
    personal_id = _text(claims, "SoDinhDanh")
    if account_type in (None, VneidAccountType.CITIZEN) and not PERSONAL_ID.match(personal_id):
        raise VneidRefused(_("VNeID không trả về số định danh cá nhân hợp lệ (12 chữ số); không thể đăng nhập."))
    return VneidIdentity(
        sub=str(claims["sub"]),
        loa=parse_loa(claims.get("loAs")),
        account_type=account_type if account_type in VneidAccountType.values else None,
        personal_id=personal_id if PERSONAL_ID.match(personal_id) else "",
        full_name=_text(claims, "HoVaTen", limit=150),
        date_of_birth=_date(_text(claims, "NgayThangNamSinh")),
        gender=_gender(_text(claims, "GioiTinh")),
        address=_text(claims, "ThuongTru", "NoiOHienNay"),
        email=_email(_text(claims, "ThuDienTu")),
        phone=_phone(_text(claims, "SoDienThoai")),
        tax_code=_text(claims, "MaSoDoanhNghiep", "MaSoThue", limit=20),
        organisation_name=_text(claims, "TenDoanhNghiep"),
        tech_id=_text(claims, "TechID", limit=100),
    )


# --- Who signs in ------------------------------------------------------------------------------------------------


def _refuse_staff(user: User) -> None:
    if user.is_staff or user.is_superuser or hasattr(user, "staff_profile"):
        raise VneidRefused(
            _(
                "Tài khoản cán bộ không được đăng nhập bằng VNeID. Vui lòng đăng nhập bằng tên đăng nhập và mật khẩu "
                "của cán bộ."
            )
        )


def _holder_of(personal_id: str, *, besides: User | None) -> CitizenProfile | None:
    if not personal_id:
        return None
    others = CitizenProfile.objects.filter(personal_id=personal_id)
    if besides is not None:
        others = others.exclude(user=besides)
    return others.select_related("user").first()


def _account_for(identity: VneidIdentity, signed_in: User | None) -> User | None:
    """The existing account this identity signs in to, or None for a new one; refusals as the module says."""
    linked = User.objects.filter(vneid_sub=identity.sub).select_related("citizen_profile").first()
    if linked is not None:
        return linked
    if signed_in is not None:
        _refuse_staff(signed_in)
        if signed_in.vneid_sub:
            raise VneidRefused(_("Tài khoản của bạn đã được liên kết với một tài khoản VNeID khác."))
        return signed_in
    holder = _holder_of(identity.personal_id, besides=None)
    if holder is not None:
        _refuse_staff(holder.user)
        raise VneidRefused(
            _(
                "Số định danh cá nhân {id} đã được khai cho một tài khoản khác trên Cổng. Hãy đăng nhập tài khoản đó "
                "bằng mật khẩu rồi bấm “Đăng nhập bằng tài khoản định danh điện tử VNeID” để liên kết, hoặc liên hệ "
                "Bộ phận Một cửa."
            ).format(id=mask_id_number(identity.personal_id))
        )
    return None


def _username(sub: str) -> str:
    return "vneid-" + hashlib.sha256(sub.encode()).hexdigest()[:24]


def _fill_profile(user: User, identity: VneidIdentity) -> None:
    """Fill the profile's empty fields; a personal ID that differs from the asserted one is refused, never replaced."""
    profile = CitizenProfile.objects.filter(user=user).first()
    if profile is None and not identity.personal_id:
        return  # an enterprise account without a personal ID: the representative fills the profile later
    if profile is not None and profile.personal_id and profile.personal_id != identity.personal_id:
        raise VneidRefused(
            _(
                "Số định danh cá nhân VNeID xác thực ({vneid}) khác với số định danh trong thông tin cá nhân của tài "
                "khoản ({profile}); không thể đăng nhập. Vui lòng liên hệ Bộ phận Một cửa."
            ).format(vneid=mask_id_number(identity.personal_id), profile=mask_id_number(profile.personal_id))
        )
    if _holder_of(identity.personal_id, besides=user) is not None:
        raise VneidRefused(_("Số định danh cá nhân này đã được khai cho một tài khoản khác trên Cổng."))
    profile = profile or CitizenProfile(user=user, personal_id=identity.personal_id)
    for name in ("full_name", "date_of_birth", "gender", "address", "email", "phone", "organisation_name", "tax_code"):
        if not getattr(profile, name) and getattr(identity, name):
            setattr(profile, name, getattr(identity, name))
    profile.full_name = profile.full_name or user.full_name or identity.organisation_name
    profile.save()


def vneid_sign_in(*, identity: VneidIdentity, signed_in: User | None = None) -> User:
    """The account the national identity signs in to, linked, filled and carrying the level of assurance.

    One transaction: a refusal leaves every row as it was. Two concurrent first sign-ins of one identity meet the
    unique `vneid_sub`: the second finds the account the first created.
    """
    try:
        with transaction.atomic():
            return _sign_in(identity, signed_in)
    except IntegrityError:
        with transaction.atomic():
            return _sign_in(identity, signed_in)


def _sign_in(identity: VneidIdentity, signed_in: User | None) -> User:
    user = _account_for(identity, signed_in)
    if user is None:
        user = User(username=_username(identity.sub), full_name=identity.full_name or identity.organisation_name)
        user.set_unusable_password()
    _refuse_staff(user)
    user.vneid_sub = identity.sub
    user.loa = identity.loa
    user.vneid_account_type = identity.account_type
    user.vneid_tech_id = identity.tech_id or user.vneid_tech_id
    user.full_name = user.full_name or identity.full_name
    user.email = user.email or identity.email
    user.phone = user.phone or identity.phone
    user.save()
    _fill_profile(user, identity)
    return user


# --- The library's backend and views, wired to the above -------------------------------------------------------


class VneidBackend(OIDCAuthenticationBackend):
    """Authenticates the callback of the code flow; every other sign-in attempt is not its business (None)."""

    def authenticate(self, request, **kwargs):
        if not settings.VNEID_ENABLED or request is None or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except VneidRefused as refusal:
            request.vneid_refusal = refusal.args[0]
            raise
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError, KeyError, ValueError) as error:
            logger.warning("VNeID sign-in refused: %s", error)
            return None

    def verify_token(self, token, **kwargs):
        """The library checks signature and nonce; the audience and the issuer are checked here too."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("id_token audience is not this portal")
        if settings.VNEID_ISSUER and payload.get("iss") != settings.VNEID_ISSUER:
            raise SuspiciousOperation("id_token issuer is not the configured provider")
        return payload

    def verify_claims(self, claims) -> bool:
        """The library's default wants an e-mail; VNeID identifies a person by `sub`."""
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims) or str(claims.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("userinfo is about another subject than the id_token")
        signed_in = self.request.user if self.request.user.is_authenticated else None
        return vneid_sign_in(identity=identity_from_claims(claims), signed_in=signed_in)


def _enabled() -> None:
    if not settings.VNEID_ENABLED:
        raise Http404


class VneidLoginView(OIDCAuthenticationRequestView):
    """The button's target: to the provider's authorize page with a fresh state and nonce (404 when switched off)."""

    def get(self, request):
        _enabled()
        return super().get(request)


class VneidCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with the code and the state (404 when switched off)."""

    @property
    def failure_url(self) -> str:
        return reverse("login")

    def get(self, request):
        _enabled()
        if request.GET.get("error"):
            request.vneid_refusal = _("Bạn đã hủy đăng nhập bằng VNeID.")
        try:
            return super().get(request)
        except SuspiciousOperation as error:  # a state this browser never asked for: forged, replayed or expired
            logger.warning("VNeID callback refused: %s", error)
            return self.login_failure()

    def login_failure(self):
        messages.error(self.request, getattr(self.request, "vneid_refusal", None) or _generic_failure())
        return super().login_failure()

    def login_success(self):
        response = super().login_success()
        messages.success(
            self.request,
            _("Đã đăng nhập bằng tài khoản định danh điện tử VNeID ({level}).").format(
                level=AssuranceLevel(self.user.loa).label
            ),
        )
        return response
