"""The leaders' dashboard through HTTP: scope, period and filters, bad input, the drill-down without personal data,
and pinned query counts (docs/dashboard.md)."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from dossiers import services
from dossiers.models import Channel, Dossier
from stats import dashboard
from stats.selectors import Period
from stats.services import figures_refresh
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, at
from tests.stats.dashboard_world import APPLICANT, NOW

pytestmark = pytest.mark.django_db

HOME = reverse("dashboard:home")
DRILL = reverse("dashboard:drill")
MARCH = {"from": "2026-03-01", "to": "2026-03-20"}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at(NOW), tick=False):
        yield


def get(client, user, url, params=None):
    client.force_login(user)
    return client.get(url, params or {})


def text(response) -> str:
    return response.content.decode()


def test_a_province_leader_reads_the_province_for_the_default_period(client, world):
    response = get(client, world.people["leader"], HOME)
    assert response.status_code == 200
    query, totals = response.context["q"], response.context["totals"]
    assert query.period == Period(dt.date(2026, 3, 1), dt.date(2026, 3, 20))  # this month up to today
    # Received in March: 4 in the commune (02, 03, 04, 05/03), 2 in the other; the 02/02 one is resolved in March.
    assert (totals["received"], totals["resolved"]) == (6, 4)
    assert (totals["early"], totals["late"], totals["refused"], totals["returned"]) == (3, 1, 1, 1)
    assert (totals["in_progress"], totals["overdue_now"]) == (2, 1)  # the 02/03 one is due 16/03
    assert totals["late_rate"] == 25.0
    page = text(response)
    assert "01/03/2026" in page
    assert "20/03/2026" in page
    assert "25,0 %" in page  # rates in Vietnamese notation
    names = {row["label"] for row in response.context["tables"]["agency"]}
    assert names == {world.agencies[COMMUNE].name, world.agencies[OTHER_COMMUNE].name}


def test_every_count_links_to_its_dossiers(client, world):
    page = text(get(client, world.people["leader"], HOME))
    commune = world.agencies[COMMUNE].pk
    assert f'href="{DRILL}?from=2026-03-01&amp;to=2026-03-20&amp;measure=late"' in page
    links = set(re.findall(r'href="([^"]+)"', page.replace("&amp;", "&")))
    assert f"{DRILL}?from=2026-03-01&to=2026-03-20&measure=overdue_now&agency={commune}" in links
    assert f"{DRILL}?from=2026-03-01&to=2026-03-20&measure=received&channel=1" in links
    assert f"{DRILL}?from=2026-03-01&to=2026-03-20&measure=late&procedure={world.version.procedure_id}" in links


@pytest.mark.parametrize(
    ("params", "period"),
    [
        ({"preset": "last_month"}, (dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        ({"preset": "quarter"}, (dt.date(2026, 1, 1), dt.date(2026, 3, 20))),
        ({"preset": "year"}, (dt.date(2026, 1, 1), dt.date(2026, 3, 20))),
        ({"from": "2026-02-01", "to": "2026-02-28"}, (dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        ({"from": "02/02/2026", "to": "03/02/2026"}, (dt.date(2026, 2, 2), dt.date(2026, 2, 3))),
        ({"from": "2026-03-10"}, (dt.date(2026, 3, 10), dt.date(2026, 3, 20))),
    ],
)
def test_periods_and_presets(client, world, params, period):
    response = get(client, world.people["supervisor"], HOME, params)
    assert response.status_code == 200
    assert response.context["q"].period == Period(*period)


def test_last_month_and_its_trend(client, world):
    response = get(client, world.people["leader"], HOME, {"preset": "last_month"})
    trend = response.context["trend"]
    assert trend["current"]["received"] == 1  # 02/02
    assert trend["current"]["late_rate"] is None  # nothing resolved in February: a dash, not 0 %
    assert "–" in text(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "hôm qua"}, "Ngày không hợp lệ"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "Ngày kết thúc phải sau"),
        ({"from": "2010-01-01", "to": "2026-03-01"}, "tối đa là 5 năm"),
        ({"preset": "week"}, "Kỳ báo cáo không hợp lệ"),
        ({"field": "999999"}, "Không tìm thấy lĩnh vực"),
        ({"procedure": "x"}, "Không tìm thấy thủ tục"),
        ({"channel": "9"}, "Kênh nộp không hợp lệ"),
        ({"agency": "abc"}, "Mã cơ quan không hợp lệ"),
    ],
)
def test_bad_parameters_give_a_vietnamese_message_not_an_error(client, world, params, message):
    export = {"table": "agency", "format": "csv"}
    for url, extra in ((HOME, {}), (DRILL, {"measure": "late"}), (reverse("dashboard:export"), export)):
        response = get(client, world.people["leader"], url, params | extra)
        assert response.status_code == 400, url
        assert message in text(response), url


def test_the_drill_down_and_export_need_a_measure_and_a_table(client, world):
    leader = world.people["leader"]
    assert "Hãy chọn một số liệu" in text(get(client, leader, DRILL))
    assert get(client, leader, DRILL, {"measure": "everything"}).status_code == 400
    assert get(client, leader, DRILL, {"measure": "late", "sau": "abc"}).status_code == 400
    export = reverse("dashboard:export")
    assert get(client, leader, export, {"table": "people", "format": "csv"}).status_code == 400
    assert get(client, leader, export, {"table": "agency", "format": "pdf"}).status_code == 400
    assert get(client, leader, export, {"table": "drill", "format": "csv"}).status_code == 400


@pytest.mark.parametrize("url", [HOME, DRILL, reverse("dashboard:export")])
def test_an_agency_outside_the_scope_is_a_404(client, world, commune_leader, url):
    other = world.agencies[OTHER_COMMUNE].pk
    params = {"agency": other, "measure": "received", "table": "agency", "format": "csv"}
    assert get(client, commune_leader, url, params).status_code == 404
    assert get(client, commune_leader, url, params | {"agency": 999_999}).status_code == 404
    # The same agency is in a province leader's scope.
    assert get(client, world.people["leader"], url, params).status_code == 200


def test_a_commune_leader_sees_their_commune_only(client, world, commune_leader):
    other = world.agencies[OTHER_COMMUNE]
    pages = [
        get(client, commune_leader, HOME, MARCH),
        *(get(client, commune_leader, DRILL, MARCH | {"measure": m}) for m in ("received", "resolved", "in_progress")),
    ]
    for response in pages:
        assert response.status_code == 200
        page = text(response)
        assert other.name not in page
        assert not any(d.code in page for d in world.other)
    totals = pages[0].context["totals"]
    assert (totals["received"], totals["in_progress"]) == (4, 1)
    assert [row["label"] for row in pages[0].context["tables"]["agency"]] == [world.agencies[COMMUNE].name]


def test_narrowing_to_an_agency_and_filters(client, world):
    leader = world.people["leader"]
    other = world.agencies[OTHER_COMMUNE].pk
    response = get(client, leader, HOME, MARCH | {"agency": other})
    assert response.context["totals"]["received"] == 2
    response = get(client, leader, HOME, MARCH | {"procedure": world.version.procedure_id})
    assert response.context["totals"]["received"] == 4
    response = get(client, leader, HOME, MARCH | {"channel": 3})
    assert (response.context["totals"]["received"], response.context["totals"]["in_progress"]) == (2, 0)
    response = get(client, leader, HOME, MARCH | {"field": world.version.field_id})
    assert response.context["totals"]["received"] == 6


def test_the_drill_down_lists_the_figures_dossiers_without_personal_data(client, world):
    leader = world.people["leader"]
    late = world.commune[3]
    response = get(client, leader, DRILL, MARCH | {"measure": "late", "agency": world.agencies[COMMUNE].pk})
    assert response.status_code == 200
    page = text(response)
    assert [row["code"] for row in response.context["page"].rows] == [late.code]
    assert response.context["count"] == 1
    assert late.procedure_version.procedure.code in page
    assert "10/03/2026" in page  # completed
    assert "02/02/2026" in page  # received
    for secret in APPLICANT.values():
        assert secret not in page
    assert f"/ho-so/{late.code}" not in page.replace(DRILL, "")  # no link to the dossier, its files or forms
    assert not re.search(r'href="/(ho-so|tep|bieu-mau)/', page)


@pytest.mark.parametrize(
    ("measure", "count"),
    [
        ("received", 6),
        ("resolved", 4),
        ("early", 3),
        ("late", 1),
        ("refused", 1),
        ("returned", 1),
        ("in_progress", 2),
        ("overdue_now", 1),
        ("withdrawn", 0),
        ("on_time", 0),
    ],
)
def test_each_list_has_as_many_rows_as_its_figure(client, world, measure, count):
    response = get(client, world.people["supervisor"], DRILL, MARCH | {"measure": measure})
    assert len(response.context["page"].rows) == count == response.context["count"]


def test_keyset_pages(client, world, monkeypatch):
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 2)
    leader = world.people["leader"]
    seen, params = [], MARCH | {"measure": "received"}
    for _page in range(4):
        response = get(client, leader, DRILL, params)
        seen += [row["code"] for row in response.context["page"].rows]
        cursor = response.context["page"].next_cursor
        if not cursor:
            break
        params = params | {"sau": cursor}
    received = Dossier.objects.filter(received_at__gte=at("2026-03-01 00:00")).order_by("-received_at")
    assert seen == [d.code for d in received]
    assert len(seen) == 6


def test_query_counts_are_pinned(client, world, django_assert_num_queries):
    leader = world.people["leader"]
    client.force_login(leader)
    # session, user, role, the reader's agency and its tree (scope), the agencies' names, totals and the previous
    # period's, the live counts (one index scan) and their versions, four tables, days, the refresh mark, the fields.
    with django_assert_num_queries(17):
        client.get(HOME, MARCH)
    with django_assert_num_queries(8):  # session, user, role, scope ×2, agencies, one page with its joins, count
        client.get(DRILL, MARCH | {"measure": "received"})
    with django_assert_num_queries(8):
        client.get(DRILL, MARCH | {"measure": "overdue_now"})


def test_the_figures_are_rendered_once_per_refresh_and_scope_then_served_from_the_cache(
    client, world, commune_leader, people, applicant_for, settings, django_assert_num_queries
):
    """With DASHBOARD_CACHE_SECONDS set, a second reading of the same scope and query recounts nothing; another
    scope renders its own figures (never another scope's), and a refresh (a new watermark) renders afresh."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dash"}}
    settings.DASHBOARD_CACHE_SECONDS = 60
    leader = world.people["leader"]
    client.force_login(leader)
    first = client.get(HOME, MARCH)
    assert first.context["totals"]["received"] == 6
    with django_assert_num_queries(8):  # session, user, role, scope ×2, agencies, the refresh mark, the fields
        again = client.get(HOME, MARCH)
    assert again.context["body"] == first.context["body"]  # the same figures, not recounted

    client.force_login(commune_leader)
    commune_page = client.get(HOME, MARCH)
    assert world.agencies[OTHER_COMMUNE].name not in text(commune_page)
    assert commune_page.context["totals"]["received"] == 4

    services.dossier_receive_counter(
        actor=people["desk"],
        procedure_version=world.version,
        applicant=applicant_for(people["citizen"], name="Lê Văn Tâm"),
        channel=Channel.COUNTER,
        now=at("2026-03-19 09:00"),
    )
    figures_refresh(now=at(NOW))
    client.force_login(leader)
    assert client.get(HOME, MARCH).context["totals"]["received"] == 7


@pytest.mark.parametrize(
    ("who", "lands"),
    [("leader", "dashboard:home"), ("supervisor", "dashboard:home"), ("desk", "desk:queue"), ("citizen", "home")],
)
def test_signing_in_lands_a_leader_on_the_figures(client, world, who, lands):
    client.force_login(world.people[who])
    assert client.get(reverse("desk:after-login"))["Location"] == reverse(lands)
