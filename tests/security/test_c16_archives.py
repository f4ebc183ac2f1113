"""Check 16 — archives.

The check: a zip that expands beyond the limit, or that holds `.exe`/`.js`, a nested zip of them, or a symbolic
link, is refused before anything is extracted.

How: the portal accepts one zip-based type (DOCX), and every zip, whatever its name, is judged first from its
central directory (`dossiers.files.zip_members_check`): members are listed, never read. Each hostile zip is built
in memory — a DOCX carrying an .exe, a .js, a nested zip, a symlink, a `../` or absolute path, a macro project, a
zip bomb (a member inflating more than 100 times), too many members, too many bytes once expanded — and uploaded;
each is refused with the archive message in Vietnamese and English, nothing is stored, and `ZipFile.open` (the
only way to read a member's bytes) is never called. A plain DOCX still passes.
"""
# ruff: noqa: F811

import zipfile

import pytest

from dossiers import files
from dossiers.files import DOCX, FileRejected, dossier_file_add
from dossiers.models import DossierFile
from tests.security.uploads_helpers import (  # noqa: F401 - fixtures
    agencies,
    docx_bytes,
    files_media,
    files_world,
    make_version,
    media_files,
    page_text,
    people,
    profile,
    start_draft,
    upload,
    wizard_upload,
    zip_of,
)

pytestmark = pytest.mark.django_db

# The parts of a real (tiny) DOCX, so only the hostile member differs.
WORD = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>',
    "word/document.xml": b'<?xml version="1.0"?><w:document/>',
}


@pytest.fixture
def no_member_read(monkeypatch):
    """Fail the test if any member's bytes are read (extraction starts with ZipFile.open)."""
    calls = []
    original = zipfile.ZipFile.open

    def refuse(self, name, mode="r", *args, **kwargs):
        if mode == "w":  # building a test zip
            return original(self, name, mode, *args, **kwargs)
        calls.append(getattr(name, "filename", name))
        raise AssertionError(f"a member was read: {name}")

    monkeypatch.setattr(zipfile.ZipFile, "open", refuse)
    return calls


HOSTILE = {
    "exe": (zip_of({**WORD, "word/media/setup.exe": b"MZ\x90\x00"}), "có tệp chương trình"),
    "js": (zip_of({**WORD, "word/run.js": b"WScript.Shell"}), "có tệp chương trình"),
    "nested-zip": (zip_of({**WORD, "word/more.zip": zip_of({"evil.exe": b"MZ"})}), "tệp nén lồng"),
    "symlink": (zip_of({**WORD, "word/link.xml": b"/etc/passwd"}, symlinks=("word/link.xml",)), "symlink"),
    "dot-dot": (zip_of({**WORD, "word/../../etc/cron.d/x": b"* * * * *"}), "đường dẫn không hợp lệ"),
    "absolute": (zip_of({**WORD, "/etc/passwd": b"root"}), "đường dẫn không hợp lệ"),
    "macro": (zip_of({**WORD, "word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "có macro"),
    "bomb": (zip_of({**WORD, "word/media/zeros.xml": b"\x00" * (5 * 1024 * 1024)}), "zip bomb"),
    "members": (zip_of({**WORD, **{f"word/p{i}.xml": b"x" for i in range(1001)}}), "quá 1000 tệp"),
}


@pytest.mark.parametrize("kind", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_zip_is_refused_from_its_directory_before_extraction(files_world, files_media, no_member_read, kind):
    content, reason = HOSTILE[kind]

    with pytest.raises(FileRejected) as refused:
        dossier_file_add(dossier=files_world.dossier, upload=upload("Tờ khai.docx", content), actor=files_world.citizen)

    assert refused.value.code == "archive_refused"
    message = refused.value.messages[0]
    assert "Tệp nén “Tờ khai.docx” bị từ chối" in message
    assert "Archive “Tờ khai.docx” refused" in message
    assert reason in message
    assert no_member_read == []
    assert not DossierFile.objects.exists()
    assert media_files(files_media) == []


def test_too_many_bytes_once_expanded_is_refused(files_world, files_media, no_member_read, monkeypatch):
    # Members that compress normally, but together exceed the (lowered) total.
    monkeypatch.setattr(files, "ZIP_MAX_UNCOMPRESSED", 64 * 1024)
    content = zip_of({**WORD, **{f"word/media/img{i}.bin": bytes(range(256)) * 100 for i in range(4)}})

    with pytest.raises(FileRejected) as refused:
        dossier_file_add(dossier=files_world.dossier, upload=upload("Tờ khai.docx", content), actor=files_world.citizen)

    assert "dung lượng khi giải nén vượt quá" in refused.value.messages[0]
    assert no_member_read == []
    assert media_files(files_media) == []


def test_a_zip_bomb_is_refused_on_the_upload_page(client, start_draft, make_version, files_media):
    draft = start_draft(make_version())
    bomb = zip_of({**WORD, "word/media/zeros.xml": b"\x00" * (5 * 1024 * 1024)})

    response = wizard_upload(client, draft, upload("Tờ khai.docx", bomb))

    page = page_text(client, response["Location"])
    assert "Tệp nén “Tờ khai.docx” bị từ chối: tỉ lệ nén bất thường (zip bomb)." in page
    assert not DossierFile.objects.exists()
    assert media_files(files_media) == []


def test_a_plain_word_document_passes(files_world, files_media):
    record = dossier_file_add(
        dossier=files_world.dossier, upload=upload("Tờ khai.docx", docx_bytes()), actor=files_world.citizen
    )

    assert record.content_type == DOCX
    assert media_files(files_media) == [files_media / record.file.name]
