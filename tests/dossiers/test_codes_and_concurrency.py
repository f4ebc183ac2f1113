"""Dossier codes (§7.1) and concurrent actions: a locked counter row, a locked dossier row."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from dossiers import services
from dossiers.models import CodeCounter, DossierEvent, SupplementRequest
from dossiers.workflow import Status
from tests.dossiers.conftest import COMMUNE, advance, at

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs with DATABASE_URL)"
)


@pytest.mark.django_db
def test_codes_are_consecutive_per_agency_and_day_across_channels(receive, submitted, make_version):
    version = make_version()
    first = receive("2026-03-02 08:00", version=version)
    online = submitted("2026-03-02 09:00", version=version)
    third = receive("2026-03-02 16:59", version=version)
    next_day = receive("2026-03-03 08:00", version=version)

    assert [first.code, online.code, third.code] == [
        f"{COMMUNE}-260302-0001",
        f"{COMMUNE}-260302-0002",
        f"{COMMUNE}-260302-0003",
    ]
    assert next_day.code == f"{COMMUNE}-260303-0001"
    assert CodeCounter.objects.get(agency__e_identifier=COMMUNE, day="2026-03-02").last == 3


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


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_receipts_get_fifty_consecutive_codes(people, make_version, applicant_for):
    version = make_version()
    applicants = [applicant_for(name=f"Người nộp {i}") for i in range(50)]
    start = threading.Barrier(10)

    def receive_one(applicant):
        try:
            start.wait(timeout=10) if applicant.pk % 5 == 0 else None
            return services.dossier_receive_counter(
                actor=people["desk"], procedure_version=version, applicant=applicant, now=at("2026-03-02 09:00")
            ).code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        codes = list(pool.map(receive_one, applicants))

    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert len(set(codes)) == 50
    assert numbers == list(range(1, 51))
    assert CodeCounter.objects.get().last == 50


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_officers_acting_at_once_make_one_step(people, receive):
    dossier = advance(receive("2026-03-02 08:00"), ("forward", "desk", {}), people=people)
    shown = dossier.revision
    start = threading.Barrier(2)

    def request(_):
        start.wait(timeout=10)
        try:
            services.dossier_transition(
                dossier=dossier.pk,
                action="request_supplement",
                actor=people["officer"],
                expected_revision=shown,
                note="Thiếu giấy tờ",
                items=["Bản sao"],
                now=at("2026-03-03 09:00"),
            )
            return "ok"
        except services.DossierChanged as error:
            return error.messages[0]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(request, range(2)))

    assert results.count("ok") == 1
    officer = people["officer"].get_full_name() or people["officer"].get_username()
    assert [r for r in results if r != "ok"] == [
        f"Hồ sơ {dossier.code} vừa được {officer} thay đổi lúc 09:00 03/03/2026; vui lòng tải lại trang và kiểm tra."
    ]
    assert SupplementRequest.objects.filter(dossier=dossier).count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, action="request_supplement").count() == 1
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.revision == shown + 1
