"""The catalogue and the agency tree may be loaded in either order; the procedures end up linked both ways."""

from io import StringIO

import pytest
from django.core.management import call_command

from agencies.models import Agency
from procedures.models import ProcedureVersion
from procedures.services import procedures_link_pending_agencies
from tests.procedures.conftest import SMALL

pytestmark = pytest.mark.django_db


def links() -> dict[str, list[str]]:
    """Procedure code → linked agency identifiers, for every version that has links."""
    result: dict[str, list[str]] = {}
    rows = ProcedureVersion.agencies.through.objects.values_list(
        "procedureversion__procedure__code", "agency__e_identifier"
    )
    for code, identifier in rows.order_by("procedureversion__procedure__code", "agency__e_identifier"):
        result.setdefault(code, []).append(identifier)
    return result


def pending() -> dict[str, list[str]]:
    return {
        code: identifiers
        for code, identifiers in ProcedureVersion.objects.values_list(
            "procedure__code", "pending_agency_identifiers"
        ).order_by("procedure__code")
        if identifiers
    }


EXPECTED_LINKS = {"1.001193": ["000.00.31.H56", "000.00.32.H56"], "2.000488": ["000.00.10.H56"]}


def test_import_first_then_seed_demo_links_the_waiting_procedures():
    err = StringIO()
    call_command("import_procedures", str(SMALL), stdout=StringIO(), stderr=err)
    assert links() == {}
    assert pending() == {"1.001193": ["000.00.31.H56", "000.00.32.H56", "000.00.99.H56"], "2.000488": ["000.00.10.H56"]}
    assert "linked once the agency is created" in err.getvalue()

    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)

    assert links() == EXPECTED_LINKS
    # The identifier no agency carries keeps waiting; nothing else does.
    assert pending() == {"1.001193": ["000.00.99.H56"]}
    assert "agencies linked to 2 procedure versions" in out.getvalue()
    # The catalogue's filter by agency now finds them.
    assert [v.procedure.code for v in ProcedureVersion.objects.filter(agencies__e_identifier="000.00.10.H56")] == [
        "2.000488"
    ]


def test_agencies_first_then_import_links_at_once(demo_agencies):
    call_command("import_procedures", str(SMALL), stdout=StringIO(), stderr=StringIO())
    assert links() == EXPECTED_LINKS
    assert pending() == {"1.001193": ["000.00.99.H56"]}


def test_an_agency_created_later_is_linked_by_the_next_import_of_another_file(
    demo_agencies, small_catalogue, write_catalogue
):
    call_command("import_procedures", str(SMALL), stdout=StringIO(), stderr=StringIO())
    Agency.objects.create(e_identifier="000.00.99.H56", name="UBND xã mới", level="commune")
    # A file that does not mention 1.001193 at all still completes its links.
    only_records = [r for r in small_catalogue["procedures"] if r["code"] == "2.000488"]
    call_command(
        "import_procedures",
        str(write_catalogue({**small_catalogue, "procedures": only_records})),
        stdout=StringIO(),
        stderr=StringIO(),
    )
    assert links()["1.001193"] == ["000.00.31.H56", "000.00.32.H56", "000.00.99.H56"]
    assert pending() == {}


def test_linking_twice_changes_nothing_and_keeps_links_dropped_from_the_file(small_catalogue, write_catalogue):
    call_command("import_procedures", str(SMALL), stdout=StringIO(), stderr=StringIO())
    call_command("seed_demo", force=True, verbosity=0)
    assert procedures_link_pending_agencies() == 0
    assert links() == EXPECTED_LINKS

    # The file drops an agency: the re-import unlinks it and it is no longer waiting either.
    small_catalogue["procedures"][0]["agencies"] = ["000.00.31.H56"]
    call_command("import_procedures", str(write_catalogue(small_catalogue)), stdout=StringIO(), stderr=StringIO())
    assert links()["1.001193"] == ["000.00.31.H56"]
    assert pending() == {}
    assert procedures_link_pending_agencies() == 0


def test_linking_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    call_command("import_procedures", str(SMALL), stdout=StringIO(), stderr=StringIO())
    for identifier in ("000.00.31.H56", "000.00.32.H56", "000.00.10.H56"):
        Agency.objects.create(e_identifier=identifier, name=identifier, level="commune")
    with django_assert_max_num_queries(6):
        assert procedures_link_pending_agencies() == 2
    assert links() == EXPECTED_LINKS


def test_an_agency_created_in_the_admin_picks_up_the_procedures_waiting_for_it(client, django_user_model):
    call_command("import_procedures", str(SMALL), stdout=StringIO(), stderr=StringIO())
    client.force_login(django_user_model.objects.create_superuser(username="root", password="x"))

    response = client.post(
        "/admin/agencies/agency/add/",
        {
            "e_identifier": "000.00.10.H56",
            "name": "Sở Tư pháp",
            "level": Agency._meta.get_field("level").choices[0][0],
            "is_active": "on",
            "morning_start": "07:00",
            "morning_end": "11:30",
            "afternoon_start": "13:30",
            "afternoon_end": "17:00",
            "desks-TOTAL_FORMS": "0",
            "desks-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert links() == {"2.000488": ["000.00.10.H56"]}
