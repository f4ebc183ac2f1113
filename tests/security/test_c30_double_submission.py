"""Check 30 — double submission. The same online submission sent twice (a double click, or a client retrying with
the same `Idempotency-Key`) creates one dossier and answers the same code both times: through API v1 one after
the other (201 then 200), and as two requests at the same moment in two threads on separate database connections,
where the unique (user, key) row decides which one submits and the other waits and answers the same code. A second
submission under another key is refused by the engine (the draft is no longer a draft). The web wizard's double
click on "Nộp hồ sơ" from two workers is tested in tests/citizen/test_wizard_concurrency.py (one code)."""

# ruff: noqa: F811 - the engine's fixtures are imported by name, as tests/*/conftest.py do

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from dossiers.models import Dossier
from dossiers.workflow import Status
from tests.api.conftest import api, api_draft, citizen_api  # noqa: F401 - fixtures
from tests.citizen.wizard_fixtures import pdf_upload, profile  # noqa: F401 - fixture
from tests.dossiers.conftest import agencies, make_version, people  # noqa: F401 - fixtures
from tests.dossiers.files_fixtures import files_media  # noqa: F401 - an empty MEDIA_ROOT


def complete(client, draft):
    for document in draft["documents"]:
        client.post(
            f"/api/v1/citizen/drafts/{draft['id']}/files/",
            {"document": document["id"], "file": pdf_upload()},
            format="multipart",
        )


def submitted_count(user):
    return Dossier.objects.filter(owner=user).exclude(status=Status.DRAFT).count()


def test_a_retry_with_the_same_key_gives_the_same_dossier_and_code(citizen_api, api_draft, people, files_media):
    _version, draft = api_draft()
    complete(citizen_api, draft)
    url = f"/api/v1/citizen/drafts/{draft['id']}/submit/"
    first = citizen_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    second = citizen_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert submitted_count(people["citizen"]) == 1
    # Without the key's protection (a new key), the engine still refuses a second submission of the dossier.
    third = citizen_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="retry-2")
    assert third.status_code == 400
    assert submitted_count(people["citizen"]) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_with_one_key_make_one_dossier(people, make_version, profile, files_media):
    citizen = people["citizen"]
    client = APIClient()
    client.force_login(citizen)
    version = make_version()
    draft = client.post("/api/v1/citizen/drafts/", {"procedure": version.procedure.code}, format="json").json()
    complete(client, draft)
    url = f"/api/v1/citizen/drafts/{draft['id']}/submit/"
    barrier = threading.Barrier(2)
    answers = []

    def submit():
        try:
            own = APIClient()
            own.force_login(citizen)
            barrier.wait(timeout=10)
            response = own.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="same-moment")
            answers.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(status for status, _code in answers) == [200, 201]
    assert len({code for _status, code in answers}) == 1
    assert submitted_count(citizen) == 1
