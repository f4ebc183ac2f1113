"""The wizard's documents: one slot per required document of the chosen case, uploads refused clearly with nothing
stored, and files reused from the citizen's own earlier dossiers, logged."""

from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from dossiers import drafts, services
from dossiers.errors import DossierNotFound
from dossiers.models import Digitisation, Dossier, DossierFile, FileReuse
from procedures.models import ProcedureCase, RequiredDocument
from tests.citizen.wizard_fixtures import (
    PDF,
    pdf_upload,
    step_url,
)
from tests.dossiers.conftest import COMMUNE, at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at("2026-03-02 09:05"), tick=False):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored(media) -> list[Path]:
    return [p for p in Path(media).rglob("*") if p.is_file()]


def _upload(client, draft, upload, document=None):
    document = document or draft.documents.first()
    return client.post(
        reverse("citizen:wizard-upload", kwargs={"pk": draft.pk}), {"document": document.pk, "file": upload}
    )


def _messages(client, url) -> str:
    return client.get(url).content.decode()


# --- Uploads -------------------------------------------------------------------------------------------------------


def test_an_upload_lands_in_its_slot(client, start_draft, make_version, media):
    draft = start_draft(make_version())
    response = _upload(client, draft, pdf_upload("to-khai.pdf"))
    assert response["Location"] == step_url(draft, "giay-to")
    record = DossierFile.objects.get()
    assert (record.document, record.original_name, record.content_type) == (
        draft.documents.first(),
        "to-khai.pdf",
        "application/pdf",
    )
    assert len(_stored(media)) == 1
    assert "Đã tải lên tệp “to-khai.pdf”." in _messages(client, response["Location"])


def test_a_wrong_type_is_refused_in_vietnamese_and_nothing_is_stored(client, start_draft, make_version, media):
    draft = start_draft(make_version())
    fake = pdf_upload("virus.pdf", b"MZ\x90\x00 this is an executable, not a PDF")
    response = _upload(client, draft, fake)
    page = _messages(client, response["Location"])
    assert "Tệp “virus.pdf” không đúng định dạng cho phép (PDF, JPEG, PNG, DOCX)." in page
    assert not DossierFile.objects.exists()
    assert _stored(media) == []


def test_an_oversized_file_is_refused_in_vietnamese_and_nothing_is_stored(
    client, start_draft, make_version, media, settings
):
    settings.DOSSIER_MAX_FILE_BYTES = 1024
    draft = start_draft(make_version())
    big = pdf_upload("lon.pdf", PDF + b"0" * 2048)
    response = _upload(client, draft, big)
    page = _messages(client, response["Location"])
    assert "Tệp “lon.pdf” (0.01 MB) vượt quá dung lượng tối đa 0.01 MB cho mỗi tệp." in page
    assert not DossierFile.objects.exists()
    assert _stored(media) == []


def test_the_rules_of_each_slot_are_shown(client, start_draft, make_version, settings):
    settings.DOSSIER_MAX_FILE_BYTES = 10 * 1024 * 1024
    version = make_version()
    RequiredDocument.objects.create(
        version=version, order=3, name="Ảnh chân dung", mandatory=False, originals=0, copies=2
    )
    draft = start_draft(version)
    page = client.get(step_url(draft, "giay-to")).content.decode()
    assert "PDF, JPEG, PNG, DOCX; tối đa 10 MB mỗi tệp" in page
    assert "Bắt buộc" in page
    assert "Không bắt buộc" in page
    assert "Bản chính: 0 · Bản sao: 2" in page


def test_a_file_is_removed_from_the_draft(client, start_draft, make_version, media):
    draft = start_draft(make_version())
    _upload(client, draft, pdf_upload())
    record = DossierFile.objects.get()
    client.post(reverse("citizen:wizard-file-remove", kwargs={"pk": draft.pk}), {"file": record.pk})
    assert not DossierFile.objects.exists()


# --- Cases -------------------------------------------------------------------------------------------------------


@pytest.fixture
def cased_version(make_version):
    """Two cases: a document for each, and the two common documents of `make_version`."""
    version = make_version()
    first = ProcedureCase.objects.create(version=version, order=1, name="Kết hôn lần đầu")
    second = ProcedureCase.objects.create(version=version, order=2, name="Đã từng kết hôn")
    RequiredDocument.objects.create(version=version, order=3, name="Giấy xác nhận tình trạng hôn nhân", case=first)
    RequiredDocument.objects.create(version=version, order=4, name="Bản án ly hôn", case=second)
    return version, first, second


def test_the_case_step_decides_the_documents_asked(client, start_draft, cased_version):
    version, first, second = cased_version
    draft = start_draft(version)
    resumed = client.get(reverse("citizen:wizard-resume", kwargs={"pk": draft.pk}))
    assert resumed["Location"] == step_url(draft, "truong-hop")
    assert "Bước 1/6" in client.get(resumed["Location"]).content.decode()

    client.post(step_url(draft, "truong-hop"), {"case": first.pk})
    page = client.get(step_url(draft, "giay-to")).content.decode()
    assert "Giấy xác nhận tình trạng hôn nhân" in page
    assert "Tờ khai đăng ký kết hôn" in page
    assert "Bản án ly hôn" not in page

    client.post(step_url(draft, "truong-hop"), {"case": second.pk})
    names = set(Dossier.objects.get(pk=draft.pk).documents.values_list("name", flat=True))
    assert names == {"Tờ khai đăng ký kết hôn", "Giấy tờ tùy thân", "Bản án ly hôn"}


def test_a_version_with_one_case_skips_the_step(client, start_draft, make_version):
    version = make_version()
    only = ProcedureCase.objects.create(version=version, name="Trường hợp duy nhất")
    draft = start_draft(version)
    assert draft.case == only
    assert client.get(step_url(draft, "truong-hop")).status_code == 404


def test_a_case_of_another_procedure_is_refused(client, start_draft, cased_version, make_version):
    version, _first, _second = cased_version
    stranger = ProcedureCase.objects.create(version=make_version(), name="Khác")
    draft = start_draft(version)
    response = client.post(step_url(draft, "truong-hop"), {"case": stranger.pk})
    assert response.status_code == 200
    assert Dossier.objects.get(pk=draft.pk).case is None


# --- Reuse from "kho dữ liệu của tôi" ------------------------------------------------------------------------------


@pytest.fixture
def earlier_file(people, applicant_for, make_version, agencies):
    """A file of an earlier dossier of the citizen (submitted online last week)."""

    def make(owner):
        draft = services.dossier_draft_create(
            user=owner,
            procedure_version=make_version(),
            applicant=applicant_for(owner),
            agency=agencies[COMMUNE],
        )
        return drafts.draft_file_add(
            user=owner, pk=draft.pk, document_id=draft.documents.first().pk, upload=pdf_upload("cccd.pdf")
        )

    return make


def test_a_file_of_an_earlier_dossier_is_reused_and_the_reuse_logged(
    client, people, start_draft, make_version, earlier_file
):
    source = earlier_file(people["citizen"])
    draft = start_draft(make_version())
    document = draft.documents.last()
    page = client.get(step_url(draft, "giay-to")).content.decode()
    assert "Dùng tệp từ kho dữ liệu của tôi" in page
    assert "cccd.pdf" in page
    client.post(
        reverse("citizen:wizard-reuse", kwargs={"pk": draft.pk}), {"document": document.pk, "source": source.pk}
    )
    copy = DossierFile.objects.get(dossier=draft)
    assert (copy.document, copy.sha256, copy.original_name) == (document, source.sha256, "cccd.pdf")
    assert copy.file.name != source.file.name
    log = FileReuse.objects.get()
    assert (log.source_dossier_id, log.source_file, log.target_dossier_id, log.target_file, log.actor) == (
        source.dossier_id,
        source,
        draft.pk,
        copy,
        people["citizen"],
    )
    assert log.purpose == drafts.REUSE_PURPOSE
    document.refresh_from_db()
    assert document.digitisation == Digitisation.REUSED


def test_another_citizen_s_file_cannot_be_reused(client, people, start_draft, make_version, earlier_file):
    theirs = earlier_file(people["other_citizen"])
    draft = start_draft(make_version())
    response = client.post(
        reverse("citizen:wizard-reuse", kwargs={"pk": draft.pk}),
        {"document": draft.documents.first().pk, "source": theirs.pk},
    )
    assert response.status_code == 404
    assert not DossierFile.objects.filter(dossier=draft).exists()
    assert not FileReuse.objects.exists()
    assert "cccd.pdf" not in client.get(step_url(draft, "giay-to")).content.decode()


def test_the_engine_refuses_to_edit_a_submitted_dossier(people, start_draft, make_version):
    draft = start_draft(make_version())
    services.dossier_transition(dossier=draft, action="submit", actor=people["citizen"])
    with pytest.raises(services.DossierRefused, match="Hồ sơ đã được nộp"):
        drafts.draft_return_set(user=people["citizen"], pk=draft.pk, method="counter")
    with pytest.raises(DossierNotFound):
        drafts.draft_return_set(user=people["other_citizen"], pk=draft.pk, method="counter")
