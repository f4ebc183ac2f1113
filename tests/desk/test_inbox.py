"""The processing officers' inbox (/work/): scope, order by due moment, states, filters, refusals, query count.

The clock is frozen on Thursday 05/03/2026 09:00 (a working day, default office hours 07:00–11:30, 13:30–17:00):
the due-soon window of 8 working hours then ends on Friday 06/03 at 09:00.
"""

import re

import pytest
import time_machine
from django.urls import reverse

from desk import selectors_inbox
from dossiers.models import ClockState, Dossier, DossierStep
from tests.dossiers.conftest import OTHER_COMMUNE, at

pytestmark = pytest.mark.django_db

NOW = "2026-03-05 09:00"
URL = reverse("desk:inbox")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at(NOW), tick=False):
        yield


@pytest.fixture
def version(make_version):
    return make_version()


@pytest.fixture
def step_at(receive, version, agencies):
    """An open current step shaped for the test: handler, due moment, agency, dossier due, paused clock."""

    def make(*, handler=None, due=None, dossier_due="keep", agency=None, paused=False, received="2026-03-02 10:00"):
        dossier = receive(received, version=version)
        step = dossier.current_step
        # Written around the engine, as the demo seeder does: the step's `paused` copies the dossier's clock.
        DossierStep.objects.filter(pk=step.pk).update(
            handler=handler, due_at=at(due) if due else None, agency=agency or step.agency, paused=paused
        )
        changes = {}
        if dossier_due != "keep":
            changes["current_due_at"] = at(dossier_due) if dossier_due else None
        if paused:
            changes["clock_state"] = ClockState.PAUSED
        if changes:
            Dossier.objects.filter(pk=dossier.pk).update(**changes)
        return DossierStep.objects.select_related("dossier").get(pk=step.pk)

    return make


def codes(response) -> list[str]:
    return [step.dossier.code for step in response.context["page"].rows]


def row_states(response) -> dict[str, str]:
    """Code → the state class of its row, read from the HTML as a browser would."""
    html = response.content.decode()
    pattern = r'<tr class="inbox-row inbox-row--(\w+)" data-state="\w+" data-due="[^"]*">\s*<td[^>]*>'
    pattern += r'<a href="[^"]+">([^<]+)</a>'
    found = re.findall(pattern, html)
    return {code: state for state, code in found}


# --- Who may open it -----------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/work/")


@pytest.mark.parametrize("who", ["citizen", "leader", "admin"])
def test_citizen_leader_and_admin_are_refused(client, people, step_at, who):
    step_at(handler=people["officer"], due="2026-03-04 09:00")
    client.force_login(people[who])
    response = client.get(URL, {"tab": "unit"})
    assert response.status_code == 403
    assert b"inbox-row" not in response.content


def test_desk_gets_a_pointer_and_no_rows(client, people, step_at):
    step = step_at(handler=None, due="2026-03-04 09:00")
    client.force_login(people["desk"])
    response = client.get(URL, {"tab": "unit"})
    assert response.status_code == 200
    assert "Danh sách này dành cho chuyên viên thụ lý" in response.content.decode()
    assert step.dossier.code not in response.content.decode()


def test_another_agency_sees_only_its_own_steps(client, people, step_at, agencies):
    ours = step_at(handler=people["officer"], due="2026-03-06 10:00")
    theirs = step_at(handler=people["other_officer"], due="2026-03-06 11:00", agency=agencies[OTHER_COMMUNE])
    unassigned_there = step_at(due="2026-03-06 12:00", agency=agencies[OTHER_COMMUNE])

    client.force_login(people["other_officer"])
    assert codes(client.get(URL, {"tab": "mine"})) == [theirs.dossier.code]
    assert codes(client.get(URL, {"tab": "unit"})) == [theirs.dossier.code, unassigned_there.dossier.code]

    client.force_login(people["officer"])
    assert codes(client.get(URL, {"tab": "unit"})) == [ours.dossier.code]
    # Naming the other agency's officer as a handler filter is not a way in.
    response = client.get(URL, {"tab": "unit", "handler": people["other_officer"].pk})
    assert response.status_code == 400
    assert theirs.dossier.code not in response.content.decode()


# --- Tabs, order, closed steps -------------------------------------------------------------------------------


def test_mine_and_unit_tabs(client, people, step_at):
    mine = step_at(handler=people["officer"], due="2026-03-09 09:00")
    heads = step_at(handler=people["head"], due="2026-03-06 09:00")
    nobody = step_at(handler=None, due="2026-03-10 09:00")
    client.force_login(people["officer"])

    assert codes(client.get(URL)) == [mine.dossier.code]  # an officer starts on "mine"
    unit = client.get(URL, {"tab": "unit"})
    assert codes(unit) == [heads.dossier.code, mine.dossier.code, nobody.dossier.code]
    assert "chưa phân công" in unit.content.decode()
    assert codes(client.get(URL, {"tab": "unit", "handler": "none"})) == [nobody.dossier.code]
    assert codes(client.get(URL, {"tab": "unit", "handler": people["head"].pk})) == [heads.dossier.code]

    client.force_login(people["head"])
    assert codes(client.get(URL)) == [heads.dossier.code, mine.dossier.code, nobody.dossier.code]  # head: unit


def test_sorted_by_step_due_then_dossier_due_without_due_last(client, people, step_at):
    me = people["officer"]
    late_step = step_at(handler=me, due="2026-03-12 09:00")
    early_step = step_at(handler=me, due="2026-03-04 15:00")
    no_step_due_early_dossier = step_at(handler=me, due=None, dossier_due="2026-03-20 09:00")
    no_step_due_late_dossier = step_at(handler=me, due=None, dossier_due="2026-03-25 09:00")
    no_due_at_all = step_at(handler=me, due=None, dossier_due=None)
    same_due_later_dossier = step_at(handler=me, due="2026-03-06 10:00", dossier_due="2026-03-30 09:00")
    same_due_earlier_dossier = step_at(handler=me, due="2026-03-06 10:00", dossier_due="2026-03-16 09:00")
    client.force_login(me)

    assert codes(client.get(URL)) == [
        early_step.dossier.code,
        same_due_earlier_dossier.dossier.code,
        same_due_later_dossier.dossier.code,
        late_step.dossier.code,
        no_step_due_early_dossier.dossier.code,
        no_step_due_late_dossier.dossier.code,
        no_due_at_all.dossier.code,
    ]


def test_finished_steps_and_steps_that_are_not_current_are_left_out(client, people, step_at):
    shown = step_at(handler=people["officer"], due="2026-03-06 10:00")
    finished = step_at(handler=people["officer"], due="2026-03-06 10:00")
    DossierStep.objects.filter(pk=finished.pk).update(finished_at=at("2026-03-04 10:00"))
    stale = step_at(handler=people["officer"], due="2026-03-06 10:00")
    Dossier.objects.filter(pk=stale.dossier_id).update(current_step=None)
    client.force_login(people["officer"])
    assert codes(client.get(URL)) == [shown.dossier.code]


# --- States, colours, time left ------------------------------------------------------------------------------


@pytest.fixture
def four_states(people, step_at):
    me = people["officer"]
    return {
        "overdue": step_at(handler=me, due="2026-03-03 09:00"),
        "soon_edge": step_at(handler=me, due="2026-03-06 08:59"),  # 7 h 59 working minutes left
        "due_soon": step_at(handler=me, due="2026-03-05 12:00"),  # 09:00–11:30: 2.5 working hours
        "on_track_edge": step_at(handler=me, due="2026-03-06 09:01"),  # just past the window
        "on_track": step_at(handler=me, due="2026-03-10 09:00"),
        "paused": step_at(handler=me, due="2026-03-02 09:00", paused=True),  # past due, but its clock is stopped
    }


def test_each_row_is_coloured_by_its_state_with_the_time_left(client, people, four_states):
    client.force_login(people["officer"])
    response = client.get(URL)
    assert response.status_code == 200
    code = {key: step.dossier.code for key, step in four_states.items()}
    assert row_states(response) == {
        code["paused"]: "paused",
        code["overdue"]: "overdue",
        code["due_soon"]: "due_soon",
        code["soon_edge"]: "due_soon",
        code["on_track_edge"]: "on_track",
        code["on_track"]: "on_track",
    }
    left = {step.dossier.code: step.time_left for step in response.context["page"].rows}
    assert left[code["overdue"]] == "quá hạn 2 ngày làm việc"
    assert left[code["due_soon"]] == "còn 2 giờ làm việc"
    assert left[code["soon_edge"]] == "còn 7 giờ làm việc"
    assert left[code["on_track_edge"]] == "còn 1 ngày làm việc"
    assert left[code["on_track"]] == "còn 3 ngày làm việc"
    assert left[code["paused"]] == "tạm dừng"
    assert response.context["page"].counts == {"on_track": 2, "due_soon": 2, "overdue": 1, "paused": 1}


def test_state_and_procedure_filters_with_counts_under_the_other_filters(
    client, people, four_states, receive, make_version, agencies
):
    client.force_login(people["officer"])
    response = client.get(URL, {"state": "overdue"})
    assert codes(response) == [four_states["overdue"].dossier.code]
    # The counts stay those of every state, so the chips still say what the other states hold.
    assert response.context["page"].counts == {"on_track": 2, "due_soon": 2, "overdue": 1, "paused": 1}
    assert set(codes(client.get(URL, {"state": "due_soon"}))) == {
        four_states["due_soon"].dossier.code,
        four_states["soon_edge"].dossier.code,
    }

    other = receive("2026-03-02 10:00", version=make_version())
    DossierStep.objects.filter(pk=other.current_step_id).update(handler=people["officer"])
    by_procedure = client.get(URL, {"procedure": other.procedure_version.procedure_id})
    assert by_procedure.status_code == 200
    assert codes(by_procedure) == [other.code]
    assert sum(by_procedure.context["page"].counts.values()) == 1
    same_procedure = four_states["overdue"].dossier.procedure_version.procedure_id
    assert len(codes(client.get(URL, {"procedure": same_procedure}))) == 6

    # The choices are the agency's catalogue: one of its procedures with no open step is an empty list...
    no_open_step = make_version()
    empty = client.get(URL, {"procedure": no_open_step.procedure_id})
    assert empty.status_code == 200
    assert codes(empty) == []
    # ...and a procedure the agency does not handle is refused: the filter is dropped, with a message.
    elsewhere = make_version()
    elsewhere.agencies.set([agencies[OTHER_COMMUNE]])
    refused = client.get(URL, {"procedure": elsewhere.procedure_id})
    assert refused.status_code == 400
    assert "Thủ tục đã chọn không hợp lệ" in refused.content.decode()
    assert len(codes(refused)) == 7


def test_the_due_soon_window_follows_the_setting(client, people, four_states, settings):
    settings.DUE_SOON_WINDOW_HOURS = 2
    client.force_login(people["officer"])
    response = client.get(URL)
    assert response.context["page"].counts == {"on_track": 4, "due_soon": 0, "overdue": 1, "paused": 1}


def test_time_left_labels_cross_nights_weekends_and_lunch():
    clock = selectors_inbox.current_clock(None)
    now = at("2026-03-06 16:00")  # Friday
    label = selectors_inbox.time_left_label
    assert label("due_soon", at("2026-03-09 08:30"), now=now, clock=clock) == "còn 2 giờ làm việc"  # 1 h + 1.5 h
    assert label("due_soon", at("2026-03-06 16:30"), now=now, clock=clock) == "còn dưới 1 giờ làm việc"
    assert label("overdue", at("2026-03-06 11:00"), now=now, clock=clock) == "quá hạn 3 giờ làm việc"  # lunch left out
    assert label("overdue", at("2026-03-06 15:30"), now=at("2026-03-07 10:00"), clock=clock) == (
        "quá hạn 1 giờ làm việc"
    )
    assert label("overdue", at("2026-03-06 16:59"), now=at("2026-03-06 17:30"), clock=clock) == "vừa quá hạn"
    assert label("on_track", None, now=now, clock=clock) == "không quy định thời hạn"


# --- Bad filter values -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"state": "late"}, "Tình trạng đã chọn không hợp lệ."),
        ({"procedure": "abc"}, "Thủ tục đã chọn không hợp lệ"),
        ({"procedure": "99999999999999999999"}, "Thủ tục đã chọn không hợp lệ"),
        ({"tab": "unit", "handler": "x' OR 1=1"}, "Người xử lý đã chọn không hợp lệ."),
        ({"page": "0"}, "Số trang không hợp lệ."),
        ({"page": "abc"}, "Số trang không hợp lệ."),
        ({"page": "9" * 30}, "Số trang không hợp lệ."),
        ({"tab": "everyone"}, "Thẻ danh sách không hợp lệ."),
        ({"state": "\x00"}, "Tình trạng đã chọn không hợp lệ."),
    ],
)
def test_bad_filter_values_get_a_message_and_the_rest_of_the_page(client, people, step_at, params, message):
    step = step_at(handler=people["officer"], due="2026-03-06 10:00")
    client.force_login(people["officer"])
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert codes(response) == [step.dossier.code]  # the bad filter is dropped, the good ones kept


def test_pages_of_fifty(client, people, step_at, monkeypatch):
    monkeypatch.setattr(selectors_inbox, "PAGE_SIZE", 2)
    steps = [step_at(handler=people["officer"], due=f"2026-03-1{day} 09:00") for day in (2, 0, 1)]
    client.force_login(people["officer"])
    first = client.get(URL)
    assert codes(first) == [steps[1].dossier.code, steps[2].dossier.code]
    assert 'rel="next"' in first.content.decode()
    second = client.get(URL, {"page": 2})
    assert codes(second) == [steps[0].dossier.code]
    assert 'rel="next"' not in second.content.decode()
    assert "2 / 2" in second.content.decode()
    assert codes(client.get(URL, {"page": 3})) == []


# --- Scale -----------------------------------------------------------------------------------------------------

# session, user, staff profile, agency (office hours), procedure choices, handler choices, calendar version,
# the counts aggregate, the page of rows.
INBOX_QUERIES = 9


@pytest.mark.parametrize("rows", [3, 30])
def test_query_count_does_not_grow_with_the_rows(client, people, step_at, django_assert_num_queries, rows):
    me = people["officer"]
    for index in range(rows):
        step_at(
            handler=me if index % 3 else None,
            due=f"2026-03-{3 + index % 20:02d} 09:00",
            paused=index % 7 == 3,
        )
    client.force_login(people["head"])
    client.get(URL, {"tab": "unit"})  # warms the calendar cache, as any earlier request of the day would
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(URL, {"tab": "unit", "state": ""})
    assert len(response.context["page"].rows) == rows
    with django_assert_num_queries(INBOX_QUERIES):
        response = client.get(URL, {"tab": "unit", "state": "overdue", "handler": "none"})
    assert response.context["page"].rows
    assert all(step.handler_id is None and step.state == "overdue" for step in response.context["page"].rows)


def test_doubling_the_rows_keeps_the_query_count(client, people, step_at, django_assert_num_queries):
    me = people["officer"]

    def add(how_many):
        for index in range(how_many):
            step_at(handler=me if index % 2 else None, due=f"2026-03-{3 + index:02d} 09:00", paused=index == 3)

    add(5)
    client.force_login(me)
    client.get(URL)  # warms the session and the calendar cache
    for params in ({"tab": "mine"}, {"tab": "unit"}, {"tab": "unit", "state": "on_track", "handler": "none"}):
        with django_assert_num_queries(INBOX_QUERIES):
            client.get(URL, params)
    before = client.get(URL, {"tab": "unit"}).context["page"].counts
    add(5)
    for params in ({"tab": "mine"}, {"tab": "unit"}, {"tab": "unit", "state": "on_track", "handler": "none"}):
        with django_assert_num_queries(INBOX_QUERIES):
            client.get(URL, params)
    after = client.get(URL, {"tab": "unit"}).context["page"].counts
    assert sum(after.values()) == 2 * sum(before.values()) == 10


def test_state_counts_stop_at_the_cap_and_say_so(client, people, four_states, monkeypatch):
    monkeypatch.setattr(selectors_inbox, "COUNT_CAP", 1)
    monkeypatch.setattr(selectors_inbox, "PAGE_SIZE", 2)
    client.force_login(people["officer"])
    response = client.get(URL)
    html = response.content.decode()
    page = response.context["page"]
    assert page.counts == {"on_track": 2, "due_soon": 2, "overdue": 1, "paused": 1}  # each stops at cap + 1
    assert page.capped
    assert re.search(r"Trong hạn <strong>1\+</strong>", html)
    assert re.search(r"Quá hạn <strong>1</strong>", html)
    assert "1 / 3+" in html  # six rows counted as at least six: three pages at least


def test_the_partial_index_on_open_steps_by_agency_and_due_exists():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'dossier_step_open_agency_due'")
        (definition,) = cursor.fetchone()
    assert "(agency_id, due_at)" in definition
    assert "finished_at IS NULL" in definition


# --- Navigation ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "shown"), [("officer", True), ("head", True), ("desk", False), ("citizen", False)])
def test_the_nav_link_is_shown_to_officers_and_heads(client, people, who, shown):
    client.force_login(people[who])
    html = client.get(reverse("home")).content.decode()
    assert (f'href="{URL}"' in html) is shown
