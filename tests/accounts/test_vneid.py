"""Sign-in through VNeID: the whole authorization-code flow against the local fake provider (docs/vneid.md).

The portal's side runs in the Django test client; the provider's server-to-server endpoints (token, userinfo, jwks)
are reached over HTTP on pytest-django's live server, as the real provider would be.
"""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts import vneid_fake
from accounts.models import CitizenProfile, User
from accounts.roles import Role
from accounts.vneid import VneidRefused, identity_from_claims, parse_loa

AN = vneid_fake.IDENTITIES["cong-dan-muc-2"]
BINH = vneid_fake.IDENTITIES["cong-dan-muc-1"]


@pytest.fixture
def vneid(settings, live_server):
    """VNeID switched on, its endpoints on the live server."""
    fake = f"{live_server.url}/vneid-fake"
    settings.VNEID_ENABLED = True
    settings.VNEID_FAKE_ENABLED = True
    settings.VNEID_ISSUER = fake
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{fake}/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{fake}/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{fake}/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{fake}/jwks/"
    return fake


def start(client, next_url: str = "") -> dict:
    """The button: the portal sends the browser to the provider; the authorize request's parameters."""
    response = client.get("/accounts/vneid/login/", {"next": next_url} if next_url else {})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == "/vneid-fake/authorize/"
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def pick(client, params: dict, identity: str) -> dict:
    """The person picks an identity on the provider's page; the code and state it sends back."""
    page = client.get("/vneid-fake/authorize/", params)
    assert page.status_code == 200
    response = client.post("/vneid-fake/authorize/", {**params, "identity": identity})
    back = urlsplit(response["Location"])
    assert f"http://testserver{back.path}" == params["redirect_uri"]
    return {key: values[0] for key, values in parse_qs(back.query).items()}


def sign_in(client, identity: str, *, tamper=None):
    params = start(client)
    returned = pick(client, params, identity)
    if tamper:
        returned = tamper(returned)
    return client.get("/accounts/vneid/callback/", returned)


def signed_in_user(client) -> User | None:
    pk = client.session.get("_auth_user_id")
    return User.objects.filter(pk=pk).first() if pk else None


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- The flow ----------------------------------------------------------------------------------------------------


def test_the_authorize_request_carries_state_nonce_and_the_registered_redirect(vneid, client):
    params = start(client)
    assert params["response_type"] == "code"
    assert params["client_id"] == "mot-cua-demo"
    assert params["redirect_uri"] == "http://testserver/accounts/vneid/callback/"
    assert len(params["state"]) >= 32
    assert len(params["nonce"]) >= 32
    assert params["state"] in client.session["oidc_states"]


def test_a_new_citizen_is_created_with_the_mapped_profile_and_level(vneid, client):
    response = sign_in(client, "cong-dan-muc-2")

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:after-login")
    user = signed_in_user(client)
    assert user is not None
    assert user.vneid_sub == AN["sub"]
    assert user.loa == 2
    assert user.vneid_account_type == 1
    assert user.vneid_tech_id == "TECH-0001"
    assert user.full_name == "Nguyễn Văn An"
    assert not user.has_usable_password()
    profile = user.citizen_profile
    assert profile.personal_id == "038090012345"
    assert profile.full_name == "Nguyễn Văn An"
    assert profile.date_of_birth == dt.date(1990, 4, 15)
    assert profile.gender == "male"
    assert profile.address == "25 Trần Phú, phường Hạc Thành, tỉnh Thanh Hóa"
    assert profile.email == "an.nguyen@example.vn"
    assert profile.phone == "0912000111"
    assert "mức độ 2" in messages_of(response)[0]
    # No national token outlives the sign-in.
    assert not {"oidc_access_token", "oidc_id_token"} & set(client.session.keys())


def test_a_level_1_account_with_another_date_format_and_a_spaced_phone(vneid, client):
    sign_in(client, "cong-dan-muc-1")
    user = signed_in_user(client)
    assert user.loa == 1
    assert user.citizen_profile.date_of_birth == dt.date(1995, 8, 2)
    assert user.citizen_profile.gender == "female"
    assert user.citizen_profile.phone == "0988000222"
    assert user.citizen_profile.address.startswith("12 Lê Lợi")  # no ThuongTru: NoiOHienNay


def test_an_enterprise_account_keeps_the_business_code_and_name(vneid, client):
    sign_in(client, "doanh-nghiep")
    profile = signed_in_user(client).citizen_profile
    assert profile.tax_code == "2801234567"
    assert profile.organisation_name == "Công ty TNHH Thương mại Hạc Thành"
    assert signed_in_user(client).vneid_account_type == 2


def test_a_returning_citizen_is_matched_by_sub_and_keeps_what_they_edited(vneid, client, monkeypatch):
    sign_in(client, "cong-dan-muc-2")
    first = signed_in_user(client)
    CitizenProfile.objects.filter(user=first).update(address="Địa chỉ tự sửa")
    client.logout()
    monkeypatch.setitem(vneid_fake.IDENTITIES, "cong-dan-muc-2", {**AN, "loAs": "1", "HoVaTen": "Tên khác"})

    sign_in(client, "cong-dan-muc-2")

    assert signed_in_user(client) == first
    assert User.objects.filter(vneid_sub=AN["sub"]).count() == 1
    first.refresh_from_db()
    assert first.loa == 1  # the level of this sign-in
    assert first.citizen_profile.address == "Địa chỉ tự sửa"
    assert first.citizen_profile.full_name == "Nguyễn Văn An"


def test_a_citizen_signed_in_with_a_password_links_their_account(vneid, client):
    mai = User.objects.create_user(username="an@example.vn", password="x", full_name="Nguyễn Văn An")
    CitizenProfile.objects.create(user=mai, full_name="Nguyễn Văn An", personal_id=AN["SoDinhDanh"])
    client.force_login(mai)

    sign_in(client, "cong-dan-muc-2")

    mai.refresh_from_db()
    assert signed_in_user(client) == mai
    assert (mai.vneid_sub, mai.loa) == (AN["sub"], 2)
    assert mai.citizen_profile.date_of_birth == dt.date(1990, 4, 15)  # an empty field filled
    assert User.objects.count() == 1


# --- Refusals: nothing signed in, nothing written ------------------------------------------------------------------


def assert_refused(client, response, text: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert signed_in_user(client) is None
    assert any(text in message for message in messages_of(response)), messages_of(response)


def test_a_callback_with_another_state_is_refused(vneid, client, caplog):
    response = sign_in(client, "cong-dan-muc-2", tamper=lambda back: {**back, "state": "forged" + back["state"]})
    assert_refused(client, response, "không thành công")
    assert "state not found" in caplog.text
    assert not User.objects.exists()


def test_a_callback_replayed_after_use_is_refused(vneid, client):
    params = start(client)
    returned = pick(client, params, "cong-dan-muc-2")
    client.get("/accounts/vneid/callback/", returned)
    client.logout()
    response = client.get("/accounts/vneid/callback/", returned)
    assert response["Location"] == "/accounts/login/"
    assert signed_in_user(client) is None


def test_an_id_token_signed_by_another_key_is_refused(vneid, client, monkeypatch, caplog):
    rogue = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    monkeypatch.setattr(vneid_fake, "token_signing_key", lambda: rogue)
    response = sign_in(client, "cong-dan-muc-2")
    assert_refused(client, response, "không thành công")
    assert "JWS token verification failed" in caplog.text
    assert not User.objects.exists()


def test_an_id_token_from_another_issuer_is_refused(vneid, client, monkeypatch, caplog):
    monkeypatch.setattr(vneid_fake, "_issuer", lambda: "https://impostor.example")
    response = sign_in(client, "cong-dan-muc-2")
    assert_refused(client, response, "không thành công")
    assert "issuer" in caplog.text
    assert not User.objects.exists()


def test_cancelling_on_the_provider_page_signs_nobody_in(vneid, client):
    response = sign_in(client, "")
    assert_refused(client, response, "hủy đăng nhập")


@pytest.mark.parametrize("how", ["linked", "same personal id", "signed in"])
def test_a_staff_account_is_never_signed_in_through_vneid(vneid, client, make_staff, how):
    staff = make_staff("desk1", role=Role.DESK, agency_id="000.00.31.H56")
    if how == "linked":
        User.objects.filter(pk=staff.pk).update(vneid_sub=AN["sub"])
    elif how == "same personal id":
        CitizenProfile.objects.create(user=staff, full_name="Cán bộ", personal_id=AN["SoDinhDanh"])
    else:
        client.force_login(staff)

    response = sign_in(client, "cong-dan-muc-2")

    assert response["Location"] == "/accounts/login/"
    assert signed_in_user(client) != staff or how == "signed in"
    assert "Tài khoản cán bộ không được đăng nhập bằng VNeID" in " ".join(messages_of(response))
    staff.refresh_from_db()
    assert staff.loa == 0
    assert User.objects.count() == 1


def test_a_personal_id_declared_by_another_account_is_not_taken_over(vneid, client):
    other = User.objects.create_user(username="someone", password="x")
    CitizenProfile.objects.create(user=other, full_name="Người khác", personal_id=AN["SoDinhDanh"])

    response = sign_in(client, "cong-dan-muc-2")

    assert_refused(client, response, "đã được khai cho một tài khoản khác")
    assert "0380••••2345" in messages_of(response)[0]
    other.refresh_from_db()
    assert other.vneid_sub is None
    assert User.objects.count() == 1


def test_a_signed_in_account_with_another_personal_id_is_not_linked(vneid, client):
    mai = User.objects.create_user(username="mai", password="x")
    CitizenProfile.objects.create(user=mai, full_name="Hoàng Thị Mai", personal_id="038190001234")
    client.force_login(mai)

    response = sign_in(client, "cong-dan-muc-2")

    assert response["Location"] == "/accounts/login/"
    assert "khác với số định danh" in messages_of(response)[0]
    mai.refresh_from_db()
    assert (mai.vneid_sub, mai.loa) == (None, 0)


# --- Switched off ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_switched_off_the_login_page_has_no_button_and_the_urls_are_404(client, settings):
    settings.VNEID_ENABLED = False
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert "VNeID" not in page.content.decode()
    assert client.get("/accounts/vneid/login/").status_code == 404
    assert client.get("/accounts/vneid/callback/", {"code": "x", "state": "y"}).status_code == 404


@pytest.mark.django_db
def test_switched_on_the_login_page_shows_the_button(client, settings):
    settings.VNEID_ENABLED = True
    page = client.get("/accounts/login/?next=/procedures/")
    assert "Đăng nhập bằng tài khoản định danh điện tử VNeID" in page.content.decode()
    assert 'href="/accounts/vneid/login/?next=%2Fprocedures%2F"' in page.content.decode()


@pytest.mark.django_db
def test_the_fake_provider_is_404_when_disabled(client, settings):
    settings.VNEID_FAKE_ENABLED = False
    assert client.get("/vneid-fake/authorize/", {"client_id": "mot-cua-demo", "redirect_uri": "x"}).status_code == 404
    assert client.post("/vneid-fake/token/", {"grant_type": "authorization_code"}).status_code == 404
    assert client.get("/vneid-fake/userinfo/", HTTP_AUTHORIZATION="Bearer x").status_code == 404
    assert client.get("/vneid-fake/jwks/").status_code == 404


@pytest.mark.django_db
def test_the_fake_token_endpoint_checks_the_client_and_the_code(client, settings):
    settings.VNEID_FAKE_ENABLED = True
    base = {"grant_type": "authorization_code", "client_id": "mot-cua-demo", "redirect_uri": "http://x/"}
    wrong_secret = client.post("/vneid-fake/token/", {**base, "client_secret": "nope", "code": "c"})
    assert (wrong_secret.status_code, wrong_secret.json()) == (400, {"error": "invalid_client"})
    unknown_code = client.post("/vneid-fake/token/", {**base, "client_secret": "fake-vneid-secret", "code": "c"})
    assert unknown_code.json() == {"error": "invalid_grant"}
    assert client.get("/vneid-fake/userinfo/", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


# --- Reading the claims --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "level"),
    [(2, 2), ("2", 2), ("LOA2", 2), ("loa_1", 1), (["1", "2"], 2), (None, 0), ("", 0), ("7", 0), ("cao", 0)],
)
def test_the_level_of_assurance_is_read_however_it_is_spelt(value, level):
    assert parse_loa(value) == level


@pytest.mark.parametrize("personal_id", ["", "12345", "03809001234X"])
def test_a_citizen_account_without_a_12_digit_id_is_refused(personal_id):
    with pytest.raises(VneidRefused, match="12 chữ số"):
        identity_from_claims({**AN, "SoDinhDanh": personal_id})
