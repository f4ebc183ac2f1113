"""Check 1 — out-of-scope reads are a 404 and leave an audit entry "denied: out of scope".

An officer of agency A asks for a dossier of agency B: its page (which carries its history, the event timeline),
one of its files (download and inline), its receipt PDF; a desk officer of B asks for A's control sheet (the
processing history), intake review and return screens. Each answer must be the very same 404 as for a code
that does not exist, and each request must leave one `privacy.DeniedAccess` row naming the user, their role and
agency, the client's IP address and browser, the UTC moment, the kind of object and the code or file id asked for.
A citizen probing another citizen's dossier is recorded the same way; a code that exists nowhere is recorded as
`not_found`, with the response unchanged. The rows cannot be edited or deleted (PostgreSQL trigger).
"""

# ruff: noqa: F811 - the fixtures imported from tests/dossiers/conftest.py

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.utils import IntegrityError

from accounts.roles import Role
from dossiers.files import dossier_file_add
from dossiers.models import PersonalDataAccess
from privacy.models import DeniedAccess
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    OTHER_COMMUNE,
    agencies,
    applicant_for,
    make_version,
    people,
    receive,
)
from tests.dossiers.files_fixtures import pdf_bytes

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC)
CLIENT = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "probe/1.0"}


@pytest.fixture
def theirs(receive, people):
    """A dossier received by commune A's desk, with one uploaded PDF."""
    dossier = receive("2026-03-02 08:00")
    record = dossier_file_add(dossier=dossier, upload=SimpleUploadedFile("don.pdf", pdf_bytes()), actor=people["desk"])
    return dossier, record


def _urls(code: str, file_id: int) -> dict[str, str]:
    return {
        "dossier": f"/dossiers/{code}/",  # the page shows the dossier's history (its events)
        "file": f"/dossiers/{code}/files/{file_id}/",
        "file_inline": f"/dossiers/{code}/files/{file_id}/inline/",
        "form": f"/dossiers/{code}/forms/receipt.pdf",
    }


EXPECTED_KIND = {"dossier": "dossier", "file": "file", "file_inline": "file", "form": "form"}


@pytest.mark.parametrize("what", ["dossier", "file", "file_inline", "form"])
def test_an_officer_of_another_agency_gets_404_and_an_audit_row(client, theirs, people, what):
    dossier, record = theirs
    officer = people["other_officer"]
    client.force_login(officer)
    url = _urls(dossier.code, record.pk)[what]
    missing_url = _urls("000.00.31.H56-260302-9999", record.pk)[what]

    with time_machine.travel(NOW, tick=False):
        response = client.get(url, **CLIENT)
    missing = client.get(missing_url, **CLIENT)

    assert response.status_code == missing.status_code == 404
    assert response.content == missing.content  # nothing tells an existing dossier from a missing one
    denied = DeniedAccess.objects.order_by("pk")
    assert [row.reason for row in denied] == ["out_of_scope", "not_found"]
    row = denied[0]
    assert row.user == officer
    assert row.role == Role.OFFICER
    assert row.agency.e_identifier == OTHER_COMMUNE
    assert row.ip_address == "203.0.113.7"
    assert row.user_agent == "probe/1.0"
    assert row.at == NOW
    assert row.object_kind == EXPECTED_KIND[what]
    assert row.dossier_id == dossier.pk
    assert dossier.code in row.object_ref
    if what.startswith("file"):
        assert row.object_ref.endswith(f"/files/{record.pk}")
    if what == "form":
        assert "receipt" in row.object_ref
    assert not PersonalDataAccess.objects.exists()  # a refused read is not a read


def test_the_same_request_by_the_agency_in_scope_is_a_read_not_a_denial(client, theirs, people):
    dossier, record = theirs
    client.force_login(people["officer"])
    for url in _urls(dossier.code, record.pk).values():
        response = client.get(url, **CLIENT)
        assert response.status_code == 200, url
        # Consuming a download's stream closes it (an explicit close() would end the test's database connection).
        b"".join(response.streaming_content) if response.streaming else response.content
    assert not DeniedAccess.objects.exists()
    assert PersonalDataAccess.objects.filter(dossier=dossier, user=people["officer"]).count() == 4


def test_a_file_id_of_another_dossier_under_a_visible_one_is_recorded(client, theirs, receive, people):
    """Asking for dossier X's file under dossier Y's code is probing too: recorded against X."""
    _, record = theirs
    mine = receive("2026-03-02 09:00")  # another dossier of commune A, with no files
    client.force_login(people["officer"])
    response = client.get(f"/dossiers/{mine.code}/files/{record.pk}/", **CLIENT)  # the first dossier's file
    assert response.status_code == 404
    row = DeniedAccess.objects.get()
    assert row.object_kind == "file"
    assert row.reason == "out_of_scope"
    assert row.dossier_id == record.dossier_id


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/dossiers/{code}/control-sheet/", "history"),  # Phiếu kiểm soát: the dossier's processing history
        ("/desk/review/{code}/", "dossier"),
        ("/dossiers/{code}/return/", "dossier"),
    ],
)
def test_the_desk_screens_by_code_record_the_denial_too(client, theirs, people, path, kind):
    dossier, _ = theirs
    client.force_login(people["other_desk"])
    response = client.get(path.format(code=dossier.code), **CLIENT)
    missing = client.get(path.format(code="000.00.31.H56-260302-9999"), **CLIENT)
    assert response.status_code == missing.status_code == 404
    assert response.content == missing.content
    rows = list(
        DeniedAccess.objects.order_by("pk").values_list("user", "reason", "object_kind", "dossier_id", "ip_address")
    )
    desk = people["other_desk"].pk
    assert rows == [
        (desk, "out_of_scope", kind, dossier.pk, "203.0.113.7"),
        (desk, "not_found", kind, None, "203.0.113.7"),
    ]


@pytest.mark.parametrize("who", ["leader", "supervisor"])
def test_a_leader_or_supervisor_asking_for_a_dossier_is_recorded(client, theirs, people, who):
    """For figures-only roles no dossier exists (docs/domain.md §2, §11): the 404 comes with the same audit row."""
    dossier, _ = theirs
    client.force_login(people[who])
    assert client.get(f"/dossiers/{dossier.code}/", **CLIENT).status_code == 404
    row = DeniedAccess.objects.get()
    assert (row.user, row.role, row.reason, row.dossier_id) == (people[who], who, "out_of_scope", dossier.pk)


def test_a_citizen_probing_another_citizens_dossier_is_recorded(client, theirs, people):
    dossier, record = theirs
    client.force_login(people["other_citizen"])
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/", **CLIENT)
    download = client.get(f"/dossiers/{dossier.code}/files/{record.pk}/", **CLIENT)
    receipt = client.get(f"/dossiers/{dossier.code}/forms/receipt.pdf", **CLIENT)
    assert page.status_code == download.status_code == receipt.status_code == 404
    rows = list(DeniedAccess.objects.order_by("pk").values_list("user", "role", "reason", "object_kind", "dossier_id"))
    other = people["other_citizen"].pk
    assert rows == [
        (other, "citizen", "out_of_scope", "dossier", dossier.pk),
        (other, "citizen", "out_of_scope", "file", dossier.pk),
        (other, "citizen", "out_of_scope", "form", dossier.pk),
    ]


def test_the_denied_access_log_is_append_only_in_the_database(client, theirs, people):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    dossier, _ = theirs
    client.force_login(people["other_officer"])
    client.get(f"/dossiers/{dossier.code}/", **CLIENT)
    row = DeniedAccess.objects.get()
    for sql in (
        "UPDATE privacy_deniedaccess SET ip_address = '10.0.0.1' WHERE id = %s",
        "DELETE FROM privacy_deniedaccess WHERE id = %s",
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [row.pk])
    assert DeniedAccess.objects.get().ip_address == "203.0.113.7"
