"""The submission wizard: a server-side draft created once, saved at each step, resumed from another browser,
submitted once through the engine (T1), and closed to everyone but its owner."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from dossiers.errors import DossierRefused
from dossiers.models import Applicant, Dossier, DossierFile, ReturnMethod
from dossiers.workflow import Status
from tests.citizen.wizard_fixtures import (
    applicant_post,
    pdf_upload,
    step_url,
    text_of,
)
from tests.dossiers.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at("2026-03-02 09:05"), tick=False):
        yield


def _upload_all(client, dossier):
    for document in dossier.documents.all():
        response = client.post(
            reverse("citizen:wizard-upload", kwargs={"pk": dossier.pk}),
            {"document": document.pk, "file": pdf_upload()},
        )
        assert response.status_code == 302


def _submit(client, dossier, revision=None):
    dossier.refresh_from_db()
    return client.post(
        reverse("citizen:wizard-submit", kwargs={"pk": dossier.pk}),
        {"revision": dossier.revision if revision is None else revision},
    )


# --- Start ---------------------------------------------------------------------------------------------------------


def test_the_start_page_creates_nothing_and_carries_a_client_key(client, people, make_version, profile):
    version = make_version()
    client.force_login(people["citizen"])
    response = client.get(reverse("citizen:wizard-start", kwargs={"procedure_code": version.procedure.code}))
    assert response.status_code == 200
    assert 'name="client_key"' in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_double_click_on_start_creates_one_draft_pre_filled_from_the_profile(start_draft, make_version, client):
    version = make_version()
    first = start_draft(version)
    second = start_draft(version)
    assert first.pk == second.pk
    assert Dossier.objects.count() == 1
    assert Applicant.objects.count() == 1  # the retry's applicant row is not left behind
    assert first.status == Status.DRAFT
    assert first.code is None
    assert first.applicant.name == "Hoàng Thị Mai"
    assert first.applicant.identities.get().number == "038190001234"
    assert first.applicant.address == "12 Lê Hoàn, phường Hạc Thành"
    assert first.applicant.date_of_birth.isoformat() == "1990-05-17"


def test_anonymous_is_sent_to_sign_in_and_back(client, make_version):
    version = make_version()
    url = reverse("citizen:wizard-start", kwargs={"procedure_code": version.procedure.code})
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_an_offline_procedure_cannot_be_started(client, people, make_version, profile):
    version = make_version(online="none")
    client.force_login(people["citizen"])
    url = reverse("citizen:wizard-start", kwargs={"procedure_code": version.procedure.code})
    response = client.post(url, {"client_key": "b" * 32, "agency": version.agencies.first().pk})
    assert response.status_code == 200
    assert "chưa cung cấp dịch vụ công trực tuyến" in response.content.decode()
    assert not Dossier.objects.exists()


# --- Resume on another device -----------------------------------------------------------------------------------


def test_another_browser_resumes_at_the_same_step_with_the_same_data(client, people, start_draft, make_version):
    draft = start_draft(make_version())
    response = client.post(
        step_url(draft, "nguoi-nop"), applicant_post(**{"applicant-address": "5 Trần Phú, phường Hạc Thành"})
    )
    assert response["Location"] == step_url(draft, "giay-to")
    client.get(response["Location"])  # the documents step is where the citizen stopped

    other = Client()
    other.force_login(people["citizen"])
    resumed = other.get(reverse("citizen:wizard-resume", kwargs={"pk": draft.pk}))
    assert resumed["Location"] == step_url(draft, "giay-to")
    page = other.get(step_url(draft, "nguoi-nop")).content.decode()
    assert 'value="5 Trần Phú, phường Hạc Thành"' in page
    start = other.get(
        reverse("citizen:wizard-start", kwargs={"procedure_code": draft.procedure_version.procedure.code})
    )
    assert reverse("citizen:wizard-resume", kwargs={"pk": draft.pk}) in start.content.decode()
    assert "Bước 1/5" in page


def test_a_representative_is_saved_and_can_be_removed(client, start_draft, make_version):
    draft = start_draft(make_version())
    rep = {"has_representative": "1", "rep-name": "Nguyễn Văn Nam", "rep-personal_id": "038190009999"}
    client.post(step_url(draft, "nguoi-nop"), applicant_post(**rep))
    draft.refresh_from_db()
    assert draft.representative.name == "Nguyễn Văn Nam"
    client.post(step_url(draft, "nguoi-nop"), applicant_post())
    draft.refresh_from_db()
    assert draft.representative is None


def test_a_bad_personal_id_is_refused_in_vietnamese_and_nothing_changes(client, start_draft, make_version):
    draft = start_draft(make_version())
    response = client.post(
        step_url(draft, "nguoi-nop"), applicant_post(**{"applicant-personal_id": "123", "applicant-name": "X"})
    )
    assert response.status_code == 200
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in response.content.decode()
    draft.refresh_from_db()
    assert draft.applicant.name == "Hoàng Thị Mai"


def test_a_postal_return_needs_an_address(client, start_draft, make_version):
    draft = start_draft(make_version())
    response = client.post(step_url(draft, "nhan-ket-qua"), {"method": ReturnMethod.POST})
    assert "Nhận kết quả qua bưu chính cần địa chỉ nhận." in response.content.decode()
    client.post(step_url(draft, "nhan-ket-qua"), {"method": ReturnMethod.POST, "delivery_address": "5 Trần Phú"})
    draft.refresh_from_db()
    assert (draft.return_method, draft.delivery_address) == (ReturnMethod.POST, "5 Trần Phú")


# --- Submit ------------------------------------------------------------------------------------------------------


def test_submit_issues_one_code_and_a_second_submit_changes_nothing(client, start_draft, make_version):
    draft = start_draft(make_version(fee=50000))
    _upload_all(client, draft)
    revision = Dossier.objects.get(pk=draft.pk).revision
    first = _submit(client, draft, revision)
    done = reverse("citizen:wizard-done", kwargs={"pk": draft.pk})
    assert first["Location"] == done
    submitted = Dossier.objects.get(pk=draft.pk)
    assert submitted.status == Status.SUBMITTED
    assert submitted.code
    second = _submit(client, draft, revision)  # the same form again: a double click or a retry
    assert second["Location"] == done
    again = Dossier.objects.get(pk=draft.pk)
    assert (again.code, again.revision, again.events.count()) == (submitted.code, submitted.revision, 1)
    assert Dossier.objects.count() == 1

    page = client.get(done).content.decode()
    assert submitted.code in page
    assert "02/03/2026" in page  # the acceptance window, dd/mm/yyyy HH:MM
    assert reverse("citizen:pay", kwargs={"code": submitted.code}) in page
    assert reverse("dossiers:form-pdf", kwargs={"code": submitted.code, "key": "acknowledgement"}) in page


def test_submit_waits_for_the_mandatory_documents(client, start_draft, make_version):
    draft = start_draft(make_version())
    response = _submit(client, draft)
    assert response["Location"] == step_url(draft, "xem-lai")
    page = client.get(response["Location"]).content.decode()
    assert "Còn thiếu giấy tờ bắt buộc: Tờ khai đăng ký kết hôn; Giấy tờ tùy thân." in page
    assert Dossier.objects.get(pk=draft.pk).status == Status.DRAFT


def test_a_draft_changed_elsewhere_after_the_review_is_not_submitted_blind(client, start_draft, make_version):
    draft = start_draft(make_version())
    _upload_all(client, draft)
    stale = Dossier.objects.get(pk=draft.pk).revision
    client.post(step_url(draft, "nhan-ket-qua"), {"method": ReturnMethod.COUNTER})
    response = _submit(client, draft, stale)
    assert response["Location"] == step_url(draft, "xem-lai")
    assert Dossier.objects.get(pk=draft.pk).status == Status.DRAFT


def test_the_engine_s_refusal_is_shown_on_the_review_step(client, start_draft, make_version, monkeypatch):
    """Whatever the engine refuses at submission (a level of assurance too low, …) reaches the citizen as is."""
    draft = start_draft(make_version())
    _upload_all(client, draft)

    def refuse(**_kwargs):
        raise DossierRefused("Thủ tục yêu cầu tài khoản định danh điện tử mức độ 2.", code="loa")

    monkeypatch.setattr("dossiers.drafts.services.dossier_transition", refuse)
    response = _submit(client, draft)
    page = client.get(response["Location"]).content.decode()
    assert "Thủ tục yêu cầu tài khoản định danh điện tử mức độ 2." in page
    assert Dossier.objects.get(pk=draft.pk).status == Status.DRAFT


def test_the_acknowledgement_pdf_names_the_dossier_and_its_acceptance_window(client, start_draft, make_version):
    draft = start_draft(make_version())
    _upload_all(client, draft)
    _submit(client, draft)
    dossier = Dossier.objects.get(pk=draft.pk)
    response = client.get(reverse("dossiers:form-pdf", kwargs={"code": dossier.code, "key": "acknowledgement"}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(text_of(response.content).split())
    assert "GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN" in text.upper()
    assert dossier.code in text
    assert "Hoàng Thị Mai" in text
    assert "09 giờ 05 phút, ngày 02/03/2026" in text
    assert "giay-to.pdf" in text


# --- Access --------------------------------------------------------------------------------------------------------


def _wizard_urls(draft):
    kw = {"pk": draft.pk}
    gets = [reverse("citizen:wizard-resume", kwargs=kw), reverse("citizen:wizard-done", kwargs=kw)]
    gets += [step_url(draft, slug) for slug in ("nguoi-nop", "giay-to", "le-phi", "nhan-ket-qua", "xem-lai")]
    posts = [reverse(f"citizen:wizard-{name}", kwargs=kw) for name in ("upload", "file-remove", "reuse", "submit")] + [
        step_url(draft, "nguoi-nop")
    ]
    return gets, posts


@pytest.mark.parametrize(("who", "status"), [("other_citizen", 404), ("desk", 403), ("officer", 403)])
def test_nobody_else_reaches_a_draft(client, people, start_draft, make_version, who, status):
    draft = start_draft(make_version())
    _upload_all(client, draft)
    before = (Dossier.objects.get(pk=draft.pk).revision, DossierFile.objects.count())
    client.force_login(people[who])
    gets, posts = _wizard_urls(draft)
    for url in gets:
        assert client.get(url).status_code == status, url
    file_id = DossierFile.objects.first().pk
    for url in posts:
        data = {"document": draft.documents.first().pk, "file": file_id, "source": file_id, "revision": before[0]}
        assert client.post(url, {**data, **applicant_post()}).status_code == status, url
    assert (Dossier.objects.get(pk=draft.pk).revision, DossierFile.objects.count()) == before
    assert Dossier.objects.get(pk=draft.pk).status == Status.DRAFT


def test_every_step_renders_with_its_indicator_and_no_missing_variable(client, start_draft, make_version):
    draft = start_draft(make_version(fee=50000))
    slugs = ("nguoi-nop", "giay-to", "le-phi", "nhan-ket-qua", "xem-lai")
    for number, slug in enumerate(slugs, start=1):
        page = client.get(step_url(draft, slug)).content.decode()
        assert f"Bước {number}/5" in page, slug
        assert "INVALID_TEMPLATE_VARIABLE" not in page, slug
    _upload_all(client, draft)
    _submit(client, draft)
    page = client.get(reverse("citizen:wizard-done", kwargs={"pk": draft.pk})).content.decode()
    assert "INVALID_TEMPLATE_VARIABLE" not in page


def test_a_counter_dossier_has_no_online_acknowledgement(client, people, receive):
    dossier = receive("2026-03-02 08:00")
    client.force_login(people["citizen"])
    url = reverse("dossiers:form-pdf", kwargs={"code": dossier.code, "key": "acknowledgement"})
    response = client.get(url)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Hồ sơ không được nộp trực tuyến nên không có giấy xác nhận nộp hồ sơ trực tuyến." in page
    assert "Giấy xác nhận nộp hồ sơ trực tuyến" not in page  # not offered among the forms
