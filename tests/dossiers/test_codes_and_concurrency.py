"""Dossier codes (§7.1): the local date, more than 9999 a day, no code for a draft, a double-submitted receipt.

Codes under concurrent intakes (check 28) are tested in tests/security/test_c28_dossier_codes.py, two staff acting
at once (check 29) in tests/security/test_c29_double_processing.py."""

import re

import pytest
from django.db import connection

from dossiers import services
from dossiers.models import CodeCounter
from tests.dossiers.conftest import COMMUNE

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs with DATABASE_URL)"
)


@pytest.mark.django_db
def test_the_date_is_local_and_more_than_9999_a_day_still_works(receive, agencies):
    # 23:30 UTC on 1 March is 06:30 on 2 March in Hà Nội.
    CodeCounter.objects.create(agency=agencies[COMMUNE], day="2026-03-02", last=9999)
    dossier = receive("2026-03-02 06:30")
    assert dossier.code == f"{COMMUNE}-260302-10000"
    assert re.fullmatch(r"[0-9A-Z.]+-\d{6}-\d{4,}", dossier.code)


@pytest.mark.django_db
def test_drafts_have_no_code_until_submitted(people, make_version, applicant_for, agencies):
    draft = services.dossier_draft_create(
        user=people["citizen"],
        procedure_version=make_version(),
        applicant=applicant_for(people["citizen"]),
        agency=agencies[COMMUNE],
    )
    assert draft.code is None
    assert not CodeCounter.objects.exists()


@pytest.mark.django_db
def test_a_double_submitted_counter_receipt_creates_one_dossier(receive, make_version):
    version = make_version()
    one = receive(version=version, client_key="form-7f3a")
    two = receive(version=version, client_key="form-7f3a")
    assert one.pk == two.pk
    assert CodeCounter.objects.get().last == 1
