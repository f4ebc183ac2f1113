"""Check 38 — the data subject's rights: export, erasure refused under retention, deletion blocked in the database.

"Tải dữ liệu của tôi" on the citizen's personal-data page (`privacy:export`) answers with a JSON file holding all
their dossiers and personal fields — account, profile, applicant and representative with identity numbers,
addresses and contact, documents, file metadata, the events shown to them, fees, payments, rating — and nothing of
another citizen. The request is recorded with the moment it came, its acknowledgement deadline two working days
later on the calendar in force, and its acknowledgement at once (the file is the answer). An erasure request
(`privacy:erasure`) on dossiers under retention is refused with the legal basis (the archives law) and recorded;
the dossiers stay. Deleting a submitted dossier with raw SQL meets a PostgreSQL trigger. Staff and anonymous
visitors cannot use these pages.
"""

# ruff: noqa: F811 - the fixtures imported from tests/dossiers/conftest.py

import datetime as dt
import hashlib
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.utils import IntegrityError

from dossiers.files import dossier_file_add
from dossiers.models import Dossier, IdDocumentType
from payments.models import Payment
from privacy.models import DataSubjectRequest
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    TZ,
    agencies,
    applicant_for,
    make_version,
    people,
    receive,
    submitted,
)
from tests.dossiers.files_fixtures import pdf_bytes

pytestmark = pytest.mark.django_db

FRIDAY = dt.datetime(2026, 3, 6, 10, 0, tzinfo=TZ)  # the deadline skips the weekend: Tuesday 10/3


@pytest.fixture
def world(submitted, receive, applicant_for, people):
    mine = submitted("2026-03-02 10:00")
    dossier_file_add(dossier=mine, upload=SimpleUploadedFile("don.pdf", pdf_bytes()), actor=people["citizen"])
    Payment.objects.create(
        dossier=mine,
        amount=50_000,
        provider="fake",
        transaction_ref="PAY-0001",
        created_at=FRIDAY,
        updated_at=FRIDAY,
    )
    theirs = submitted("2026-03-02 11:00")
    Dossier.objects.filter(pk=theirs.pk).update(owner=people["other_citizen"])
    return mine, theirs


def test_export_my_data_returns_every_dossier_and_personal_field_and_is_acknowledged(client, world, people):
    mine, theirs = world
    client.force_login(people["citizen"])
    with time_machine.travel(FRIDAY, tick=False):
        response = client.post("/du-lieu-cua-toi/tai-ve/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="du-lieu-cua-toi-')
    assert response["Cache-Control"] == "private, no-store"
    data = json.loads(response.content)

    assert data["account"]["username"] == "mai"
    assert data["profile"]["personal_id"] == "038190001234"
    codes = [row["code"] for row in data["dossiers"]]
    assert codes == [mine.code]  # never another citizen's
    assert theirs.code not in response.content.decode()
    row = data["dossiers"][0]
    assert row["applicant"]["name"] == "Hoàng Thị Mai"
    assert row["applicant"]["identities"] == [{"doc_type": IdDocumentType.PERSONAL_ID, "number": "038190001234"}]
    assert row["applicant"]["phone"] == "0912345678"
    assert row["applicant"]["address"] == "12 Lê Hoàn, phường Hạc Thành"
    assert row["applicant"]["email"] == "mai@example.vn"
    assert row["files"][0]["original_name"] == "don.pdf"
    assert row["files"][0]["sha256"] == hashlib.sha256(pdf_bytes()).hexdigest()
    assert [event["action"] for event in row["events"]][:1] == ["submit"]
    assert row["payments"][0]["transaction_ref"] == "PAY-0001"
    assert "rating" in row
    assert set(row) >= {"representative", "documents", "fees", "delivery_address", "status", "submitted_at"}

    request = DataSubjectRequest.objects.get()
    assert request.user == people["citizen"]
    assert request.kind == "export"
    assert request.received_at == FRIDAY
    assert request.acknowledge_by == dt.date(2026, 3, 10)  # 2 working days: Monday 9, Tuesday 10
    assert request.acknowledged_at == request.received_at  # answered at once: the file is the answer
    assert request.outcome == "answered"
    assert request.details["dossiers"] == [mine.code]
    assert request.details["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_the_page_lists_requests_with_their_deadline(client, world, people):
    client.force_login(people["citizen"])
    with time_machine.travel(FRIDAY, tick=False):
        client.post("/du-lieu-cua-toi/tai-ve/")
    page = client.get("/du-lieu-cua-toi/").content.decode()
    assert "Tải dữ liệu của tôi" in page
    assert "10/03/2026" in page
    assert "Luật Lưu trữ" in page  # the retention basis is stated before anyone asks


def test_erasure_under_retention_is_refused_with_the_legal_basis_and_recorded(client, world, people):
    mine, _ = world
    client.force_login(people["citizen"])
    with time_machine.travel(FRIDAY, tick=False):
        response = client.post("/du-lieu-cua-toi/yeu-cau-xoa/", {"reason": "Tôi muốn xóa"}, follow=True)
    assert response.status_code == 200
    request = DataSubjectRequest.objects.get()
    assert request.kind == "erasure"
    assert request.outcome == "refused"
    assert "Luật Lưu trữ số 33/2024/QH15" in request.legal_basis
    assert mine.code in request.answer
    assert request.details == {"retained": [mine.code]}
    assert request.acknowledge_by == dt.date(2026, 3, 10)
    assert request.reason == "Tôi muốn xóa"
    page = response.content.decode()
    assert "Luật Lưu trữ số 33/2024/QH15" in page  # the refusal shown with its basis
    assert Dossier.objects.filter(pk=mine.pk).exists()


def test_an_over_long_reason_is_refused_with_a_message_and_nothing_recorded(client, world, people):
    client.force_login(people["citizen"])
    response = client.post("/du-lieu-cua-toi/yeu-cau-xoa/", {"reason": "x" * 2001}, follow=True)
    assert response.status_code == 200
    assert "Lý do dài quá 2000 ký tự." in response.content.decode()
    assert not DataSubjectRequest.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_deleting_a_dossier_under_retention_is_refused_by_the_database(world):
    mine, _ = world
    with pytest.raises(IntegrityError, match="under retention: DELETE refused"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM dossiers_dossier WHERE id = %s", [mine.pk])
    assert Dossier.objects.filter(pk=mine.pk).exists()


@pytest.mark.parametrize("who", ["officer", "desk", None])
@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/du-lieu-cua-toi/"), ("post", "/du-lieu-cua-toi/tai-ve/"), ("post", "/du-lieu-cua-toi/yeu-cau-xoa/")],
)
def test_staff_and_anonymous_cannot_use_the_pages(client, people, who, method, url):
    if who:
        client.force_login(people[who])
    response = getattr(client, method)(url)
    assert response.status_code == (403 if who else 302)
    assert not DataSubjectRequest.objects.exists()
