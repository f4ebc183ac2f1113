"""The citizen's API: lists and filters, drafts (others' are 404, submitted ones refused), the 20-file limit,
the Idempotency-Key rules, supplement answer, withdrawal, results and rating — each through the engine."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.models import Dossier, DossierFile
from dossiers.workflow import Status
from feedback.models import DossierRating
from tests.citizen.mine_helpers import ITEMS
from tests.citizen.wizard_fixtures import PDF, pdf_upload
from tests.feedback.helpers import bring_to_returned

MINE = "/api/v1/citizen/dossiers/"
ANSWERS = {"contacts": "none", "bodies": "one", "attitude": "good", "ease": "satisfied", "overall": "very_satisfied"}


def test_the_list_filters_by_status_and_code(citizen_api, submitted):
    first, second = submitted(), submitted()
    assert [r["code"] for r in citizen_api.get(MINE).json()["results"]] == [second.code, first.code]
    assert [r["code"] for r in citizen_api.get(MINE, {"code": first.code}).json()["results"]] == [first.code]
    assert citizen_api.get(MINE, {"status": Status.RETURNED}).json()["results"] == []
    bad = citizen_api.get(MINE, {"status": "nope"})
    assert (bad.status_code, bad.json()["field"]) == (400, "status")


def test_the_list_pages_by_cursor(citizen_api, submitted, django_assert_max_num_queries):
    codes = [submitted().code for _ in range(3)]
    with django_assert_max_num_queries(6):
        page = citizen_api.get(MINE, {"page_size": 2}).json()
    assert [r["code"] for r in page["results"]] == codes[:0:-1]
    assert "count" not in page
    rest = citizen_api.get(page["next"]).json()
    assert [r["code"] for r in rest["results"]] == [codes[0]]


def test_another_citizen_s_draft_is_404_everywhere(api, api_draft, people):
    _version, draft = api_draft()
    api.force_login(people["other_citizen"])
    base = f"/api/v1/citizen/drafts/{draft['id']}/"
    assert api.get(base).status_code == 404
    assert api.patch(base, {"return_method": "online"}, format="json").status_code == 404
    assert api.post(f"{base}files/", {"document": 1, "file": pdf_upload()}, format="multipart").status_code == 404
    assert api.post(f"{base}submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 404
    assert Dossier.objects.get(pk=draft["id"]).status == Status.DRAFT


@pytest.mark.parametrize("parser_limit", [100, 20])
def test_more_than_20_files_in_one_request_is_400_and_stores_nothing(
    citizen_api, api_draft, files_media, settings, parser_limit
):
    """Counted by the API, and also when Django's parser itself stops at DATA_UPLOAD_MAX_NUMBER_FILES."""
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = parser_limit
    _version, draft = api_draft()
    document = draft["documents"][0]["id"]
    uploads = [SimpleUploadedFile(f"a{i}.pdf", PDF, content_type="application/pdf") for i in range(21)]
    response = citizen_api.post(
        f"/api/v1/citizen/drafts/{draft['id']}/files/", {"document": document, "file": uploads}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_files"
    assert not DossierFile.objects.filter(dossier_id=draft["id"]).exists()


def test_a_refused_file_in_a_batch_keeps_none_of_the_batch(citizen_api, api_draft, files_media):
    _version, draft = api_draft()
    files = [pdf_upload(), SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")]
    response = citizen_api.post(
        f"/api/v1/citizen/drafts/{draft['id']}/files/",
        {"document": draft["documents"][0]["id"], "file": files},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["field"] == "file"
    assert not DossierFile.objects.filter(dossier_id=draft["id"]).exists()


def _complete(api, draft):
    for document in draft["documents"]:
        api.post(
            f"/api/v1/citizen/drafts/{draft['id']}/files/",
            {"document": document["id"], "file": pdf_upload()},
            format="multipart",
        )


def test_submit_needs_an_idempotency_key_and_refuses_its_reuse_for_another_request(citizen_api, api_draft, files_media):
    _v, draft = api_draft()
    _v2, other = api_draft()
    _complete(citizen_api, draft)
    _complete(citizen_api, other)
    url = f"/api/v1/citizen/drafts/{draft['id']}/submit/"
    missing = citizen_api.post(url, {}, format="json")
    assert (missing.status_code, missing.json()["code"]) == (400, "idempotency_key_required")
    assert citizen_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="k1").status_code == 201
    reused = citizen_api.post(
        f"/api/v1/citizen/drafts/{other['id']}/submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert (reused.status_code, reused.json()["code"]) == (409, "idempotency_key_reused")
    assert Dossier.objects.get(pk=other["id"]).status == Status.DRAFT


def test_an_incomplete_draft_is_refused_and_the_key_can_be_used_again(citizen_api, api_draft, files_media):
    _v, draft = api_draft()
    url = f"/api/v1/citizen/drafts/{draft['id']}/submit/"
    refused = citizen_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert (refused.status_code, refused.json()["code"]) == (400, "incomplete")
    _complete(citizen_api, draft)
    assert citizen_api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="k2").status_code == 201


def test_a_stale_revision_is_409(citizen_api, api_draft, files_media):
    _v, draft = api_draft()
    _complete(citizen_api, draft)
    url = f"/api/v1/citizen/drafts/{draft['id']}/submit/"
    response = citizen_api.post(url, {"expected_revision": 0}, format="json", HTTP_IDEMPOTENCY_KEY="k3")
    assert response.status_code == 409
    assert Dossier.objects.get(pk=draft["id"]).status == Status.DRAFT


def test_draft_create_with_an_idempotency_key_creates_once(citizen_api, make_version, profile):
    version = make_version()
    body = {"procedure": version.procedure.code}
    first = citizen_api.post("/api/v1/citizen/drafts/", body, format="json", HTTP_IDEMPOTENCY_KEY="d1")
    second = citizen_api.post("/api/v1/citizen/drafts/", body, format="json", HTTP_IDEMPOTENCY_KEY="d1")
    assert first.json()["id"] == second.json()["id"]
    unknown = citizen_api.post("/api/v1/citizen/drafts/", {"procedure": "9.999999"}, format="json")
    assert (unknown.status_code, unknown.json()["field"]) == (400, "procedure")


def test_answering_the_supplement_request(citizen_api, asked, mine_now, files_media):
    url = f"{MINE}{asked.code}/supplement/"
    missing = citizen_api.post(url, {"item_0": pdf_upload()}, format="multipart")
    assert missing.status_code == 400
    assert Dossier.objects.get(pk=asked.pk).substate == asked.substate
    data = {f"item_{i}": pdf_upload(f"bo-sung-{i}.pdf") for i in range(len(ITEMS))}
    response = citizen_api.post(url, {**data, "note": "Đã bổ sung"}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["timeline"][-1]["action"] == "supply_supplement"
    again = citizen_api.post(url, data, format="multipart")
    assert again.status_code == 400


def test_withdrawing(citizen_api, submitted):
    dossier = submitted()
    url = f"{MINE}{dossier.code}/withdraw/"
    assert citizen_api.post(url, {"confirm": False}, format="json").status_code == 400
    response = citizen_api.post(url, {"confirm": True, "note": "Không cần nữa"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == Status.WITHDRAWN
    assert citizen_api.post(url, {"confirm": True}, format="json").json()["code"] == "wrong_status"


def test_results_are_empty_before_the_return_and_rating_waits_for_it(citizen_api, submitted):
    dossier = submitted()
    assert citizen_api.get(f"{MINE}{dossier.code}/results/").json() == []
    assert citizen_api.get(f"{MINE}{dossier.code}/rating/").status_code == 404
    response = citizen_api.post(f"{MINE}{dossier.code}/rating/", ANSWERS, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "wrong_status")
    assert not DossierRating.objects.exists()


def test_a_returned_dossier_lists_its_result_and_is_rated_once(citizen_api, receive, people, files_media):
    dossier = bring_to_returned(receive("2026-03-02 10:00"), people=people)
    results = citizen_api.get(f"{MINE}{dossier.code}/results/").json()
    assert results, "the generated result PDF"
    download = citizen_api.get(results[0]["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    bad = citizen_api.post(f"{MINE}{dossier.code}/rating/", {**ANSWERS, "overall": "nope"}, format="json")
    assert (bad.status_code, bad.json()["field"]) == (400, "overall")
    first = citizen_api.post(f"{MINE}{dossier.code}/rating/", ANSWERS, format="json")
    second = citizen_api.post(f"{MINE}{dossier.code}/rating/", {**ANSWERS, "overall": "satisfied"}, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["overall"] == "very_satisfied"
    assert DossierRating.objects.filter(dossier=dossier).count() == 1
    assert citizen_api.get(f"{MINE}{dossier.code}/rating/").json()["overall"] == "very_satisfied"


def test_a_component_file_downloads_through_the_checked_view(citizen_api, api, people, api_draft, files_media):
    _v, draft = api_draft()
    _complete(citizen_api, draft)
    response = citizen_api.post(
        f"/api/v1/citizen/drafts/{draft['id']}/submit/", {}, format="json", HTTP_IDEMPOTENCY_KEY="dl"
    )
    code = response.json()["code"]
    detail = citizen_api.get(f"{MINE}{code}/").json()
    url = detail["documents"][0]["files"][0]["url"]
    download = citizen_api.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"
    api.force_login(people["other_citizen"])
    assert api.get(url).status_code == 404


def test_the_drafts_list_holds_only_own_drafts(citizen_api, api, api_draft, people):
    _v, draft = api_draft()
    rows = citizen_api.get("/api/v1/citizen/drafts/").json()["results"]
    assert [row["id"] for row in rows] == [draft["id"]]
    api.force_login(people["other_citizen"])
    assert api.get("/api/v1/citizen/drafts/").json()["results"] == []


def test_the_detail_reads_a_fixed_number_of_queries(citizen_api, asked, mine_now, django_assert_max_num_queries):
    """Session, user, the dossier with its prefetches (documents, files, events with their units, steps, pauses,
    fees): the same count whatever the number of events and files."""
    with django_assert_max_num_queries(14):
        response = citizen_api.get(f"{MINE}{asked.code}/")
    assert response.status_code == 200
    assert response.json()["supplement_request"]["items"]


def test_patching_refuses_an_incomplete_applicant_and_keeps_the_row(citizen_api, api_draft):
    _v, draft = api_draft()
    url = f"/api/v1/citizen/drafts/{draft['id']}/"
    response = citizen_api.patch(url, {"applicant": {"phone": "0912345678"}}, format="json")
    assert (response.status_code, response.json()["field"]) == (400, "applicant.name")
    bad_id = citizen_api.patch(url, {"applicant": {"name": "Mai", "personal_id": "12ab"}}, format="json")
    assert (bad_id.status_code, bad_id.json()["field"]) == (400, "applicant.personal_id")
    assert citizen_api.get(url).json()["applicant"] == draft["applicant"]
    post = citizen_api.patch(url, {"return_method": "post"}, format="json")
    assert (post.status_code, post.json()["field"]) == (400, "delivery_address")
    with_rep = citizen_api.patch(
        url, {"applicant": {"name": "Hoàng Thị Mai"}, "representative": {"name": "Trần Văn B"}}, format="json"
    )
    assert with_rep.json()["representative"]["name"] == "Trần Văn B"


@pytest.mark.parametrize(("page_status", "code"), [(409, "scan_pending"), (410, "file_removed")])
def test_a_file_the_pages_may_not_serve_is_the_error_body(citizen_api, submitted, monkeypatch, page_status, code):
    """The pages' download answers a file waiting for the malware scan (409) or removed as infected (410) with an
    HTML page; the API gives the error body with the same status."""
    from django.http import HttpResponse

    monkeypatch.setattr("api.files._serve", lambda *a, **k: HttpResponse("<html>", status=page_status))
    dossier = submitted()
    response = citizen_api.get(f"{MINE}{dossier.code}/files/1/")
    assert response.status_code == page_status
    assert response.json()["code"] == code
