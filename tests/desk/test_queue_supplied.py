"""The desk queue's "answered supplements" section (/desk/, T10): the agency's dossiers whose applicant answered the
supplement request online and that the desk has not accepted yet — oldest answer first, masked, counted and capped
like the other sections, linked to the review screen, in a fixed number of queries."""

import re

import pytest
import time_machine

from desk import selectors_queue
from dossiers import services
from dossiers.models import Channel
from dossiers.workflow import SUPPLIED, Status
from tests.desk.test_queue import QUERIES, URL, codes, counts, section_html
from tests.dossiers.conftest import OTHER_COMMUNE, advance, at
from tests.dossiers.transition_cases import ITEMS

pytestmark = pytest.mark.django_db

NOW = "2026-03-06 09:00"  # a Friday; the requests of 02/03 give the applicants until late March


@pytest.fixture
def frozen():
    with time_machine.travel(at(NOW), tick=False) as traveller:
        yield traveller


@pytest.fixture
def asked(people, submitted):
    """An online dossier the desk asked to supplement at intake (T4), not answered yet."""

    def make(when="2026-03-02 08:00", *, version=None):
        dossier = submitted(when, version=version)
        return advance(dossier, ("request_supplement_intake", "desk", ITEMS), people=people, when=when)

    return make


@pytest.fixture
def answered(people, asked):
    """An online dossier whose applicant answered the supplement request online (T10, citizen part) at `at_`."""

    def make(at_: str, *, when="2026-03-02 08:00", version=None):
        dossier = asked(when, version=version)
        return advance(dossier, ("supply_supplement", "citizen", {"note": "Đã bổ sung"}), people=people, when=at_)

    return make


@pytest.fixture
def other_answered(people, agencies, applicant_for, make_version):
    """An answered supplement at the other commune."""
    version = make_version()
    version.agencies.add(agencies[OTHER_COMMUNE])
    draft = services.dossier_draft_create(
        user=people["citizen"],
        procedure_version=version,
        applicant=applicant_for(people["citizen"]),
        agency=agencies[OTHER_COMMUNE],
    )
    steps = [
        ("submit", "citizen", {}),
        ("request_supplement_intake", "other_desk", ITEMS),
        ("supply_supplement", "citizen", {"note": "Đã bổ sung"}),
    ]
    return advance(draft, *steps, people=people, when="2026-03-03 09:00")


@pytest.fixture
def supplied(frozen, answered, asked, other_answered):
    """Two answers at the commune — the dossier submitted first answered last — one request still open there, and an
    answer at the other commune."""
    late_answer = answered("2026-03-05 14:30", when="2026-03-02 08:00")
    early_answer = answered("2026-03-03 09:15", when="2026-03-02 11:00")
    return {"late": late_answer, "early": early_answer, "open": asked("2026-03-02 13:00"), "other": other_answered}


def test_the_section_lists_the_answered_supplements_oldest_answer_first(client, people, supplied):
    assert supplied["early"].pk > supplied["late"].pk  # the order is the answer's, not the dossier's
    assert (supplied["late"].status, supplied["late"].substate) == (Status.SUPPLEMENT_REQUESTED, SUPPLIED)
    client.force_login(people["desk"])
    response = client.get(URL)
    assert counts(response)["supplied"] == 2
    section = section_html(response, "supplied")
    assert "Đã bổ sung, chờ tiếp nhận" in section
    assert codes_in(section) == [supplied["early"].code, supplied["late"].code]
    # Each row: when the applicant answered, their deadline (local time), the masked name, the way to the review.
    deadline = supplied["early"].supplement_request.applicant_deadline.astimezone(at(NOW).tzinfo)
    assert "09:15 03/03/2026" in section
    assert "14:30 05/03/2026" in section
    assert f"{deadline:%H:%M %d/%m/%Y}" in section
    assert "Hoàng T. M." in section
    assert "Hoàng Thị Mai" not in response.content.decode()
    assert f'class="dq-code" href="/desk/review/{supplied["early"].code}/"' in section
    assert f'class="dq-review" href="/desk/review/{supplied["late"].code}/"' in section
    assert "Gửi bổ sung lúc" in section
    assert "Hạn bổ sung" in section


def test_a_request_not_answered_yet_and_another_agencys_answer_are_not_in_it(client, people, supplied):
    client.force_login(people["desk"])
    response = client.get(URL)
    section = section_html(response, "supplied")
    assert supplied["open"].code not in section
    assert supplied["other"].code not in response.content.decode()
    client.force_login(people["other_desk"])
    other = client.get(URL)
    assert counts(other)["supplied"] == 1
    assert codes_in(section_html(other, "supplied")) == [supplied["other"].code]


def test_an_accepted_supplement_leaves_the_section(client, people, supplied):
    services.dossier_transition(dossier=supplied["early"], action="accept_supplement", actor=people["desk"])
    client.force_login(people["desk"])
    response = client.get(URL)
    assert counts(response)["supplied"] == 1
    assert codes_in(section_html(response, "supplied")) == [supplied["late"].code]


def test_filters_and_search_apply_to_the_section(client, people, supplied):
    client.force_login(people["desk"])
    assert counts(client.get(URL, {"status": Status.SUPPLEMENT_REQUESTED}))["supplied"] == 2
    assert counts(client.get(URL, {"status": Status.RECEIVED}))["supplied"] == 0
    assert counts(client.get(URL, {"channel": Channel.COUNTER}))["supplied"] == 0
    procedure = supplied["late"].procedure_version.procedure_id
    assert codes(client.get(URL, {"procedure": procedure, "section": "supplied"})) == [supplied["late"].code]
    # Found by its code, an answered supplement also opens on the review screen.
    found = client.get(URL, {"q": supplied["late"].code}).content.decode()
    assert f'class="dq-code" href="/desk/review/{supplied["late"].code}/"' in found
    assert "đã gửi bổ sung" in found


def test_the_section_is_capped_and_paged_like_the_others(client, people, supplied, monkeypatch):
    monkeypatch.setattr(selectors_queue, "COUNT_CAP", 1)
    monkeypatch.setattr(selectors_queue, "SECTION_SIZE", 1)
    client.force_login(people["desk"])
    response = client.get(URL)
    assert 'data-count="supplied">1+<' in response.content.decode()
    section = section_html(response, "supplied")
    assert codes_in(section) == [supplied["early"].code]
    assert "Xem thêm (tất cả 1+ hồ sơ)" in section
    assert "?section=supplied" in section
    assert codes(client.get(URL, {"section": "supplied", "page": 2})) == [supplied["late"].code]
    assert 'id="waiting"' not in client.get(URL, {"section": "supplied"}).content.decode()


def test_doubling_the_answered_supplements_keeps_the_query_count(
    client, people, frozen, answered, make_version, django_assert_num_queries
):
    version = make_version()

    def add(how_many):
        for n in range(how_many):
            answered(f"2026-03-0{3 + n % 3} 10:00", version=version)

    add(3)
    client.force_login(people["desk"])
    client.get(URL)  # warm the session
    with django_assert_num_queries(QUERIES):
        before = counts(client.get(URL))
    add(3)
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    after = counts(response)
    assert (before["supplied"], after["supplied"]) == (3, 6)
    assert len(codes_in(section_html(response, "supplied"))) == 6
    with django_assert_num_queries(QUERIES - len(selectors_queue.SECTIONS) + 1):  # one section asked for
        client.get(URL, {"section": "supplied"})


def test_the_sections_partial_index_exists():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'dossier_desk_supplied'")
        (definition,) = cursor.fetchone()
    assert "(receiving_agency_id, id) WHERE" in definition
    assert "'supplement_requested'" in definition
    assert "'supplied'" in definition


def codes_in(html: str) -> list[str]:
    return re.findall(r'class="dq-code" href="[^"]+">([^<]+)<', html)
