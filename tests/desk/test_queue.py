"""The desk queue (/desk/): sections, counts, masking, filters, search, scope, refusals, a pinned query count."""

import re

import pytest
import time_machine
from django.urls import reverse

from accounts.second_factor import current_code, demo_device
from desk import selectors_queue
from dossiers import services
from dossiers.models import Channel, Dossier
from dossiers.workflow import Status
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, at

pytestmark = pytest.mark.django_db

URL = "/desk/"
NOW = "2026-03-16 09:00"  # a Monday


@pytest.fixture
def frozen():
    with time_machine.travel(at(NOW), tick=False) as traveller:
        yield traveller


@pytest.fixture
def other_agency_dossier(people, agencies, applicant_for, make_version):
    """A dossier received at the other commune, for an applicant whose name and numbers are also searched."""
    version = make_version()
    version.agencies.add(agencies[OTHER_COMMUNE])
    return services.dossier_receive_counter(
        actor=people["other_desk"],
        procedure_version=version,
        applicant=applicant_for(name="Lê Văn Khác", email="khac@example.vn"),
        channel=Channel.COUNTER,
        now=at("2026-03-02 10:00"),
    )


@pytest.fixture
def queue(frozen, people, receive, submitted, prepared, make_version, other_agency_dossier):
    """One dossier per section at the commune on Monday 16/03/2026 09:00, and one at the other commune."""
    version = make_version()
    return {
        "late_online": submitted("2026-03-02 08:00", version=version),  # acceptance window long closed
        "fresh_online": submitted("2026-03-16 08:30", version=version),  # window still open
        "due_today": receive("2026-03-02 10:00", version=version),  # 10 working days → 10:00 16/03
        "overdue": receive("2026-02-02 10:00", version=version),
        "result_ready": prepared("result_ready"),
        "other": other_agency_dossier,
    }


def counts(response) -> dict[str, int]:
    html = response.content.decode()
    return {key: int(n) for key, n in re.findall(r'data-count="(\w+)">(\d+)<', html)}


def codes(response) -> list[str]:
    return re.findall(r'class="dq-code" href="/(?:dossiers|desk/review)/[^"]+/">([^<]+)<', response.content.decode())


def section_html(response, key: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="{key}"')
    end = html.find("</section>", start)
    return html[start:end]


def test_sections_count_and_list_the_desks_dossiers(client, people, queue):
    client.force_login(people["desk"])
    response = client.get(URL)

    assert response.status_code == 200
    assert counts(response) == {"waiting": 2, "supplied": 0, "result_ready": 1, "due_today": 2, "overdue": 1}
    waiting = section_html(response, "waiting")
    # The window that closes first comes first; the late one is flagged, the fresh one shows the time left.
    assert waiting.index(queue["late_online"].code) < waiting.index(queue["fresh_online"].code)
    assert waiting.count("quá hạn tiếp nhận") == 1
    assert "còn " in waiting
    assert queue["due_today"].code in section_html(response, "due_today")
    assert queue["result_ready"].code in section_html(response, "due_today")  # open and due today as well
    assert queue["overdue"].code in section_html(response, "overdue")
    assert queue["overdue"].code not in section_html(response, "due_today")
    assert queue["result_ready"].code in section_html(response, "result_ready")
    # Rows: link to the dossier page, local time as HH:MM dd/mm/yyyy, masked name (§11), channel, status.
    html = response.content.decode()
    assert f'href="/dossiers/{queue["due_today"].code}/"' in html
    assert "10:00 16/03/2026" in html
    assert "Hoàng T. M." in html
    assert "Hoàng Thị Mai" not in html
    assert "Trực tuyến" in html
    assert "Đã có kết quả, chờ trả" in html


def test_another_agencys_dossiers_never_appear(client, people, queue):
    client.force_login(people["desk"])
    shown = codes(client.get(URL)) + codes(client.get(URL, {"q": queue["other"].code}))
    assert queue["other"].code not in shown
    assert "Lê V. K." not in client.get(URL, {"q": "Lê Văn"}).content.decode()


def test_the_other_agencys_desk_sees_its_own_queue(client, people, queue):
    client.force_login(people["other_desk"])
    response = client.get(URL)
    assert response.status_code == 200
    assert set(codes(response)) == {queue["other"].code}
    assert counts(response) == {"waiting": 0, "supplied": 0, "result_ready": 0, "due_today": 1, "overdue": 0}


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/desk/")


@pytest.mark.parametrize("who", ["citizen", "leader", "officer", "head", "admin"])
def test_everyone_but_desk_officers_is_refused(client, people, queue, who):
    client.force_login(people[who])
    response = client.get(URL)
    assert response.status_code == 403
    assert queue["due_today"].code not in response.content.decode()


# --- Search ------------------------------------------------------------------------------------------------


def test_search_by_code_is_trimmed_and_case_insensitive(client, people, queue):
    client.force_login(people["desk"])
    response = client.get(URL, {"q": f"  {queue['overdue'].code.lower()} "})
    assert response.status_code == 200
    assert codes(response) == [queue["overdue"].code]
    assert f"Kết quả tìm “{queue['overdue'].code}”" in response.content.decode()  # echoed as normalised
    assert 'id="waiting"' not in response.content.decode()  # the results replace the sections


@pytest.mark.parametrize(
    ("typed", "masked", "full"),
    [("038190001234", "0381••••1234", "038190001234"), ("0912345678", "0912•••678", "0912345678")],
)
def test_search_by_id_or_phone_shows_the_number_masked(client, people, queue, typed, masked, full):
    client.force_login(people["desk"])
    response = client.get(URL, {"q": typed})
    html = response.content.decode()
    assert set(codes(response)) == {d.code for key, d in queue.items() if key != "other"}
    results = html[html.index('id="dq-results"') :]
    assert results.count(masked) == 1 + 5  # the heading and each of the five rows
    assert full not in results  # the full number is only echoed back in the search box


def test_search_by_name_prefix_ignores_case(client, people, queue):
    client.force_login(people["desk"])
    assert len(codes(client.get(URL, {"q": "hoàng thị"}))) == 5
    assert codes(client.get(URL, {"q": "Thị Mai"})) == []
    response = client.get(URL, {"q": "000.00.31.H56-999999-9999"})
    assert codes(response) == []
    assert "Không tìm thấy hồ sơ nào" in response.content.decode()


# --- Filters -----------------------------------------------------------------------------------------------


def test_filters_narrow_the_counts_and_rows(client, people, queue):
    client.force_login(people["desk"])
    assert counts(client.get(URL, {"channel": Channel.ONLINE}))["waiting"] == 2
    assert counts(client.get(URL, {"channel": Channel.COUNTER}))["waiting"] == 0
    assert counts(client.get(URL, {"status": Status.RECEIVED})) == {
        "waiting": 0,
        "supplied": 0,
        "result_ready": 0,
        "due_today": 1,
        "overdue": 1,
    }
    february = client.get(URL, {"received_from": "01/02/2026", "received_to": "28/02/2026"})
    assert set(codes(february)) == {queue["overdue"].code}
    procedure = queue["result_ready"].procedure_version.procedure_id
    assert set(codes(client.get(URL, {"procedure": procedure}))) == {queue["result_ready"].code}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"received_from": "32/01/2026"}, "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy"),
        ({"received_to": "2026-03-01"}, "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy"),
        ({"received_from": "10/03/2026", "received_to": "01/03/2026"}, "Ngày kết thúc phải sau hoặc bằng"),
        ({"channel": "9"}, "Giá trị không hợp lệ"),
        ({"channel": "x"}, "Giá trị không hợp lệ"),
        ({"status": "draft"}, "Giá trị không hợp lệ"),
        ({"status": "returned"}, "Giá trị không hợp lệ"),
        ({"procedure": "999999"}, "Giá trị không hợp lệ"),
        ({"section": "secret"}, ""),
        ({"page": "0"}, ""),
        ({"q": "\x00"}, ""),
    ],
)
def test_bad_filter_values_get_a_message_not_a_500(client, people, queue, params, message):
    client.force_login(people["desk"])
    response = client.get(URL, params)
    assert response.status_code in (200, 400)
    if message:
        assert response.status_code == 400
        assert message in response.content.decode()
    # The invalid filter is left out: the queue is still shown, unfiltered by it.
    assert sum(counts(response).values()) == 6


def test_a_full_section_links_to_all_of_it_page_by_page(client, people, queue, submitted, monkeypatch):
    monkeypatch.setattr(selectors_queue, "SECTION_SIZE", 1)
    client.force_login(people["desk"])
    response = client.get(URL)
    waiting = section_html(response, "waiting")
    assert waiting.count('class="dq-code"') == 1
    assert "Xem thêm (tất cả 2 hồ sơ)" in waiting
    assert "?section=waiting" in waiting
    first = client.get(URL, {"section": "waiting"})
    second = client.get(URL, {"section": "waiting", "page": 2})
    assert codes(first) == [queue["late_online"].code]
    assert codes(second) == [queue["fresh_online"].code]
    assert 'id="overdue"' not in first.content.decode()  # only the chosen section


# --- Scale -------------------------------------------------------------------------------------------------

# Session, user, staff profile, agency; the procedure choices; the counts (one statement); five sections.
QUERIES = 11
SECTION_QUERIES = len(selectors_queue.SECTIONS)
SEARCH = QUERIES - SECTION_QUERIES + 1  # a search: one result query instead of the sections
NUMBER = QUERIES - SECTION_QUERIES + 2  # a number: the applicants holding it, then their dossiers


@pytest.mark.parametrize("how_many", [3, 30])
def test_the_queue_runs_a_fixed_number_of_queries(
    client, people, frozen, receive, submitted, make_version, django_assert_num_queries, how_many
):
    version = make_version()
    for n in range(how_many):
        (submitted if n % 3 == 0 else receive)("2026-03-02 10:00", version=version)
    assert Dossier.objects.count() == how_many
    client.force_login(people["desk"])
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert sum(counts(response).values()) == how_many
    with django_assert_num_queries(SEARCH):
        client.get(URL, {"q": "hoàng"})
    with django_assert_num_queries(NUMBER):
        response = client.get(URL, {"q": "0912345678"})
    assert len(codes(response)) == how_many


def test_doubling_the_dossiers_keeps_the_query_count(
    client, people, frozen, receive, submitted, make_version, django_assert_num_queries
):
    version = make_version()

    def add(how_many):
        for n in range(how_many):
            (submitted if n % 2 else receive)("2026-03-02 10:00", version=version)

    add(4)
    client.force_login(people["desk"])
    client.get(URL)  # warm the session
    with django_assert_num_queries(QUERIES):
        before = counts(client.get(URL))
    add(4)
    with django_assert_num_queries(QUERIES):
        after = counts(client.get(URL))
    with django_assert_num_queries(SEARCH):
        client.get(URL, {"q": "hoàng", "procedure": version.procedure_id})
    assert sum(after.values()) == 2 * sum(before.values()) == 8


def test_counts_stop_at_the_cap_and_say_so(client, people, queue, submitted, monkeypatch):
    monkeypatch.setattr(selectors_queue, "COUNT_CAP", 1)
    client.force_login(people["desk"])
    html = client.get(URL).content.decode()
    assert 'data-count="waiting">1+<' in html  # two waiting: past the cap
    assert 'data-count="overdue">1<' in html  # one: exact
    assert "Xem thêm (tất cả 1+ hồ sơ)" not in html  # a section of fifty rows shows both, no "more" link
    monkeypatch.setattr(selectors_queue, "SECTION_SIZE", 1)
    assert "Xem thêm (tất cả 1+ hồ sơ)" in client.get(URL).content.decode()


def test_the_queue_is_the_desks_own_receipts_and_a_code_search_reaches_the_agencys_scope(
    client, people, queue, agencies
):
    """A dossier received at the other commune and routed here for a step is not in the desk's sections (it is
    returned where it was received) but the desk finds it by its code, as it may open it."""
    from dossiers.models import DossierStep

    routed = queue["other"]
    DossierStep.objects.filter(pk=routed.current_step_id).update(agency=people["desk"].staff_profile.agency)
    client.force_login(people["desk"])
    assert routed.code not in codes(client.get(URL))
    assert codes(client.get(URL, {"q": routed.code})) == [routed.code]
    assert "Lê V. K." not in client.get(URL, {"q": "Lê Văn"}).content.decode()  # a name: the desk's own only


def test_a_name_search_never_finds_a_citizens_draft(client, people, queue, agencies, applicant_for, make_version):
    draft = services.dossier_draft_create(
        user=people["citizen"],
        procedure_version=make_version(),
        applicant=applicant_for(name="Trần Thị Nháp"),
        agency=agencies[COMMUNE],
    )
    assert draft.status == Status.DRAFT
    client.force_login(people["desk"])
    assert "Trần T. N." not in client.get(URL, {"q": "Trần Thị"}).content.decode()
    assert "Hoàng T. M." in client.get(URL, {"q": "Hoàng"}).content.decode()


def test_the_staff_screens_partial_indexes_exist():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'dossiers_%'")
        found = dict(cursor.fetchall())
    assert (
        "(receiving_agency_id, acceptance_due_at, id) WHERE ((status)::text = 'submitted'"
        in found["dossier_desk_waiting"]
    )
    assert "(receiving_agency_id, completed_at, id)" in found["dossier_desk_result_ready"]
    assert "(receiving_agency_id, current_due_at, id)" in found["dossier_desk_running_due"]
    assert "'in_processing'" in found["dossier_desk_running_due"]
    assert "'submitted'" not in found["dossier_desk_running_due"]
    assert "(receiving_agency_id, id DESC)" in found["dossier_desk_newest"]
    assert "upper((name)::text) text_pattern_ops" in found["applicant_name_prefix"]
    assert "(handler_id, due_at) WHERE (finished_at IS NULL)" in found["dossier_step_open_handler_due"]
    assert "(current_step_id, current_due_at) WHERE" in found["dossier_current_step_running"]
    assert "'paused'" in found["dossier_current_step_paused"]


# --- Landing after sign-in and the masks -------------------------------------------------------------------


@pytest.mark.parametrize(("who", "lands"), [("desk", "/desk/"), ("officer", "/"), ("citizen", "/")])
def test_signing_in_lands_desk_officers_on_their_queue(client, people, who, lands):
    response = client.post(reverse("login"), {"username": people[who].username, "password": "x"}, follow=True)
    step = response.redirect_chain[-1][0]
    if step.startswith(reverse("accounts:otp")):  # staff give their TOTP code first (docs/authentication.md)
        response = client.post(step, {"code": current_code(demo_device(people[who]))}, follow=True)
    assert response.redirect_chain[-1][0] == lands


def test_an_explicit_next_still_wins(client, people):
    response = client.post(reverse("login") + "?next=/dossiers/", {"username": "desk", "password": "x"})
    assert response["Location"] == "/dossiers/"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Hoàng Thị Mai", "Hoàng T. M."), ("  Lê   Văn  Khác ", "Lê V. K."), ("Mai", "Mai"), ("", "")],
)
def test_mask_name(value, expected):
    assert selectors_queue.mask_name(value) == expected


def test_mask_numbers():
    assert selectors_queue.mask_id_number("038190001234") == "0381••••1234"
    assert selectors_queue.mask_id_number("123") == "•••"
    assert selectors_queue.mask_phone("0912345678") == "0912•••678"
    assert selectors_queue.mask_phone("+84912345678")[-3:] == "678"
