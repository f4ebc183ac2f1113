"""A citizen's whole journey through the API alone, with a frozen clock: start a draft, fill the applicant and
the return method, upload a PDF to each required document, submit twice with one Idempotency-Key (one dossier,
the same code), then read the dossier with its timeline."""

import time_machine

from dossiers.models import Dossier
from dossiers.workflow import Status
from tests.citizen.wizard_fixtures import pdf_upload
from tests.dossiers.conftest import at


def test_the_journey_through_the_api(citizen_api, api_draft, people, files_media):
    with time_machine.travel(at("2026-03-02 09:00"), tick=False):
        version, draft = api_draft()
        assert draft["status"] == Status.DRAFT
        assert draft["code"] is None
        url = f"/api/v1/citizen/drafts/{draft['id']}/"

        response = citizen_api.patch(
            url,
            {
                "applicant": {"name": "Hoàng Thị Mai", "personal_id": "038190001234", "phone": "0912345678"},
                "return_method": "online",
            },
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json()["applicant"]["personal_id"] == "038190001234"
        assert response.json()["return_method"] == "online"

        for document in response.json()["documents"]:
            upload = citizen_api.post(
                f"{url}files/", {"document": document["id"], "file": pdf_upload()}, format="multipart"
            )
            assert upload.status_code == 201, upload.content

        headers = {"HTTP_IDEMPOTENCY_KEY": "journey-1"}
        first = citizen_api.post(f"{url}submit/", {}, format="json", **headers)
        second = citizen_api.post(f"{url}submit/", {}, format="json", **headers)
        assert first.status_code == 201, first.content
        assert second.status_code == 200, second.content
        assert first.json()["code"] == second.json()["code"]
        assert Dossier.objects.filter(owner=people["citizen"]).exclude(status=Status.DRAFT).count() == 1
        code = first.json()["code"]

        detail = citizen_api.get(f"/api/v1/citizen/dossiers/{code}/")
        assert detail.status_code == 200
        body = detail.json()
        assert body["status"] == Status.SUBMITTED
        assert [row["action"] for row in body["timeline"]] == ["submit"]
        assert body["timeline"][0]["unit"] == "Bạn"
        assert all(len(doc["files"]) == 1 for doc in body["documents"])

        listing = citizen_api.get("/api/v1/citizen/dossiers/").json()
        assert [row["code"] for row in listing["results"]] == [code]
