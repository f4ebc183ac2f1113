"""A citizen signs in with VNeID: the button on the login page, an identity picked on the fake provider, back on the
portal signed in with the profile filled from the national identity and its level of assurance (docs/vneid.md)."""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def vneid(settings, live_server):
    fake = f"{live_server.url}/vneid-fake"
    settings.VNEID_ENABLED = True
    settings.VNEID_FAKE_ENABLED = True
    settings.VNEID_ISSUER = fake
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{fake}/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{fake}/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{fake}/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{fake}/jwks/"


def test_citizen_signs_in_with_vneid_and_lands_on_the_filled_profile(page: Page, live_server, vneid, shoot):
    page.goto(f"{live_server.url}/accounts/login/?next=/accounts/profile/")
    button = page.get_by_role("link", name="Đăng nhập bằng tài khoản định danh điện tử VNeID")
    expect(button).to_be_visible()
    shoot("vneid-login")

    button.click()
    expect(page).to_have_url(re.compile(r"/vneid-fake/authorize/\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chọn tài khoản định danh điện tử")
    shoot("vneid-fake-authorize")

    page.get_by_role("button", name=re.compile("Nguyễn Văn An")).click()
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    main = page.locator("main")
    expect(main).to_contain_text("Đã đăng nhập bằng tài khoản định danh điện tử VNeID (Định danh điện tử mức độ 2).")
    expect(main).to_contain_text("Định danh điện tử mức độ 2")
    expect(page.get_by_label("Số định danh cá nhân")).to_have_value("038090012345")
    expect(page.get_by_label("Số định danh cá nhân")).to_be_disabled()
    expect(page.get_by_label("Ngày sinh")).to_have_value("15/04/1990")
    shoot("vneid-profile")
    assert User.objects.get(vneid_sub="fake-vneid-0001").loa == 2


def test_cancelling_on_the_provider_page_comes_back_to_the_login_page(page: Page, live_server, vneid):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Đăng nhập bằng tài khoản định danh điện tử VNeID").click()
    page.get_by_role("button", name="Hủy").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("main")).to_contain_text("Bạn đã hủy đăng nhập bằng VNeID.")
    assert not User.objects.exists()
