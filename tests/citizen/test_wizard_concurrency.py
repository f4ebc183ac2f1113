"""Two requests at once on the same draft — a double click on "Bắt đầu" or on "Nộp hồ sơ" reaching two workers —
make one draft and one code: the unique client key and the locked dossier row decide, not a prior check."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from dossiers import drafts
from dossiers.errors import DossierError
from dossiers.models import Applicant, CodeCounter, Dossier, DossierEvent
from dossiers.workflow import Status
from tests.citizen.wizard_fixtures import pdf_upload
from tests.dossiers.conftest import COMMUNE, at

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def _twice(work):
    start = threading.Barrier(2)

    def run(_):
        start.wait(timeout=10)
        try:
            return work()
        except DossierError as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run, range(2)))


def test_two_start_requests_with_one_client_key_make_one_draft(people, make_version, agencies):
    version = make_version()
    person = drafts.Person(name="Hoàng Thị Mai", personal_id="038190001234")

    def start():
        return drafts.draft_start(
            user=people["citizen"],
            procedure_version=version,
            agency=agencies[COMMUNE],
            person=person,
            client_key="c" * 32,
        ).pk

    results = _twice(start)
    assert results[0] == results[1]
    assert Dossier.objects.count() == 1
    assert Applicant.objects.filter(user=people["citizen"]).count() == 1


def test_two_submits_at_once_make_one_code(people, make_version, agencies):
    citizen = people["citizen"]
    draft = drafts.draft_start(
        user=citizen,
        procedure_version=make_version(),
        agency=agencies[COMMUNE],
        person=drafts.Person(name="Hoàng Thị Mai"),
        client_key="d" * 32,
    )
    for document in draft.documents.all():
        drafts.draft_file_add(user=citizen, pk=draft.pk, document_id=document.pk, upload=pdf_upload())
    shown = Dossier.objects.get(pk=draft.pk).revision

    def submit():
        return drafts.draft_submit(user=citizen, pk=draft.pk, expected_revision=shown, now=at("2026-03-02 09:00")).code

    results = _twice(submit)
    codes = [r for r in results if isinstance(r, str)]
    assert len(codes) == 1
    assert isinstance(next(r for r in results if not isinstance(r, str)), DossierError)
    dossier = Dossier.objects.get(pk=draft.pk)
    assert (dossier.status, dossier.code) == (Status.SUBMITTED, codes[0])
    assert DossierEvent.objects.filter(dossier=dossier, action="submit").count() == 1
    assert CodeCounter.objects.get().last == 1
