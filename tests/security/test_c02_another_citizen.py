"""Check 2 — another citizen's dossier. Citizen X asking for citizen Y's dossier or one of its files gets 404, the
same answer as for a dossier that does not exist; X's list holds only X's dossiers, also when X filters it by Y's
dossier code. Shown on the pages (my dossiers, the dossier page, the file download, supplement, withdrawal, rating)
and on API v1 (list, detail, files, results, supplement, withdraw, rating, drafts), reading that nothing changed."""

# ruff: noqa: F811 - the engine's fixtures are imported by name, as tests/*/conftest.py do

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dossiers.files import dossier_file_add
from dossiers.models import Dossier, DossierEvent, DossierFile
from tests.citizen.wizard_fixtures import pdf_upload
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    make_version,
    people,
    receive,
    submitted,
)
from tests.dossiers.files_fixtures import files_media  # noqa: F401 - an empty MEDIA_ROOT


@pytest.fixture
def ys_dossier(people, submitted, files_media):
    """Y's (the other citizen's) submitted dossier with a file, and X's own."""
    dossier = submitted()
    Dossier.objects.filter(pk=dossier.pk).update(owner=people["other_citizen"])
    record = dossier_file_add(dossier=dossier, upload=pdf_upload(), actor=people["other_citizen"])
    mine = submitted()
    return dossier, record, mine


def _snapshot():
    return (
        list(Dossier.objects.order_by("pk").values_list("pk", "status", "revision", "owner_id")),
        DossierEvent.objects.count(),
        DossierFile.objects.count(),
    )


def test_pages_answer_404_for_another_citizen_s_dossier_and_file(client, people, ys_dossier):
    dossier, record, mine = ys_dossier
    client.force_login(people["citizen"])
    before = _snapshot()
    code = dossier.code
    for url in (
        reverse("citizen:dossier", kwargs={"code": code}),
        reverse("citizen:supplement", kwargs={"code": code}),
        reverse("citizen:withdraw", kwargs={"code": code}),
        reverse("feedback:rate", kwargs={"code": code}),
        reverse("dossiers:file-download", kwargs={"code": code, "file_id": record.pk}),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("citizen:withdraw", kwargs={"code": code}), {"confirm": "on"}).status_code == 404
    page = client.get(reverse("citizen:my-dossiers")).content.decode()
    assert mine.code in page
    assert code not in page
    assert _snapshot() == before


def test_api_answers_404_for_another_citizen_s_dossier_and_file(people, ys_dossier):
    dossier, record, mine = ys_dossier
    api = APIClient()
    api.force_login(people["citizen"])
    before = _snapshot()
    base = f"/api/v1/citizen/dossiers/{dossier.code}/"
    for url in (base, f"{base}results/", f"{base}rating/", f"{base}files/{record.pk}/"):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json()["code"] == "not_found"
    assert api.post(f"{base}withdraw/", {"confirm": True}, format="json").status_code == 404
    assert api.post(f"{base}supplement/", {"item_0": pdf_upload()}, format="multipart").status_code == 404
    assert api.post(f"{base}rating/", {}, format="json").status_code == 404
    assert api.get(f"/api/v1/citizen/drafts/{dossier.pk}/").status_code == 404
    assert _snapshot() == before


def test_the_list_holds_only_own_dossiers_even_filtered_by_another_s_code(people, ys_dossier):
    dossier, _record, mine = ys_dossier
    api = APIClient()
    api.force_login(people["citizen"])
    assert [row["code"] for row in api.get("/api/v1/citizen/dossiers/").json()["results"]] == [mine.code]
    filtered = api.get("/api/v1/citizen/dossiers/", {"code": dossier.code}).json()
    assert filtered["results"] == []
