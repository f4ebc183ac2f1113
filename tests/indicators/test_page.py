"""The indicators page for a province leader, a commune leader and a supervisor; the agency parameter inside and
outside the scope; the pinned query count; versioned definitions; the admin's check of a formula."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from indicators.models import IndicatorDefinition
from indicators.selectors import period_from
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, _staff, at

pytestmark = pytest.mark.django_db
URL = reverse("indicators:home")
MARCH = "?from=2026-03-01&to=2026-03-31"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at("2026-04-15 09:00"), tick=False):
        yield


def test_a_province_leader_sees_the_province_and_every_agency(client, people, built):
    client.force_login(people["leader"])
    response = client.get(URL + MARCH)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ủy ban nhân dân tỉnh Thanh Hóa" in page
    assert "tính tại hệ thống" in page
    assert "chưa có dữ liệu" in page
    assert "Số liệu tổng hợp cập nhật lúc 09:00 15/04/2026" in page
    data = response.context["data"]
    assert data.scope.computed_max < data.scope.max == 100
    assert {row["agency"].pk for row in data.agencies} >= {built["commune"].pk, built["other"].pk}
    # The formula and its counts beside the score: 2.1 of the province (commune + other commune).
    assert "min(20; (20 × handled_on_time) ÷ handled)" in page
    ranked = [row["agency"].pk for row in response.context["rows"]]
    assert ranked.index(built["commune"].pk) < ranked.index(built["other"].pk)  # higher share first
    # No personal data of applicants: the citizen's name is nowhere on the page.
    assert "Hoàng Thị Mai" not in page


def test_the_page_says_when_the_roll_ups_have_never_run(client, people):
    client.force_login(people["leader"])
    assert "chưa được tính lần nào" in client.get(URL).content.decode()


def test_the_admin_lists_and_opens_the_definitions(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser(username="quantri", password="Demo@2026"))
    assert client.get("/admin/indicators/indicatordefinition/").status_code == 200
    definition = IndicatorDefinition.objects.get(code="5.2")
    page = client.get(f"/admin/indicators/indicatordefinition/{definition.pk}/change/").content.decode()
    assert "6 nếu feedback = 0, ngược lại (6 × feedback_on_time) ÷ feedback" in page
    assert client.get("/admin/indicators/indicatordefinition/add/").status_code == 200
    before = IndicatorDefinition.objects.count()
    form = {
        "code": "9.9",
        "metric": "",
        "group": "5",
        "group_max": "18",
        "order": "9",
        "name": "Thử",
        "max_points": "1",
        "formula": "__import__('os').system('id')",
        "variables": '{"feedback": "PAKN"}',
        "note": "",
        "effective_from": "01/01/2027",
        "effective_to": "",
    }
    response = client.post("/admin/indicators/indicatordefinition/add/", form)
    assert response.status_code == 200
    assert "Chỉ được gọi các hàm min và max." in response.content.decode()
    assert IndicatorDefinition.objects.count() == before
    response = client.post("/admin/indicators/indicatordefinition/add/", form | {"formula": "min(1, feedback)"})
    assert response.status_code == 302
    assert IndicatorDefinition.objects.count() == before + 1


def test_one_agency_in_scope_shows_its_detail(client, people, built):
    client.force_login(people["leader"])
    response = client.get(URL + MARCH + f"&agency={built['commune'].pk}")
    assert response.status_code == 200
    selected = response.context["selected"]
    assert selected["agency"] == built["commune"]
    scores = {s.definition.code: s for g in selected["report"].groups for s in g.scores}
    assert scores["2.1"].points == Decimal("13.33")
    assert {v["name"]: v["value"] for v in scores["2.1"].values} == {"handled_on_time": 4, "handled": 6}


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_an_unknown_agency_is_404(client, people, built, value):
    client.force_login(people["leader"])
    assert client.get(URL + f"?agency={value}").status_code == 404


def test_a_commune_leader_sees_only_the_commune(client, agencies, built):
    leader = _staff("commune_leader", Role.LEADER, agencies[COMMUNE])
    client.force_login(leader)
    response = client.get(URL + MARCH)
    assert response.status_code == 200
    assert [row["agency"].pk for row in response.context["data"].agencies] == [built["commune"].pk]
    assert response.context["data"].scope.points == Decimal("42.9")
    assert client.get(URL + f"?agency={agencies[OTHER_COMMUNE].pk}").status_code == 404
    assert client.get(URL + f"?agency={agencies['000.00.00.H56'].pk}").status_code == 404
    assert client.get(URL + f"?agency={built['commune'].pk}").status_code == 200


def test_a_supervisor_sees_the_whole_province(client, people, built, agencies):
    client.force_login(people["supervisor"])
    response = client.get(URL + MARCH + "&sap-xep=ten")
    assert response.status_code == 200
    names = [row["agency"].name for row in response.context["rows"]]
    assert names == sorted(names)
    assert len(names) == len(agencies)
    assert response.context["data"].scope.points > 0


@pytest.mark.parametrize("who", ["citizen", "desk", "officer", "head"])
def test_other_roles_are_refused(client, people, who):
    client.force_login(people[who])
    assert client.get(URL).status_code == 403


def test_the_page_query_count_is_pinned(client, people, built, django_assert_num_queries):
    client.force_login(people["supervisor"])
    client.get(URL + MARCH)  # warm the session and the caches
    with django_assert_num_queries(20):
        client.get(URL + MARCH + f"&agency={built['commune'].pk}")


def test_periods():
    today = dt.date(2026, 11, 30)
    assert period_from({}, today=today)[0].span == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_from({"ky": "thang", "to": "2026-02-10"}, today=today)[0].span == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert period_from({"ky": "nam"}, today=today)[0].span == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert period_from({"ky": "quy", "from": "2026-05-02"}, today=today)[0].span == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    assert period_from({"from": "2026-03-31", "to": "2026-03-01"}, today=today)[0].span == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    )
    # Dates as people type them are understood; anything else falls back to the current quarter with a message.
    assert period_from({"from": "01/03/2026", "to": "31/03/2026"}, today=today)[0].span == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 31),
    )
    period, message = period_from({"from": "31.03.2026"}, today=today)
    assert period.span == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert message


def _new_version(**changes) -> IndicatorDefinition:
    old = IndicatorDefinition.objects.get(code="2.1", effective_from=dt.date(2025, 7, 1))
    old.pk = None
    old.effective_from = dt.date(2027, 1, 1)
    old.formula = "min(20, 10 * handled_on_time / handled)"
    for name, value in changes.items():
        setattr(old, name, value)
    old.full_clean()
    old.save()
    return old


def test_a_later_version_applies_to_later_periods_only(client, people):
    new = _new_version()
    assert IndicatorDefinition.objects.get(code="2.1", effective_from=dt.date(2025, 7, 1)) in (
        IndicatorDefinition.objects.in_force(on=dt.date(2026, 12, 31))
    )
    later = IndicatorDefinition.objects.in_force(on=dt.date(2027, 3, 31))
    assert new in later
    assert len(later) == len(IndicatorDefinition.objects.in_force(on=dt.date(2026, 12, 31)))
    assert IndicatorDefinition.objects.in_force(on=dt.date(2025, 6, 30)) == []
    client.force_login(people["leader"])
    page_2026 = client.get(URL + "?ky=quy&to=2026-12-31").content.decode()
    page_2027 = client.get(URL + "?ky=quy&to=2027-03-31").content.decode()
    assert "(20 × handled_on_time)" in page_2026
    assert "(10 × handled_on_time)" not in page_2026
    assert "(10 × handled_on_time)" in page_2027
    assert "Chưa có bộ chỉ số" in client.get(URL + "?ky=nam&to=2024-05-01").content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"formula": "__import__('os').system('id')"}, "formula"),
        ({"formula": "handled.__class__"}, "formula"),
        ({"formula": "open(handled)"}, "formula"),
        ({"formula": "20 * done / handled"}, "formula"),  # a name not declared
        ({"variables": {"handled": "x", "secret_count": "y"}}, "variables"),  # a count the portal does not know
        ({"variables": ["handled"]}, "variables"),
        ({"effective_to": dt.date(2026, 1, 1)}, "effective_to"),
    ],
)
def test_the_admin_cannot_save_an_unsafe_or_unknown_formula(changes, field):
    with pytest.raises(ValidationError) as error:
        _new_version(**changes)
    assert field in error.value.message_dict


def test_the_loaded_definitions_are_valid_and_add_up_to_100():
    definitions = IndicatorDefinition.objects.in_force(on=dt.date(2026, 11, 30))
    for definition in definitions:
        definition.full_clean()
    assert sum(d.max_points for d in definitions) == 100
    groups = {d.group: d.group_max for d in definitions}
    assert groups == {1: 18, 2: 20, 3: 22, 4: 22, 5: 18}
    for group, total in groups.items():
        assert sum(d.max_points for d in definitions if d.group == group) == total
