"""The desk's papers on screen: the tracking register (/desk/register/) and a dossier's control sheet
(/dossiers/<code>/control-sheet/), built by the same functions as their PDFs (dossiers/printing.py).

The clock is frozen on Friday 20/03/2026 10:00: "this month" is 01/03/2026–31/03/2026.
"""

import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from desk import views_register
from dossiers import printing, services
from dossiers.models import Channel, Dossier, PersonalDataAccess
from tests.dossiers.conftest import OTHER_COMMUNE, advance, at

pytestmark = pytest.mark.django_db

REGISTER = reverse("desk:register")
MARCH = {"from": "01/03/2026", "to": "31/03/2026"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(at("2026-03-20 10:00"), tick=False):
        yield


@pytest.fixture
def version(make_version, agencies):
    version = make_version()
    version.agencies.add(agencies[OTHER_COMMUNE])
    return version


@pytest.fixture
def received(receive, version):
    """Dossiers received by the commune's desk at the given local moments, in that order."""

    def make(*moments: str) -> list[Dossier]:
        return [receive(moment, version=version) for moment in moments]

    return make


def desk_of(user):
    return user.staff_profile.desk


def codes(response) -> list[str]:
    return [row["code"] for row in response.context["rows"]]


# --- The register ----------------------------------------------------------------------------------------------


def test_the_register_shows_this_months_dossiers_of_the_desk_by_default(
    client, people, received, version, applicant_for
):
    february, first, second = received("2026-02-27 09:00", "2026-03-02 08:00", "2026-03-19 15:00")
    elsewhere = services.dossier_receive_counter(
        actor=people["other_desk"],
        procedure_version=version,
        applicant=applicant_for(people["citizen"]),
        channel=Channel.COUNTER,
        now=at("2026-03-10 09:00"),
    )
    client.force_login(people["desk"])

    response = client.get(REGISTER)

    assert response.status_code == 200
    assert codes(response) == [first.code, second.code]  # in the order of receipt; not February, not elsewhere
    assert february.code not in response.text
    assert elsewhere.code not in response.text
    assert response.context["period"] == MARCH
    html = response.text
    assert 'value="01/03/2026"' in html
    assert 'value="31/03/2026"' in html
    assert "Hoàng Thị Mai" in html
    assert "0912345678" in html


def test_the_screen_and_the_pdf_are_built_from_the_same_rows(client, people, received):
    dossiers = received("2026-03-02 08:00", "2026-03-03 09:30")
    advance(dossiers[0], ("forward", "desk", {}), people=people, when="2026-03-02 10:00")
    client.force_login(people["desk"])

    rows = client.get(REGISTER, MARCH).context["rows"]

    period = (at("2026-03-01 00:00").date(), at("2026-03-31 00:00").date())
    expected = [printing.register_row(d) for d in printing.register_dossiers(desk_of(people["desk"]), period)]
    assert rows == expected
    assert rows[0]["forwarded_at"] == "10 giờ 00 phút, ngày 02/03/2026"
    assert rows[0]["number"]
    assert rows[0]["number"] != rows[1]["number"]
    pdf = client.get(reverse("dossiers:register-pdf"), MARCH)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for row in rows:
        assert row["code"] in text


def test_the_period_filter_and_the_pdf_link_carry_the_same_period(client, people, received):
    february, march = received("2026-02-27 09:00", "2026-03-02 08:00")
    client.force_login(people["desk"])

    response = client.get(REGISTER, {"from": "01/02/2026", "to": "28/02/2026"})

    assert codes(response) == [february.code]
    pdf_url = "/dossiers/register.pdf?from=01%2F02%2F2026&amp;to=28%2F02%2F2026"
    assert f'href="{pdf_url}"' in response.text
    assert march.code not in response.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "31/03/2026", "to": "01/03/2026"}, "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."),
        ({"from": "2026-03-01", "to": "31/03/2026"}, "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy"),
        ({"from": "01/01/2026", "to": "30/04/2026"}, "Khoảng thời gian tối đa 92 ngày."),
    ],
)
def test_a_bad_period_is_named_and_this_month_is_shown(client, people, received, params, message):
    (march,) = received("2026-03-02 08:00")
    client.force_login(people["desk"])

    response = client.get(REGISTER, params)

    assert response.status_code == 400
    assert message in response.text
    assert response.context["period"] == MARCH
    assert codes(response) == [march.code]


def test_the_register_is_paginated_and_the_pages_keep_the_period(client, people, received, monkeypatch):
    monkeypatch.setattr(views_register, "REGISTER_PAGE_SIZE", 2)
    dossiers = received(*(f"2026-03-{day:02d} 09:00" for day in (2, 3, 4, 5, 6)))
    client.force_login(people["desk"])

    first = client.get(REGISTER, MARCH)
    last = client.get(REGISTER, {**MARCH, "page": 3})

    assert codes(first) == [d.code for d in dossiers[:2]]
    assert codes(last) == [dossiers[4].code]
    assert "1 / 3" in first.text
    assert 'href="?from=01%2F03%2F2026&amp;to=31%2F03%2F2026&amp;page=2"' in first.text
    assert "5 hồ sơ được tiếp nhận trong thời gian này." in first.text


# session, user, staff profile, the user's desk, the count, the page of rows, their steps.
REGISTER_QUERIES = 7


@pytest.mark.parametrize("rows", [1, 12])
def test_the_register_query_count_does_not_grow_with_the_rows(
    client, people, received, django_assert_num_queries, rows
):
    dossiers = received(*(f"2026-03-{2 + i % 15:02d} {8 + i % 8:02d}:00" for i in range(rows)))
    for dossier in dossiers[::2]:
        advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-18 09:00")
    client.force_login(people["desk"])

    with django_assert_num_queries(REGISTER_QUERIES):
        response = client.get(REGISTER, MARCH)

    assert len(response.context["rows"]) == rows


@pytest.mark.parametrize("who", ["officer", "head", "leader", "citizen"])
def test_only_the_desk_keeps_the_register(client, people, received, who):
    received("2026-03-02 08:00")
    client.force_login(people[who])
    assert client.get(REGISTER).status_code == 403


def test_anonymous_is_sent_to_sign_in_from_the_register(client):
    response = client.get(REGISTER)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/desk/register/"


@pytest.mark.parametrize(("who", "shown"), [("desk", True), ("officer", False), ("leader", False), ("citizen", False)])
def test_the_register_is_in_the_desks_navigation(client, people, who, shown):
    client.force_login(people[who])
    html = client.get(reverse("home")).text
    assert (f'href="{REGISTER}"' in html) is shown


def test_a_leader_is_no_longer_offered_the_dossier_list(client, people):
    client.force_login(people["leader"])
    assert f'href="{reverse("dossiers:list")}"' not in client.get(reverse("home")).text


# --- The control sheet -----------------------------------------------------------------------------------------


@pytest.fixture
def handled(receive, version, people):
    """A dossier forwarded to the commune's processing, then taken through `extra` more steps."""

    def make(extra: int = 0) -> Dossier:
        dossier = advance(receive("2026-03-02 08:00", version=version), ("forward", "desk", {}), people=people)
        steps = [("step", "officer", {"name": f"Thẩm định lần {n + 1}"}) for n in range(extra)]
        return advance(dossier, *steps, people=people, when="2026-03-04 09:00") if steps else dossier

    return make


def sheet_url(dossier) -> str:
    return reverse("desk:control-sheet", args=[dossier.code])


def test_the_control_sheet_on_screen_is_the_pdfs_context_with_a_link_to_the_pdf(client, people, handled):
    dossier = handled(extra=1)
    client.force_login(people["officer"])

    response = client.get(sheet_url(dossier))

    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert sheet == printing.control_sheet_context(dossier)
    # The desk's own intake step is no handover; the forward opens "Bước 2" at the body, then the officer's step.
    assert [block["note"] for block in sheet["blocks"]] == [
        "Bước 2; hạn bước: 13/03/2026",
        "Thẩm định lần 1; hạn bước: 05/03/2026",
    ]
    html = response.text
    assert "Thẩm định lần 1" in html
    assert "Hoàng Thị Mai" in html
    assert f'href="/dossiers/{dossier.code}/forms/control_sheet.pdf"' in html
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.purpose) == (people["officer"], "view:control_sheet")


# session, user, staff profile, its agency, the scope check, the read log, the dossier (with its applicant, desk
# and agencies), its identities, documents, fee lines and steps, the forward and the receive events.
CONTROL_SHEET_QUERIES = 13


@pytest.mark.parametrize("extra", [0, 6])
def test_the_control_sheet_query_count_does_not_grow_with_the_steps(
    client, people, handled, django_assert_num_queries, extra
):
    dossier = handled(extra=extra)
    client.force_login(people["desk"])

    with django_assert_num_queries(CONTROL_SHEET_QUERIES):
        response = client.get(sheet_url(dossier))

    assert len(response.context["sheet"]["blocks"]) == 1 + extra


def test_another_agencys_control_sheet_is_the_same_404_as_a_missing_one(client, people, handled):
    dossier = handled()
    client.force_login(people["other_desk"])
    theirs = client.get(sheet_url(dossier))
    missing = client.get(reverse("desk:control-sheet", args=["000.00.31.H56-260302-9999"]))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("citizen", 403), ("leader", 404), ("other_officer", 404)])
def test_the_control_sheet_refuses_the_owner_a_leader_and_other_agencies(client, people, handled, who, status):
    dossier = handled()
    client.force_login(people[who])
    assert client.get(sheet_url(dossier)).status_code == status
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize(("who", "linked"), [("desk", True), ("head", True), ("citizen", False)])
def test_the_dossier_page_links_to_the_control_sheet_for_staff(client, people, handled, who, linked):
    dossier = handled()
    client.force_login(people[who])
    html = client.get(reverse("dossiers:detail", args=[dossier.code])).text
    assert (f'href="{sheet_url(dossier)}"' in html) is linked
