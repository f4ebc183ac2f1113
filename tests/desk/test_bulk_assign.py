"""Bulk assignment from the officers' inbox: a head checks rows of the unit tab, picks an officer, and the engine's
`assign` runs once per dossier with the revision that was on screen (desk/views_bulk.py).

The clock is frozen on Thursday 05/03/2026 09:00.
"""

import re

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from dossiers import services
from dossiers.models import Dossier, DossierEvent, DossierStep
from dossiers.workflow import Status
from tests.dossiers.conftest import advance, at

pytestmark = pytest.mark.django_db

INBOX = reverse("desk:inbox")
ASSIGN = reverse("desk:bulk-assign")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at("2026-03-05 09:00"), tick=False):
        yield


@pytest.fixture
def open_dossiers(receive, make_version, people):
    """Dossiers forwarded to the commune's processing, their step not yet assigned."""

    def make(count: int) -> list[Dossier]:
        version = make_version()
        return [
            advance(receive("2026-03-02 10:00", version=version), ("forward", "desk", {}), people=people)
            for _ in range(count)
        ]

    return make


def picked(*dossiers) -> list[str]:
    return [f"{d.pk}:{d.revision}" for d in dossiers]


def handlers(*dossiers) -> list:
    return [Dossier.objects.get(pk=d.pk).current_handler_id for d in dossiers]


def flashes(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def state() -> tuple:
    return (
        list(Dossier.objects.order_by("pk").values_list("pk", "revision", "current_handler_id")),
        list(DossierStep.objects.order_by("pk").values_list("pk", "handler_id")),
        DossierEvent.objects.count(),
    )


# --- The bar on the inbox --------------------------------------------------------------------------------------


def test_a_head_sees_checkboxes_and_the_bar_on_the_unit_tab(client, people, open_dossiers):
    first, second = open_dossiers(2)
    client.force_login(people["head"])

    html = client.get(INBOX, {"tab": "unit"}).text

    assert f'action="{ASSIGN}"' in html
    boxes = re.findall(r'<input type="checkbox" form="bulk-assign" name="dossier" value="([^"]+)"', html)
    assert sorted(boxes) == sorted(picked(first, second))
    # The officers and heads of the unit, and nobody from elsewhere.
    options = re.findall(
        r'<option value="(\d+)">([^<]+)</option>', html.split('id="bulk-handler"')[1].split("</select>")[0]
    )
    assert {int(pk) for pk, _name in options} == {people["officer"].pk, people["head"].pk}


def test_a_row_the_engine_would_not_assign_has_no_checkbox(client, people, open_dossiers):
    """The sources of "assign" in the transition table decide: a paused-for-supplement dossier is not offered."""
    offered, waiting = open_dossiers(2)
    Dossier.objects.filter(pk=waiting.pk).update(status=Status.SUPPLEMENT_REQUESTED)
    client.force_login(people["head"])

    html = client.get(INBOX, {"tab": "unit"}).text

    assert waiting.code in html
    assert re.findall(r'name="dossier" value="([^"]+)"', html) == picked(offered)


@pytest.mark.parametrize(("who", "tab"), [("officer", "unit"), ("officer", "mine"), ("head", "mine")])
def test_nobody_else_and_no_other_tab_shows_the_bar(client, people, open_dossiers, who, tab):
    open_dossiers(1)
    client.force_login(people[who])
    html = client.get(INBOX, {"tab": tab}).text
    assert "bulk-assign" not in html
    assert 'type="checkbox"' not in html


# --- Assigning -------------------------------------------------------------------------------------------------


def test_every_checked_dossier_is_assigned_through_the_engine(client, people, open_dossiers):
    first, second, untouched = open_dossiers(3)
    client.force_login(people["head"])

    response = client.post(
        ASSIGN,
        {"handler": people["officer"].pk, "dossier": picked(first, second), "back": "tab=unit&state=overdue&x=1"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{INBOX}?tab=unit&state=overdue"  # the inbox as it was, its own filters only
    officer = people["officer"].pk
    assert handlers(first, second, untouched) == [officer, officer, None]
    events = DossierEvent.objects.filter(action="assign").order_by("id")
    assert [(e.dossier_id, e.actor_id, e.data["handler"]) for e in events] == [
        (first.pk, people["head"].pk, officer),
        (second.pk, people["head"].pk, officer),
    ]
    assert flashes(response) == [
        ("success", f"Đã phân công 2 hồ sơ cho Officer: {first.code}, {second.code}."),
    ]


def test_a_dossier_changed_since_the_page_was_shown_is_refused_and_the_others_go_through(client, people, open_dossiers):
    first, changed, last = open_dossiers(3)
    on_screen = picked(first, changed, last)
    # Meanwhile, someone takes the second one (its revision moves on).
    services.dossier_transition(
        dossier=changed.pk,
        action="assign",
        actor=people["officer"],
        handler=people["officer"],
        now=at("2026-03-05 08:55"),
    )
    client.force_login(people["head"])

    response = client.post(ASSIGN, {"handler": people["head"].pk, "dossier": on_screen})

    assert handlers(first, changed, last) == [people["head"].pk, people["officer"].pk, people["head"].pk]
    assert flashes(response) == [
        ("success", f"Đã phân công 2 hồ sơ cho Head: {first.code}, {last.code}."),
        (
            "error",
            f"Không phân công được: Hồ sơ {changed.code} vừa được officer thay đổi lúc "
            "08:55 05/03/2026; vui lòng tải lại trang và kiểm tra.",
        ),
    ]


def test_the_refusals_are_listed_on_the_inbox_after_the_redirect(client, people, open_dossiers):
    (dossier,) = open_dossiers(1)
    stale = f"{dossier.pk}:{dossier.revision - 1}"
    client.force_login(people["head"])

    response = client.post(ASSIGN, {"handler": people["officer"].pk, "dossier": [stale]}, follow=True)

    assert response.redirect_chain == [(f"{INBOX}?tab=unit", 302)]
    assert f"Không phân công được: Hồ sơ {dossier.code} vừa được" in response.text
    assert handlers(dossier) == [None]


def test_another_agencys_dossier_is_refused_as_not_found(client, people, open_dossiers, agencies):
    ours, theirs = open_dossiers(2)
    # The second dossier's processing moves to the other commune: the head can no longer see it.
    DossierStep.objects.filter(dossier=theirs).update(agency=agencies["000.00.32.H56"])
    Dossier.objects.filter(pk=theirs.pk).update(
        processing_agency=agencies["000.00.32.H56"], receiving_agency=agencies["000.00.32.H56"]
    )
    client.force_login(people["head"])

    response = client.post(ASSIGN, {"handler": people["officer"].pk, "dossier": picked(ours, theirs)})

    assert handlers(ours, theirs) == [people["officer"].pk, None]
    assert flashes(response)[1] == ("error", "Không phân công được hồ sơ (không xác định): Không tìm thấy hồ sơ.")
    assert theirs.code not in str(flashes(response))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"dossier": []}, "Chưa chọn hồ sơ nào để phân công."),
        ({"dossier": ["12;3"]}, "Lựa chọn hồ sơ không hợp lệ; vui lòng tải lại trang."),
        ({"handler": ""}, "Chọn cán bộ được phân công."),
        ({"handler": "other_officer"}, "Cán bộ được chọn không thuộc đơn vị."),
        ({"handler": "desk"}, "Cán bộ được chọn không thuộc đơn vị."),  # the desk holds no processing step
    ],
)
def test_a_bad_form_changes_nothing_and_says_why(client, people, open_dossiers, data, message):
    (dossier,) = open_dossiers(1)
    form = {"handler": people["officer"].pk, "dossier": picked(dossier), **data}
    if form["handler"] in people:
        form["handler"] = people[form["handler"]].pk
    before = state()
    client.force_login(people["head"])

    response = client.post(ASSIGN, form)

    assert response.status_code == 302
    assert flashes(response) == [("error", message)]
    assert state() == before


def test_more_than_a_page_of_rows_is_refused(client, people, open_dossiers):
    (dossier,) = open_dossiers(1)
    client.force_login(people["head"])
    many = [f"{pk}:1" for pk in range(dossier.pk + 1, dossier.pk + 52)]
    response = client.post(ASSIGN, {"handler": people["officer"].pk, "dossier": many})
    assert flashes(response) == [("error", "Mỗi lần phân công tối đa 50 hồ sơ.")]


# --- Who may post --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("citizen", 403), ("desk", 403), ("officer", 403), ("leader", 403), ("admin", 403)],
)
def test_only_heads_may_assign_in_bulk(client, people, open_dossiers, who, status):
    (dossier,) = open_dossiers(1)
    before = state()
    if who != "anonymous":
        client.force_login(people[who])

    response = client.post(ASSIGN, {"handler": people["officer"].pk, "dossier": picked(dossier)})

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"] == f"/accounts/login/?next={ASSIGN}"
    assert state() == before


def test_a_head_of_another_agency_assigns_nothing_here(client, people, open_dossiers):
    (dossier,) = open_dossiers(1)
    before = state()
    client.force_login(people["other_head"])

    response = client.post(ASSIGN, {"handler": people["other_officer"].pk, "dossier": picked(dossier)})

    assert flashes(response) == [("error", "Không phân công được hồ sơ (không xác định): Không tìm thấy hồ sơ.")]
    assert state() == before


def test_a_get_is_not_allowed(client, people):
    client.force_login(people["head"])
    assert client.get(ASSIGN).status_code == 405
