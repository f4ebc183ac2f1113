"""T15 with its file: the result PDF is stored with its hash in the issuing transaction, and the digital signatures
of an uploaded PDF are verified with pyHanko and kept — signer, time, integrity, trust (docs/domain.md §4.1)."""
# `files_media` is a fixture imported for the tests that take it, not redefined by their parameters.
# ruff: noqa: F811

import hashlib
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.errors import DossierRefused
from dossiers.models import Dossier, DossierFile, ResultSignature
from dossiers.signatures import pdf_signatures_verify
from dossiers.workflow import Status
from tests.dossiers.conftest import at
from tests.dossiers.files_fixtures import files_media, stored_files  # noqa: F401 - fixture
from tests.dossiers.transition_cases import snapshot
from tests.signing import SIGNED_AT, SIGNER_NAME, make_signed_pdf, other_ca_pem, tampered, unsigned_pdf

pytestmark = pytest.mark.django_db

NOW = at("2026-03-05 10:00")


@pytest.fixture
def trust(settings, tmp_path):
    """Trust the given PEM certificates (RESULT_TRUST_ROOTS lists files)."""

    def trust(*pems: bytes) -> None:
        paths = []
        for number, pem in enumerate(pems):
            path = tmp_path / f"root-{number}.pem"
            path.write_bytes(pem)
            paths.append(str(path))
        settings.RESULT_TRUST_ROOTS = paths

    return trust


def issue(dossier, people, upload=None, **fields):
    params = {"number": "25/QĐ-UBND", **fields}
    if upload is not None:
        params["result_file"] = upload
    return services.dossier_transition(
        dossier=dossier, action="issue_result", actor=people["head"], now=NOW, expected_revision=None, **params
    )


def pdf_upload(data: bytes, name: str = "ket-qua-da-ky.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_a_signed_pdf_from_a_trusted_ca_is_stored_with_its_hash_and_a_valid_trusted_signature(
    prepared, people, trust, files_media
):
    signed = make_signed_pdf()
    trust(signed.ca_pem)
    dossier = prepared("in_processing")

    done = issue(dossier, people, pdf_upload(signed.data), result_date="2026-03-05")

    assert done.status == Status.RESULT_READY
    record = DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)
    assert record.sha256 == hashlib.sha256(signed.data).hexdigest()
    assert record.content_type == "application/pdf"
    assert record.original_name == "ket-qua-da-ky.pdf"
    assert record.uploaded_by == people["head"]
    assert [path.read_bytes() for path in stored_files(files_media)] == [signed.data]
    signature = ResultSignature.objects.get(file=record)
    assert signature.signer == SIGNER_NAME
    assert signature.signed_at == SIGNED_AT
    assert (signature.intact, signature.covers_whole, signature.trusted) == (True, True, True)
    assert signature.valid
    assert str(signature.integrity_label) == "Nguyên vẹn"
    assert str(signature.trust_label) == "Chứng thư số tin cậy"
    assert signature.summary.startswith("INTACT:TRUSTED")
    assert signature.verified_at == NOW
    # The number, date and signer travel on the dossier; with no signer typed, the PDF's signer is named.
    assert (done.result_number, str(done.result_date), done.result_signer) == ("25/QĐ-UBND", "2026-03-05", SIGNER_NAME)
    event = done.events.latest("id")
    assert event.action == "issue_result"
    assert event.data["result_file"] == {
        "id": record.pk,
        "sha256": record.sha256,
        "size": len(signed.data),
        "name": "ket-qua-da-ky.pdf",
        "source": "upload",
    }
    assert event.data["signatures"] == [
        {
            "signer": SIGNER_NAME,
            "signed_at": SIGNED_AT.isoformat(),
            "intact": True,
            "covers_whole": True,
            "trusted": True,
        }
    ]


@pytest.mark.parametrize("roots", ["none", "another CA"])
def test_without_the_signer_s_root_the_signature_is_intact_but_its_chain_not_trusted(
    prepared, people, trust, roots, caplog
):
    signed = make_signed_pdf()
    if roots == "none":
        trust()  # the default: RESULT_TRUST_ROOTS empty
    else:
        trust(other_ca_pem())
    dossier = prepared("in_processing")

    with caplog.at_level(logging.WARNING):
        issue(dossier, people, pdf_upload(signed.data), signer="Lê Văn Nam")

    signature = ResultSignature.objects.get(file__dossier=dossier)
    assert (signature.intact, signature.covers_whole, signature.trusted) == (True, True, False)
    assert str(signature.trust_label) == "Chưa xác thực được chuỗi chứng thư số"
    assert Dossier.objects.get(pk=dossier.pk).result_signer == "Lê Văn Nam"  # as typed, not the certificate's
    assert dossier.events.latest("id").data["signatures"][0]["trusted"] is False
    # An untrusted signer is an outcome shown to the head, not an error for the operator's log.
    assert not [r for r in caplog.records if r.name.startswith("pyhanko")]


def test_a_pdf_changed_inside_the_signed_bytes_fails_integrity(prepared, people, trust):
    signed = make_signed_pdf()
    trust(signed.ca_pem)
    changed = tampered(signed.data)
    assert len(changed) == len(signed.data)
    assert changed != signed.data
    dossier = prepared("in_processing")

    issue(dossier, people, pdf_upload(changed))

    signature = ResultSignature.objects.get(file__dossier=dossier)
    assert signature.intact is False
    assert not signature.valid
    assert str(signature.integrity_label) == "Tài liệu đã bị thay đổi sau khi ký"
    assert signature.signer == SIGNER_NAME  # still named, so the head sees whose signature broke
    assert DossierFile.objects.get(dossier=dossier).sha256 == hashlib.sha256(changed).hexdigest()


def test_bytes_added_after_the_signature_are_reported_as_not_covered():
    signed = make_signed_pdf()
    [check] = pdf_signatures_verify(signed.data + b"\n% added after signing\n")
    assert check.intact is True
    assert check.covers_whole is False


def test_an_unsigned_pdf_is_accepted_and_marked_unsigned(prepared, people, files_media):
    dossier = prepared("in_processing")
    data = unsigned_pdf("unsigned")

    done = issue(dossier, people, pdf_upload(data, "ket-qua.pdf"))

    assert done.status == Status.RESULT_READY
    record = DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert not record.signatures.exists()
    assert done.events.latest("id").data["signatures"] == []
    assert done.result_signer == str(people["head"])  # no signer typed, none in the file: the head issuing it


@pytest.mark.parametrize(
    ("name", "data", "code", "message"),
    [
        ("ket-qua.pdf", b"PK\x03\x04 not a pdf at all", "file_type", "không phải là tệp PDF"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "file_type", "không phải là tệp PDF"),
        ("hong.pdf", b"%PDF-1.7\n garbage without objects", "file_unreadable", "không đọc được"),
        ("rong.pdf", b"", "file_empty", "không có nội dung"),
    ],
)
def test_a_file_that_is_not_a_readable_pdf_is_refused_and_nothing_is_saved(
    prepared, people, files_media, name, data, code, message
):
    dossier = prepared("in_processing")
    before = snapshot(dossier)

    with pytest.raises(DossierRefused) as refused:
        issue(dossier, people, SimpleUploadedFile(name, data, content_type="application/pdf"))

    assert (refused.value.code, refused.value.field) == (code, "result_file")
    assert message in refused.value.message
    assert snapshot(dossier) == before
    assert Dossier.objects.get(pk=dossier.pk).status == Status.IN_PROCESSING
    assert stored_files(files_media) == []


def test_anything_but_a_file_is_refused_by_name(prepared, people):
    dossier = prepared("in_processing")
    with pytest.raises(DossierRefused) as refused:
        issue(dossier, people, b"%PDF-1.7 bytes are not a file")
    assert (refused.value.code, refused.value.field) == ("invalid", "result_file")


def test_without_a_file_the_portal_generates_the_result_pdf(prepared, people, files_media):
    dossier = prepared("in_processing")

    done = issue(dossier, people, signer="Lê Văn Nam")

    record = DossierFile.objects.get(dossier=dossier, kind=DossierFile.Kind.RESULT)
    [path] = stored_files(files_media)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    assert record.sha256 == hashlib.sha256(data).hexdigest()
    assert record.original_name == f"ket-qua-{dossier.code}.pdf"
    assert record.uploaded_by == people["head"]
    assert not record.signatures.exists()
    assert done.events.latest("id").data["result_file"]["source"] == "template"


def test_a_failure_after_the_file_was_stored_rolls_back_and_deletes_it(prepared, people, files_media, monkeypatch):
    dossier = prepared("in_processing")
    before = snapshot(dossier)

    def broken(*args, **kwargs):
        raise RuntimeError("numbering failed")

    monkeypatch.setattr(services, "numbers_on_transition", broken)
    with pytest.raises(RuntimeError):
        issue(dossier, people, pdf_upload(unsigned_pdf()))

    assert snapshot(dossier) == before
    assert stored_files(files_media) == []


def test_an_unreadable_trust_root_is_logged_and_leaves_the_chain_untrusted(settings, tmp_path, caplog):
    missing = tmp_path / "no-such-root.pem"
    settings.RESULT_TRUST_ROOTS = [str(missing)]
    with caplog.at_level(logging.ERROR, logger="dossiers.signatures"):
        [check] = pdf_signatures_verify(make_signed_pdf().data)
    assert check.intact
    assert not check.trusted
    assert str(missing) in caplog.text
