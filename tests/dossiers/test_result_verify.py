"""The public verification of an issued result (/xac-minh/<token>/): a signed token proves the portal issued the
file — number, date, signer, issuing body, SHA-256, signatures — without the file or the applicant's personal data;
anyone may check a copy of the file against the issued hash (docs/domain.md §4.1 T15, §11)."""

import io
import re
import shutil
import subprocess
import unicodedata

import pytest
import time_machine
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from dossiers import services
from dossiers.models import DossierFile
from dossiers.verification import (
    TokenInvalid,
    code_masked,
    dossier_token,
    file_token,
    result_verify,
    verify_url,
)
from tests.dossiers.conftest import at
from tests.dossiers.test_printing import assert_qr_encodes
from tests.signing import SIGNER_NAME, make_signed_pdf

pytestmark = pytest.mark.django_db

NOW = at("2026-03-05 09:00")
APPLICANT_NAME = "Hoàng Thị Mai"
APPLICANT_ID = "038190001234"
APPLICANT_ADDRESS = "12 Lê Hoàn"
NOT_VERIFIED = "Không xác minh được văn bản"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def returned(prepared):
    """A dossier whose result the portal generated (T15) and the desk returned (T16)."""
    return prepared("returned")


def result_of(dossier) -> DossierFile:
    return DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)


def stored_bytes(record: DossierFile) -> bytes:
    with record.file.open("rb") as handle:
        return handle.read()


def page(token: str) -> str:
    return f"/xac-minh/{token}/"


def stored_files(settings) -> set[str]:
    root = settings.MEDIA_ROOT
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} if root.exists() else set()


# --- The token ---------------------------------------------------------------------------------------------------


def test_both_tokens_round_trip_to_the_result_file_and_are_short_enough_for_a_qr_code(returned):
    record = result_of(returned)

    for token in (file_token(record), dossier_token(returned)):
        verified = result_verify(token)
        assert (verified.file, verified.dossier) == (record, returned)
        assert len(token) < 64, token
    assert file_token(record).startswith(f"f{record.pk}:")
    assert dossier_token(returned).startswith(f"d{returned.pk}:")
    assert verify_url(file_token(record)) == f"http://127.0.0.1:8000/xac-minh/{file_token(record)}/"


def test_a_printed_token_survives_a_key_rotation_with_the_old_key_as_fallback(returned, settings):
    token = dossier_token(returned)
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-key-" + "x" * 50

    with pytest.raises(TokenInvalid):
        result_verify(token)
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert result_verify(token).dossier == returned


def _flip(char: str) -> str:
    return "A" if char != "A" else "B"


def tampered_tokens(dossier, record, other) -> dict[str, str]:
    token = file_token(record)
    head, signature = token.split(":")
    forged = signing.Signer(salt="another-salt").sign(f"f{record.pk}.{record.sha256}").rsplit(":", 1)[1]
    return {
        "signature changed": f"{head}:{signature[:-1]}{_flip(signature[-1])}",
        "id changed": f"f{other.pk}:{signature}",
        "kind changed": f"d{record.pk}:{signature}",
        "signed with another salt": f"f{record.pk}:{forged}",
        "dossier token moved to another dossier": f"d{other.dossier_id}:{dossier_token(dossier).split(':')[1]}",
        "no signature": head,
        "garbage": "not-a-token",
        "empty id": f"f:{signature}",
    }


@pytest.mark.parametrize(
    "case",
    [
        "signature changed",
        "id changed",
        "kind changed",
        "signed with another salt",
        "dossier token moved to another dossier",
        "no signature",
        "garbage",
        "empty id",
    ],
)
def test_a_tampered_token_is_a_vietnamese_404(client, prepared, case):
    dossier = prepared("returned")
    other = result_of(prepared("result_ready"))
    token = tampered_tokens(dossier, result_of(dossier), other)[case]

    response = client.get(page(token))

    assert response.status_code == 404
    assert NOT_VERIFIED in response.text
    assert "Đường dẫn xác minh không đúng, đã bị sửa đổi" in response.text
    with pytest.raises(TokenInvalid):
        result_verify(token)


def test_a_token_no_longer_matching_the_stored_hash_is_refused(client, returned):
    record = result_of(returned)
    token = file_token(record)
    DossierFile.objects.filter(pk=record.pk).update(sha256="0" * 64)

    response = client.get(page(token))

    assert response.status_code == 404
    assert NOT_VERIFIED in response.text


def test_an_unknown_file_id_a_file_that_is_not_a_result_and_a_dossier_without_result_are_404(client, prepared):
    dossier = prepared("returned")
    record = result_of(dossier)
    unknown = DossierFile(pk=record.pk + 10_000, sha256=record.sha256)
    component = DossierFile.objects.create(
        dossier=dossier,
        kind=DossierFile.Kind.COMPONENT,
        file="dossiers/x.pdf",
        original_name="to-khai.pdf",
        content_type="application/pdf",
        size=3,
        sha256="a" * 64,
    )
    unissued = prepared("in_processing")

    for token in (file_token(unknown), file_token(component), dossier_token(unissued)):
        response = client.get(page(token))
        assert response.status_code == 404, token
        assert NOT_VERIFIED in response.text


# --- The page ----------------------------------------------------------------------------------------------------


def test_the_page_shows_what_proves_the_result_and_nothing_personal(client, returned, django_assert_num_queries):
    record = result_of(returned)

    # The file with its signatures, the dossier with its procedure and bodies; nothing written, no session.
    with django_assert_num_queries(3):
        response = client.get(page(file_token(record)))

    assert response.status_code == 200
    text = response.text
    assert "Văn bản do Cổng Dịch vụ công tỉnh Thanh Hóa cấp" in text
    assert returned.result_number == "15/QĐ"
    for fact in (
        "15/QĐ",
        returned.result_date.strftime("%d/%m/%Y"),
        returned.result_signer,
        returned.procedure_version.name,
        returned.processing_agency.name if returned.processing_agency else returned.receiving_agency.name,
        record.sha256,
        code_masked(returned.code),
        "Chưa ký số",
    ):
        assert fact in text, fact
    for private in (APPLICANT_NAME, APPLICANT_ID, APPLICANT_ADDRESS, returned.code, "/files/", record.original_name):
        assert private not in text, private
    assert response["Cache-Control"].startswith("max-age=0")
    assert '<meta name="robots" content="noindex">' in text


def test_the_printed_dossier_token_shows_the_same_page(client, returned):
    response = client.get(page(dossier_token(returned)))
    assert response.status_code == 200
    assert result_of(returned).sha256 in response.text
    assert APPLICANT_NAME not in response.text


@pytest.fixture
def trusted_ca(settings, tmp_path):
    path = tmp_path / "ca.pem"
    path.write_bytes(make_signed_pdf().ca_pem)
    settings.RESULT_TRUST_ROOTS = [str(path)]


def test_an_uploaded_signed_result_shows_its_signature_summary(client, prepared, people, trusted_ca):
    dossier = prepared("in_processing")
    signed = make_signed_pdf()
    services.dossier_transition(
        dossier=dossier,
        action="issue_result",
        actor=people["head"],
        number="25/QĐ-UBND",
        result_file=SimpleUploadedFile("kq-ky-so.pdf", signed.data),
    )

    text = client.get(page(file_token(result_of(dossier)))).text

    assert "25/QĐ-UBND" in text
    assert "Đã ký số" in text
    assert SIGNER_NAME in text
    assert "ký lúc 15:30 02/03/2026" in text
    assert "Nguyên vẹn" in text
    assert "Chứng thư số tin cậy" in text
    assert "Chưa ký số" not in text
    assert "kq-ky-so.pdf" not in text


def test_code_masked_keeps_the_agency_and_the_last_two_characters():
    assert code_masked("000.00.31.H56-260302-0001") == "000.00.31.H56-••••••-••01"
    assert code_masked("ABC123") == "••••23"


# --- Checking a copy of the file ---------------------------------------------------------------------------------


def test_the_same_bytes_match_other_bytes_do_not_and_nothing_is_stored(client, returned, settings):
    record = result_of(returned)
    data = stored_bytes(record)
    url = page(file_token(record))
    before = (stored_files(settings), DossierFile.objects.count())

    same = client.post(url, {"file": SimpleUploadedFile("ban-sao.pdf", data)})
    changed = client.post(
        url, {"file": SimpleUploadedFile("ban-sao.pdf", data[:100] + bytes([data[100] ^ 1]) + data[101:])}
    )

    assert same.status_code == 200
    assert "<strong>Khớp</strong>" in same.text
    assert "Không khớp" not in same.text
    assert changed.status_code == 200
    assert "<strong>Không khớp</strong>" in changed.text
    assert "<strong>Khớp</strong>" not in changed.text
    assert (stored_files(settings), DossierFile.objects.count()) == before


def test_the_printed_token_checks_the_file_too(client, returned):
    data = stored_bytes(result_of(returned))
    response = client.post(page(dossier_token(returned)), {"file": SimpleUploadedFile("kq.pdf", data)})
    assert "<strong>Khớp</strong>" in response.text


def test_a_file_over_the_size_limit_or_no_file_is_refused_on_the_field(client, returned, settings):
    settings.DOSSIER_MAX_FILE_BYTES = 1024
    url = page(file_token(result_of(returned)))

    big = client.post(url, {"file": SimpleUploadedFile("lon.pdf", b"%PDF" + b"x" * 2000)})
    none = client.post(url, {})

    assert big.status_code == 400
    assert "Tệp lớn hơn 1,0\xa0KB, không thể là văn bản đã cấp." in big.text
    assert "<strong>Khớp</strong>" not in big.text
    assert "<strong>Không khớp</strong>" not in big.text
    assert none.status_code == 400
    assert "field--error" in none.text


def test_a_check_against_a_bad_token_is_a_404(client, returned):
    response = client.post(page("f1:" + "x" * 43), {"file": SimpleUploadedFile("kq.pdf", b"%PDF-1.7")})
    assert response.status_code == 404


# --- Where the link is -------------------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler reads it, NFC, with every whitespace removed (the address wraps where it must)."""
    done = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", done.stdout.decode("utf-8")))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_generated_result_prints_the_verification_address_and_its_qr_code(returned):
    pdf = stored_bytes(result_of(returned))
    token = dossier_token(returned)

    assert f"/xac-minh/{token}/" in pdf_text(pdf)
    assert verify_url(token).replace(" ", "") in pdf_text(pdf)
    images = [image for p in PdfReader(io.BytesIO(pdf)).pages for image in p.images]
    assert len(images) == 1
    assert_qr_encodes(images[0].image, verify_url(token))


def test_the_owner_sees_the_verification_link_next_to_the_returned_result(client, returned, people):
    record = result_of(returned)
    client.force_login(people["citizen"])

    detail = client.get(f"/ho-so-cua-toi/{returned.code}/").text

    assert f'href="/xac-minh/{file_token(record)}/"' in detail
    assert ">Xác minh</a>" in detail
    client.logout()
    assert client.get(page(file_token(record))).status_code == 200


def test_the_link_is_not_shown_to_the_owner_before_the_return(client, prepared, people):
    dossier = prepared("result_ready")
    client.force_login(people["citizen"])
    assert "/xac-minh/" not in client.get(f"/dossiers/{dossier.code}/").text
