"""The citizen chooses on their profile the channels news of their dossiers reaches them on."""

import pytest

from accounts.models import CitizenProfile
from tests.accounts.test_profile import URL, VALID

pytestmark = pytest.mark.django_db


@pytest.fixture
def mai(django_user_model):
    return django_user_model.objects.create_user(
        username="0912345678", phone="0912345678", password="x", full_name="Hoàng Thị Mai"
    )


def test_both_channels_are_offered_and_on_for_a_new_profile(client, mai, clock):
    client.force_login(mai)
    response = client.get(URL)
    page = response.content.decode()
    assert "Nhận thông báo về hồ sơ" in page
    for name in ("notify_email", "notify_sms"):
        assert f'id="id_{name}" checked>' in page
        assert f'id="id_{name}_helptext"' in page  # what the box's aria-describedby points at


@pytest.mark.parametrize(
    ("ticked", "expected"),
    [
        ({"notify_email": "on", "notify_sms": "on"}, (True, True)),
        ({"notify_sms": "on"}, (False, True)),
        ({}, (False, False)),
    ],
    ids=["both", "sms-only", "none"],
)
def test_the_choice_is_saved_and_shown_again(client, mai, clock, ticked, expected):
    client.force_login(mai)
    response = client.post(URL, {**VALID, **ticked})
    assert response["Location"] == URL
    profile = CitizenProfile.objects.get(user=mai)
    assert (profile.notify_email, profile.notify_sms) == expected
    form = client.get(URL).context["form"]
    assert (form["notify_email"].value(), form["notify_sms"].value()) == expected


def test_a_refused_form_keeps_the_choice_and_saves_nothing(client, mai, clock):
    client.force_login(mai)
    response = client.post(URL, {**VALID, "personal_id": "123", "notify_sms": "on"})
    assert response.status_code == 200
    assert not CitizenProfile.objects.exists()
    form = response.context["form"]
    assert (form["notify_email"].value(), form["notify_sms"].value()) == (False, True)
