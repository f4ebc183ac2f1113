"""Who sees which dossier (docs/domain.md §2, §11): the same 404 for someone else's and a missing one."""

import pytest
from django.contrib.auth.models import AnonymousUser

from dossiers import services
from dossiers.models import PersonalDataAccess
from dossiers.permissions import dossier_abilities, dossiers_visible_to
from tests.dossiers.conftest import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(receive, people):
    return advance(receive("2026-03-02 08:00"), ("forward", "desk", {}), people=people)


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("citizen", True),
        ("desk", True),
        ("officer", True),
        ("head", True),
        ("leader", False),  # figures only: the dashboard's drill-down, never a dossier (§2, §11)
        ("supervisor", False),
        ("admin", True),
        ("other_citizen", False),
        ("other_desk", False),
        ("other_officer", False),
        ("other_head", False),
    ],
)
def test_visibility_by_role_and_scope(dossier, people, who, visible):
    assert dossiers_visible_to(people[who]).filter(pk=dossier.pk).exists() is visible


def test_anonymous_sees_nothing(dossier):
    assert not dossiers_visible_to(AnonymousUser()).exists()


def test_staff_of_an_agency_a_dossier_is_routed_to_see_it(dossier, people, agencies):
    assert not dossiers_visible_to(people["other_officer"]).filter(pk=dossier.pk).exists()
    advance(dossier, ("step", "officer", {"name": "Xác minh", "agency": agencies["000.00.32.H56"]}), people=people)
    assert dossiers_visible_to(people["other_officer"]).filter(pk=dossier.pk).exists()


@pytest.mark.parametrize("who", ["other_citizen", "other_desk", "other_head"])
def test_someone_elses_dossier_is_the_same_404_as_a_missing_one(client, dossier, people, who):
    client.force_login(people[who])
    # A citizen is sent to their own page (/ho-so-cua-toi/<code>/), which selects by code and owner.
    theirs = client.get(f"/dossiers/{dossier.code}/", follow=True)
    missing = client.get("/dossiers/000.00.31.H56-260302-9999/", follow=True)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content
    assert not PersonalDataAccess.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, dossier):
    response = client.get(f"/dossiers/{dossier.code}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_owner_sees_the_dossier_and_no_access_is_logged(client, dossier, people):
    client.force_login(people["citizen"])
    response = client.get(f"/dossiers/{dossier.code}/", follow=True)
    assert response.redirect_chain == [(f"/ho-so-cua-toi/{dossier.code}/", 302)]
    assert response.status_code == 200
    assert dossier.code in response.text
    assert not PersonalDataAccess.objects.exists()


def test_every_staff_read_is_recorded(client, dossier, people):
    client.force_login(people["officer"])
    assert client.get(f"/dossiers/{dossier.code}/").status_code == 200
    assert client.get(f"/dossiers/{dossier.code}/").status_code == 200

    reads = list(PersonalDataAccess.objects.values_list("user__username", "role", "agency__e_identifier", "purpose"))
    assert reads == [("officer", "officer", "000.00.31.H56", "view")] * 2


def test_abilities_drive_the_buttons(dossier, people):
    assert dossier_abilities(people["officer"], dossier)["request_supplement"] is True
    assert dossier_abilities(people["other_officer"], dossier)["request_supplement"] is False
    assert dossier_abilities(people["citizen"], dossier)["withdraw"] is True
    assert dossier_abilities(people["other_citizen"], dossier)["withdraw"] is False
    assert dossier_abilities(AnonymousUser(), dossier) == dict.fromkeys(
        dossier_abilities(AnonymousUser(), dossier), False
    )


def test_public_lookup_shows_status_and_initials_only(client, dossier):
    response = client.get("/tra-cuu/", {"ma": dossier.code})
    assert response.status_code == 200
    assert "H. T. M." in response.text
    assert "Hoàng Thị Mai" not in response.text
    assert "038190001234" not in response.text
    assert "Đang xử lý" in response.text


def test_public_lookup_of_an_unknown_code_says_so(client, db):
    response = client.get("/tra-cuu/", {"ma": "000.00.31.H56-260302-9999"})
    assert response.status_code == 200
    assert "Không tìm thấy hồ sơ có mã 000.00.31.H56-260302-9999" in response.text


def test_the_owner_downloads_the_receipt_pdf(client, dossier, people):
    client.force_login(people["citizen"])
    response = client.get(f"/dossiers/{dossier.code}/forms/receipt.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_a_form_that_does_not_apply_redirects_with_a_message(client, dossier, people):
    client.force_login(people["citizen"])
    response = client.get(f"/dossiers/{dossier.code}/forms/apology.pdf", follow=True)
    assert response.redirect_chain == [(f"/ho-so-cua-toi/{dossier.code}/", 302)]
    assert any("xin lỗi" in str(m).lower() for m in response.context["messages"])


def test_citizens_cannot_print_the_internal_control_sheet(client, dossier, people):
    client.force_login(people["citizen"])
    assert client.get(f"/dossiers/{dossier.code}/forms/control_sheet.pdf").status_code == 404


def test_admin_shows_dossiers_read_only(client, dossier, people):
    people["admin"].is_superuser = True
    people["admin"].save()
    client.force_login(people["admin"])
    page = client.get(f"/admin/dossiers/dossier/{dossier.pk}/change/")
    assert page.status_code == 200
    assert dossier.code in page.text
    assert client.post(f"/admin/dossiers/dossier/{dossier.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/dossiers/dossier/").status_code == 200


def test_the_list_shows_only_what_the_user_may_see_in_a_fixed_number_of_queries(
    client, receive, people, make_version, applicant_for, django_assert_max_num_queries
):
    version = make_version()
    mine = [receive(version=version) for _ in range(3)]
    stranger = services.dossier_receive_counter(
        actor=people["desk"],
        procedure_version=version,
        applicant=applicant_for(people["other_citizen"], name="Lê Văn Tư"),
    )
    client.force_login(people["citizen"])

    assert client.get("/dossiers/")["Location"] == "/ho-so-cua-toi/"  # a citizen's list is their own page
    with django_assert_max_num_queries(6):
        response = client.get("/ho-so-cua-toi/")

    assert response.status_code == 200
    for dossier in mine:
        assert dossier.code in response.text
    assert stranger.code not in response.text

    client.force_login(people["other_desk"])
    assert mine[0].code not in client.get("/dossiers/").text
    client.force_login(people["desk"])
    more = [receive(version=version) for _ in range(20)]
    with django_assert_max_num_queries(8):
        page = client.get("/dossiers/")
    assert more[-1].code in page.text
    assert "Trang sau" in page.text


def test_the_page_offers_only_the_forms_that_apply(client, dossier, people, django_assert_max_num_queries):
    client.force_login(people["officer"])
    # session, user, staff profile, agency, dossier, 5 prefetches + step agencies, the read log, one scope check,
    # and one query for the supplement-once guard of the officer's actions
    with django_assert_max_num_queries(14):
        page = client.get(f"/dossiers/{dossier.code}/").text
    assert "receipt.pdf" in page
    assert "control_sheet.pdf" in page
    assert "apology.pdf" not in page
    assert "refusal.pdf" not in page


def test_the_desk_prints_its_register_for_a_period(client, dossier, people):
    client.force_login(people["desk"])
    assert "In Sổ theo dõi hồ sơ" in client.get("/dossiers/").text
    response = client.get("/dossiers/register.pdf", {"from": "01/03/2026", "to": "31/03/2026"})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "31/02/2026", "to": "31/03/2026"}, "Ngày không hợp lệ"),
        ({"from": "01/04/2026", "to": "01/03/2026"}, "tối đa 92 ngày"),
        ({"from": "01/01/2026", "to": "31/12/2026"}, "tối đa 92 ngày"),
        ({}, "Ngày không hợp lệ"),
    ],
)
def test_a_bad_register_period_gets_a_clear_message(client, dossier, people, params, message):
    client.force_login(people["desk"])
    response = client.get("/dossiers/register.pdf", params, follow=True)
    assert response.redirect_chain[-1][0] == "/dossiers/"
    assert any(message in str(m) for m in response.context["messages"])


@pytest.mark.parametrize("who", ["citizen", "officer", "leader"])
def test_only_desk_officers_print_a_register(client, dossier, people, who):
    """The register is the desk's (portal.access rule: desk role only); everyone else is told so with a 403."""
    client.force_login(people[who])
    assert client.get("/dossiers/register.pdf", {"from": "01/03/2026", "to": "31/03/2026"}).status_code == 403
