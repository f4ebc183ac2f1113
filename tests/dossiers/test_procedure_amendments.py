"""Amending a procedure from the admin publishes a new version; a version dossiers use is frozen."""

import datetime as dt

import pytest
import time_machine

from procedures.models import Procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(username="superadmin", password="x")


# 06:30 on 1/1/2027 in Hà Nội is still 31/12/2026 in UTC: the amendment starts the day after the *local* date.
@time_machine.travel(dt.datetime(2027, 1, 1, 6, 30, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False)
def test_publish_amendment_creates_the_next_version_from_tomorrow(client, superuser, make_version):
    version = make_version()
    client.force_login(superuser)

    response = client.post(
        "/admin/procedures/procedureversion/",
        {"action": "publish_amendment", "_selected_action": [version.pk]},
        follow=True,
    )

    assert response.status_code == 200
    procedure = Procedure.objects.get(pk=version.procedure_id)
    new = procedure.current_version
    assert new.number == 2
    assert new.effective_from == dt.date(2027, 1, 2)
    assert list(new.documents.values_list("name", flat=True)) == list(version.documents.values_list("name", flat=True))
    version.refresh_from_db()
    assert version.effective_to == dt.date(2027, 1, 1)
    assert "Đã tạo phiên bản 2" in response.text


def test_a_version_with_dossiers_cannot_be_edited(client, superuser, receive, make_version):
    version = make_version()
    receive(version=version)
    client.force_login(superuser)

    page = client.get(f"/admin/procedures/procedureversion/{version.pk}/change/")
    assert page.status_code == 200
    assert 'name="name"' not in page.text  # shown read-only
    response = client.post(f"/admin/procedures/procedureversion/{version.pk}/change/", {"name": "Đổi tên"})
    assert response.status_code == 403
    version.refresh_from_db()
    assert version.name == "Đăng ký kết hôn"
