"""The admin speaks Vietnamese: its titles, model and field labels, and times in Vietnam's local time."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.utils.functional import Promise

from procedures.models import Procedure

pytestmark = pytest.mark.django_db


def test_the_admin_is_titled_in_vietnamese(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "<title>Trang quản trị | Quản trị Một cửa điện tử</title>" in html
    assert '<a href="/admin/">Quản trị Cổng Dịch vụ công</a>' in html
    assert "Django administration" not in html
    assert "Quản trị trang Django" not in html
    # App and model names come from the apps' and models' Vietnamese labels.
    assert "Thủ tục hành chính" in html
    assert "Điều chỉnh lịch làm việc" in html


def test_the_admin_login_page_is_titled_too(client):
    html = client.get("/admin/login/").content.decode()
    assert "Quản trị Cổng Dịch vụ công" in html


def test_admin_times_are_local_and_day_first(admin_client, settings):
    assert settings.USE_TZ is True
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    procedure = Procedure.objects.create(code="1.001193")
    # 01:30 UTC on 2 March is 08:30 in Hà Nội: stored in UTC, shown in local time, dd/mm/yyyy.
    Procedure.objects.filter(pk=procedure.pk).update(created_at=dt.datetime(2026, 3, 2, 1, 30, tzinfo=dt.UTC))

    html = admin_client.get("/admin/procedures/procedure/").content.decode()
    assert re.search(r'<td class="field-created_at[^"]*">08:30 02/03/2026</td>', html), html
    assert "01:30" not in html


# Models whose fields must all carry a Vietnamese label (the dossiers app's admin is labelled separately).
LABELLED_APPS = ["accounts", "agencies", "procedures", "workcalendar", "feedback", "stats"]


@pytest.mark.parametrize("app_label", LABELLED_APPS)
def test_every_model_and_field_has_a_translatable_label(app_label):
    missing = []
    for model in apps.get_app_config(app_label).get_models():
        if not isinstance(model._meta.verbose_name, Promise):
            missing.append(model.__name__)
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                continue  # reverse relations have no label of their own
            if field.name == "id":
                continue
            if not isinstance(field.verbose_name, Promise):
                missing.append(f"{model.__name__}.{field.name}")
    assert missing == []
