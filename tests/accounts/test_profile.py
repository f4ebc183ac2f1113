"""The citizen's profile: the personal data that pre-fills forms, seen and changed by its owner only."""

import datetime as dt

import pytest

from accounts.models import CitizenProfile
from accounts.roles import Role

pytestmark = pytest.mark.django_db

URL = "/accounts/profile/"
VALID = {
    "full_name": "Hoàng Thị Mai",
    "personal_id": "001190012345",
    "date_of_birth": "02/09/1990",
    "phone": "0912345678",
    "email": "mai@example.vn",
    "address": "12 Lê Lợi, phường Thuận Hóa, thành phố Huế",
}


@pytest.fixture
def mai(django_user_model):
    return django_user_model.objects.create_user(
        username="0912345678", phone="0912345678", password="x", full_name="Hoàng Thị Mai"
    )


@pytest.fixture
def lan(django_user_model):
    user = django_user_model.objects.create_user(username="lan", password="x", full_name="Trần Thị Lan")
    CitizenProfile.objects.create(user=user, full_name="Trần Thị Lan", personal_id="046199000111")
    return user


def test_a_new_profile_is_prefilled_from_the_account_and_saved(client, mai, clock):
    client.force_login(mai)
    form = client.get(URL).context["form"]
    assert form["full_name"].value() == "Hoàng Thị Mai"
    assert form["phone"].value() == "0912345678"
    response = client.post(URL, VALID)
    assert response["Location"] == URL
    profile = CitizenProfile.objects.get(user=mai)
    assert (profile.personal_id, profile.date_of_birth) == ("001190012345", dt.date(1990, 9, 2))
    page = client.get(URL).content.decode()
    assert 'value="02/09/1990"' in page
    assert "Đã lưu thông tin cá nhân." in page


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("personal_id", "00119001234", "Số định danh cá nhân gồm đúng 12 chữ số."),
        ("personal_id", "00119001234a", "Số định danh cá nhân gồm đúng 12 chữ số."),
        ("personal_id", "", "field__error"),
        ("date_of_birth", "1990-09-02", "ngày/tháng/năm"),
        ("date_of_birth", "31/02/1990", "ngày/tháng/năm"),
        ("date_of_birth", "02/09/2027", "Ngày sinh không hợp lệ."),
        ("email", "mai@", "field__error"),
        ("phone", "abc", "Số điện thoại không hợp lệ."),
    ],
)
def test_bad_input_is_refused_on_the_form(client, mai, clock, field, value, error):
    client.force_login(mai)
    response = client.post(URL, {**VALID, field: value})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not CitizenProfile.objects.filter(user=mai).exists()


def test_a_personal_id_already_declared_by_someone_else_is_refused(client, mai, lan):
    client.force_login(mai)
    response = client.post(URL, {**VALID, "personal_id": "046199000111"})
    assert "Số định danh này đã được khai cho một tài khoản khác." in response.content.decode()
    assert "Trần Thị Lan" not in response.content.decode()


def test_each_citizen_sees_and_changes_only_their_own_profile(client, mai, lan):
    client.force_login(mai)
    page = client.get(URL).content.decode()
    assert "046199000111" not in page
    assert "Trần Thị Lan" not in page
    client.post(URL, {**VALID, "user": lan.pk})  # a forged field changes nothing of anyone else's
    assert CitizenProfile.objects.get(user=lan).full_name == "Trần Thị Lan"
    assert CitizenProfile.objects.get(user=mai).personal_id == "001190012345"
    assert client.get(f"{URL}?user={lan.pk}").context["form"].instance.user == mai


def test_anonymous_is_sent_to_sign_in_and_staff_are_refused(client, make_staff):
    assert client.get(URL)["Location"] == "/accounts/login/?next=/accounts/profile/"
    client.force_login(make_staff("desk1", role=Role.DESK))
    response = client.get(URL)
    assert response.status_code == 403
    assert "Trang này chỉ dành cho tài khoản công dân." in response.content.decode()
