"""The head's screen for issuing a result (T15): the dossier in brief and its steps, number / date / signer / type,
the result generated from the template or a signed PDF uploaded; the dossier page then shows the file with the
status of its digital signatures."""

import re
import shutil
import subprocess

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers.models import Dossier, DossierFile, ResultSignature
from dossiers.workflow import Status
from tests.dossiers.conftest import at
from tests.dossiers.transition_cases import snapshot
from tests.signing import SIGNER_NAME, make_signed_pdf, unsigned_pdf

pytestmark = pytest.mark.django_db

NOW = at("2026-03-05 09:00")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def trusted_ca(settings, tmp_path):
    path = tmp_path / "ca.pem"
    path.write_bytes(make_signed_pdf().ca_pem)
    settings.RESULT_TRUST_ROOTS = [str(path)]


def url(dossier):
    return f"/dossiers/{dossier.code}/result/"


def form_data(dossier, **values):
    return {
        "expected_revision": dossier.revision,
        "number": "25/QĐ-UBND",
        "result_date": "05/03/2026",
        "signer": "Lê Văn Nam",
        "result_type": "Giấy chứng nhận kết hôn",
        "source": "template",
        "note": "",
        **values,
    }


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler reads it, whitespace collapsed."""
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", " ", done.stdout.decode("utf-8"))


def test_the_screen_shows_the_dossier_its_steps_and_the_result_fields(client, prepared, people):
    dossier = prepared("in_processing")
    client.force_login(people["head"])

    page = client.get(url(dossier))

    assert page.status_code == 200
    text = page.text
    assert "Ban hành kết quả" in text
    assert dossier.code in text
    assert "Hoàng Thị Mai" in text
    assert "Giấy chứng nhận kết hôn" in text  # the procedure's result
    for name in ("number", "result_date", "signer", "result_type", "result_file", "note"):
        assert f'name="{name}"' in text
    assert 'enctype="multipart/form-data"' in text
    assert "Tạo từ mẫu kết quả" in text
    assert "Tải lên tệp PDF đã ký số" in text
    assert 'value="template" checked' in text.replace('" id="id_source_0" required checked', '" checked')
    assert 'accept=".pdf,application/pdf"' in text
    # Prefilled: today's date as dd/mm/yyyy and the head as signer.
    assert 'value="05/03/2026"' in text
    assert f'value="{people["head"]}"' in text
    # The steps so far: the desk's intake, then the step at the commune (Bước 2), still open.
    assert "Bước 1" in text
    assert "Bước 2" in text
    assert 'class="is-open"' in text


def test_the_dossier_page_s_button_leads_to_the_screen_and_the_generic_url_too(client, prepared, people):
    dossier = prepared("in_processing")
    client.force_login(people["head"])
    assert f'href="{url(dossier)}">Ban hành kết quả</a>' in client.get(f"/dossiers/{dossier.code}/").text
    generic = client.get(f"/dossiers/{dossier.code}/actions/issue_result/")
    assert generic.status_code == 302
    assert generic["Location"] == url(dossier)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_generating_the_result_issues_it_and_the_pdf_carries_number_date_signer_and_code(client, prepared, people):
    dossier = prepared("in_processing")
    client.force_login(people["head"])

    done = client.post(url(dossier), form_data(dossier))

    assert done.status_code == 302
    assert done["Location"] == f"/dossiers/{dossier.code}/"
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    assert (dossier.result_number, dossier.result_signer, str(dossier.result_date)) == (
        "25/QĐ-UBND",
        "Lê Văn Nam",
        "2026-03-05",
    )
    record = DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)
    with record.file.open("rb") as stored:
        text = pdf_text(stored.read())
    for expected in (
        "Số: 25/QĐ-UBND",
        "05/03/2026",
        "ngày 05 tháng 3 năm 2026",
        "Lê Văn Nam",
        dossier.code,
        "Hoàng Thị Mai",
        "KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        dossier.processing_agency.name.upper(),
    ):
        assert expected in text, expected
    assert "INVALID_TEMPLATE_VARIABLE" not in text

    page = client.get(done["Location"]).text
    assert "Kết quả giải quyết" in page
    assert f"/dossiers/{dossier.code}/files/{record.pk}/" in page
    assert "Chưa ký số" in page
    assert "Đã ban hành kết quả số 25/QĐ-UBND" in page


def test_uploading_a_signed_pdf_shows_its_signature_on_the_dossier_page(client, prepared, people, trusted_ca):
    dossier = prepared("in_processing")
    signed = make_signed_pdf()
    client.force_login(people["head"])

    done = client.post(
        url(dossier),
        form_data(dossier, source="upload", signer="", result_file=SimpleUploadedFile("kq-ky-so.pdf", signed.data)),
        follow=True,
    )

    assert done.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY
    assert dossier.result_signer == SIGNER_NAME
    signature = ResultSignature.objects.get(file__dossier=dossier)
    assert signature.trusted
    assert signature.valid
    page = done.text
    assert "kq-ky-so.pdf" in page
    assert "Đã ký số" in page
    assert SIGNER_NAME in page
    assert "ký lúc 15:30 02/03/2026" in page
    assert "Nguyên vẹn" in page
    assert "Chứng thư số tin cậy" in page
    assert "Chưa ký số" not in page


def test_an_uploaded_unsigned_pdf_is_marked_unsigned(client, prepared, people):
    dossier = prepared("in_processing")
    client.force_login(people["head"])
    done = client.post(
        url(dossier),
        form_data(dossier, source="upload", result_file=SimpleUploadedFile("kq.pdf", unsigned_pdf())),
        follow=True,
    )
    assert "Chưa ký số" in done.text
    assert "Đã ký số" not in done.text
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RESULT_READY


def test_a_file_that_is_not_a_pdf_is_refused_on_its_field_and_nothing_changes(client, prepared, people):
    dossier = prepared("in_processing")
    before = snapshot(dossier)
    client.force_login(people["head"])

    response = client.post(
        url(dossier),
        form_data(dossier, source="upload", result_file=SimpleUploadedFile("ket-qua.docx", b"PK\x03\x04xx")),
    )

    assert response.status_code == 400
    assert "Tệp “ket-qua.docx” không phải là tệp PDF." in response.text
    assert "field--error" in response.text
    assert snapshot(dossier) == before


def test_upload_chosen_without_a_file_asks_for_one(client, prepared, people):
    dossier = prepared("in_processing")
    before = snapshot(dossier)
    client.force_login(people["head"])
    response = client.post(url(dossier), form_data(dossier, source="upload"))
    assert response.status_code == 400
    assert "Chọn tệp PDF đã ký số để tải lên." in response.text
    assert snapshot(dossier) == before


def test_a_missing_number_is_asked_for_by_its_label(client, prepared, people):
    dossier = prepared("in_processing")
    client.force_login(people["head"])
    response = client.post(url(dossier), form_data(dossier, number=""))
    assert response.status_code == 400
    assert "Cần nhập “Số, ký hiệu văn bản kết quả”." in response.text


def test_a_stale_page_gets_409(client, prepared, people):
    dossier = prepared("in_processing")
    client.force_login(people["head"])
    response = client.post(url(dossier), form_data(dossier, expected_revision=dossier.revision - 1))
    assert response.status_code == 409
    assert Dossier.objects.get(pk=dossier.pk).status == Status.IN_PROCESSING


@pytest.mark.parametrize(
    ("who", "get_status", "post_status"),
    [
        ("anonymous", 302, 302),
        ("citizen", 403, 403),
        ("officer", 404, 403),  # the same agency, not its head: no form; the engine refuses the role
        ("other_head", 404, 404),  # another agency's head: the dossier does not exist for them
        ("leader", 404, 404),  # figures, not dossiers: for a leader no dossier exists
        ("head", 200, None),
    ],
)
def test_who_may_issue_the_result(client, prepared, people, who, get_status, post_status):
    dossier = prepared("in_processing")
    if who != "anonymous":
        client.force_login(people[who])
    before = snapshot(dossier)

    assert client.get(url(dossier)).status_code == get_status
    if post_status is not None:
        assert client.post(url(dossier), form_data(dossier)).status_code == post_status
        assert snapshot(dossier) == before


def test_once_issued_the_screen_is_gone(client, prepared, people):
    dossier = prepared("result_ready")
    client.force_login(people["head"])
    assert client.get(url(dossier)).status_code == 404
    response = client.post(url(dossier), form_data(dossier))
    assert response.status_code == 400
    assert "Không thể “Ban hành kết quả”" in response.text


def test_the_screen_runs_a_fixed_number_of_queries(client, prepared, people, django_assert_num_queries):
    dossier = prepared("in_processing")
    client.force_login(people["head"])
    client.get(url(dossier))  # warm the session
    # session, user, profile and agency, the dossier with its relations and six prefetches, the read log, the
    # scope check, the apology-once guard of the head's other actions, the steps with their agency and handler.
    with django_assert_num_queries(15):
        assert client.get(url(dossier)).status_code == 200


def test_the_result_is_shown_to_the_applicant_only_once_returned(client, prepared, people):
    dossier = prepared("result_ready")
    client.force_login(people["citizen"])  # their own page, /ho-so-cua-toi/<code>/
    assert 'id="mine-result"' not in client.get(f"/ho-so-cua-toi/{dossier.code}/").text
    returned = prepared("returned")
    page = client.get(f"/ho-so-cua-toi/{returned.code}/").text
    assert 'id="mine-result"' in page
    assert "Chưa ký số" in page


def test_a_result_recorded_without_a_file_shows_its_number_and_says_there_is_no_file(client, prepared, people):
    dossier = prepared("in_processing")
    # As the demo seeder writes past results: the number on the dossier, no file stored.
    Dossier.objects.filter(pk=dossier.pk).update(result_number="7/GCN", result_signer="Lê Văn Nam")
    client.force_login(people["head"])
    page = client.get(f"/dossiers/{dossier.code}/").text
    assert "7/GCN" in page
    assert "Chưa có tệp kết quả trên Cổng." in page
