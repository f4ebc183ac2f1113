"""Check 36 — the audit trail.

Every state change, file download and dossier view by staff writes an audit row naming who (user), their role and
agency, the client's IP address, the UTC moment (stored with its offset), the object and the action: a state change
is a `DossierEvent` (actor, role, from → to, when), a staff view, file download or form PDF is a
`PersonalDataAccess` row (user, role, agency, IP, browser, when, purpose). The application's database role cannot
UPDATE or DELETE these rows, nor the denied-access and data-subject-request logs: raw SQL meets a PostgreSQL
trigger. The citizen sees on their dossier page who read it — by unit, role and time, never the officer's name
(docs/domain.md §11).
"""

# ruff: noqa: F811 - the fixtures imported from tests/dossiers/conftest.py

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.utils import IntegrityError

from accounts.roles import Role
from dossiers import services
from dossiers.files import dossier_file_add
from dossiers.models import DossierEvent, PersonalDataAccess
from privacy.models import DataSubjectRequest, DeniedAccess
from privacy.services import erasure_request
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    COMMUNE,
    agencies,
    applicant_for,
    make_version,
    people,
    receive,
)
from tests.dossiers.files_fixtures import pdf_bytes

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 3, 2, 15, tzinfo=dt.UTC)  # 09:15 in Thanh Hóa
CLIENT = {"REMOTE_ADDR": "198.51.100.23", "HTTP_USER_AGENT": "desk-browser/2"}


@pytest.fixture
def received(receive, people):
    dossier = receive("2026-03-02 08:00")
    record = dossier_file_add(dossier=dossier, upload=SimpleUploadedFile("don.pdf", pdf_bytes()), actor=people["desk"])
    return dossier, record


def test_a_state_change_is_an_event_with_actor_role_time_and_transition(received, people):
    dossier, _ = received
    services.dossier_transition(dossier=dossier, action="forward", actor=people["desk"], now=NOW)
    event = DossierEvent.objects.filter(dossier=dossier).latest("id")
    assert event.action == "forward"
    assert event.actor == people["desk"]
    assert event.actor_role == Role.DESK
    assert event.at == NOW
    assert event.at.utcoffset() == dt.timedelta(0)  # an aware moment, stored in UTC
    assert (event.from_status, event.to_status) == ("received", "in_processing")
    assert event.digest  # chained: an edit behind the database's back breaks the chain (audit_verify)


@pytest.mark.parametrize(
    ("path", "purpose"),
    [
        ("/dossiers/{code}/", "view"),
        ("/dossiers/{code}/files/{file}/", "file_download"),
        ("/dossiers/{code}/files/{file}/inline/", "file_download"),
        ("/dossiers/{code}/forms/receipt.pdf", "print:receipt"),
    ],
)
def test_every_staff_view_download_and_pdf_writes_an_access_row(client, received, people, path, purpose):
    dossier, record = received
    client.force_login(people["officer"])
    with time_machine.travel(NOW, tick=False):
        response = client.get(path.format(code=dossier.code, file=record.pk), **CLIENT)
    assert response.status_code == 200
    b"".join(response.streaming_content) if response.streaming else response.content  # closes a download

    row = PersonalDataAccess.objects.get()
    assert row.dossier == dossier
    assert row.user == people["officer"]
    assert row.role == Role.OFFICER
    assert row.agency.e_identifier == COMMUNE
    assert row.ip_address == "198.51.100.23"
    assert row.user_agent == "desk-browser/2"
    assert row.at == NOW
    assert row.purpose == purpose


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL")


def _raw(statement: str, params) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, params)


@postgresql_only
@pytest.mark.parametrize(
    "table",
    [
        "dossiers_dossierevent",
        "dossiers_personaldataaccess",
        "privacy_deniedaccess",
        "privacy_datasubjectrequest",
    ],
)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET id = id WHERE id = %s", "DELETE FROM {table} WHERE id = %s"])
def test_the_application_role_cannot_update_or_delete_audit_rows(client, received, people, table, statement):
    dossier, _ = received
    client.force_login(people["officer"])
    client.get(f"/dossiers/{dossier.code}/", **CLIENT)  # a read row
    client.force_login(people["other_officer"])
    client.get(f"/dossiers/{dossier.code}/", **CLIENT)  # a denied row
    erasure_request(user=people["citizen"])  # a data-subject request row
    model = {
        "dossiers_dossierevent": DossierEvent,
        "dossiers_personaldataaccess": PersonalDataAccess,
        "privacy_deniedaccess": DeniedAccess,
        "privacy_datasubjectrequest": DataSubjectRequest,
    }[table]
    pk = model.objects.values_list("pk", flat=True).first()
    count = model.objects.count()
    with pytest.raises(IntegrityError, match=rf"table {table} is append-only"):
        _raw(statement.format(table=table), [pk])
    assert model.objects.count() == count  # the connection is the portal's own role: a trigger binds every role


def test_the_citizen_sees_who_read_their_dossier_by_unit_role_and_time_never_the_name(client, received, people):
    dossier, _ = received
    client.force_login(people["officer"])
    with time_machine.travel(NOW, tick=False):
        client.get(f"/dossiers/{dossier.code}/", **CLIENT)
    client.force_login(people["citizen"])
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    section = page[page.index('id="mine-reads"') :]
    section = section[: section.index("</section>")]
    assert people["officer"].staff_profile.agency.name in section
    assert str(Role.OFFICER.label) in section
    assert "03/03/2026" in section  # the local day...
    assert "09:15" in section  # ...and time of the last read
    assert people["officer"].full_name not in section
    assert people["officer"].username not in section
