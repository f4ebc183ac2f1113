"""Check 39 — the backup and restore drill.

`manage.py backup` (what `make backup` runs) dumps the database with pg_dump in custom format, tars the file store
and writes a manifest with the row count of every table and the SHA-256 of every file. The drill seeds a received
dossier with an uploaded file and its receipt, takes a backup, creates a fresh EMPTY database, and runs
`manage.py restore` (what `make restore` runs) into it and into an empty media folder: the command verifies the
row counts and every file's hash against the manifest and prints the restore time. Then a separate process,
started with DATABASE_URL naming the restored database and MEDIA_ROOT the restored files, signs the desk officer
in and fetches the dossier's page, its receipt PDF and its file — so the restored copy really serves them. The
restore also refuses a database that is not empty, and a tampered archive. PostgreSQL only (pg_dump, pg_restore).
"""

# ruff: noqa: F811 - the fixtures imported from tests/dossiers/conftest.py

import hashlib
import io
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from dossiers.files import dossier_file_add
from privacy.backup import database_url
from tests.dossiers.conftest import agencies, applicant_for, make_version, people, receive  # noqa: F401
from tests.dossiers.files_fixtures import pdf_bytes

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]

BASE_DIR = Path(settings.BASE_DIR)

SERVE = """
import json, sys
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from accounts.models import User
setup_test_environment()
code, file_id = sys.argv[1], sys.argv[2]
client = Client()
desk = User.objects.get(username="desk")
client.force_login(desk)
# The desk officer has passed the second factor (accounts/second_factor.py), as after the TOTP step.
from accounts.second_factor import demo_session_verified
demo_session_verified(client.session, desk)
page = client.get(f"/dossiers/{code}/")
receipt = client.get(f"/dossiers/{code}/forms/receipt.pdf")
download = client.get(f"/dossiers/{code}/files/{file_id}/")
body = b"".join(download.streaming_content) if download.streaming else download.content
import hashlib
print(json.dumps({
    "page": page.status_code, "code_on_page": code in page.content.decode(),
    "receipt": receipt.status_code, "receipt_pdf": receipt.content[:5].decode("latin-1"),
    "file": download.status_code, "file_sha256": hashlib.sha256(body).hexdigest(),
}))
"""


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the drill needs PostgreSQL: pg_dump and pg_restore work on a PostgreSQL database only")


@pytest.fixture
def empty_database(postgres):
    """A fresh empty database on the same cluster, dropped afterwards (connections forced out)."""
    name = f"restore_drill_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(database_url({**connection.settings_dict, "NAME": "postgres"}))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url({**connection.settings_dict, "NAME": name})
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def seeded(receive, people):
    dossier = receive("2026-03-02 08:00")
    record = dossier_file_add(dossier=dossier, upload=SimpleUploadedFile("don.pdf", pdf_bytes()), actor=people["desk"])
    return dossier, record


def _backup(tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups"), media_root=str(settings.MEDIA_ROOT), stdout=out)
    (folder,) = (tmp_path / "backups").iterdir()
    assert f"Backup written to {folder}" in out.getvalue()
    return folder


def test_backup_restore_into_an_empty_database_serves_the_dossier_and_its_receipt(seeded, empty_database, tmp_path):
    dossier, record = seeded
    folder = _backup(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["database"]["tables"]["dossiers_dossier"] == 1
    assert manifest["database"]["tables"]["dossiers_dossierevent"] >= 1
    assert manifest["media"]["files"][record.file.name]["sha256"] == record.sha256
    assert {path.name for path in folder.iterdir()} == {"manifest.json", "database.dump", "media.tar"}

    media = tmp_path / "restored-media"
    out = io.StringIO()
    call_command("restore", str(folder), database_url=empty_database, media_root=str(media), stdout=out)
    printed = out.getvalue()
    assert "Verified: row counts per table and SHA-256 of every file match the manifest" in printed
    assert "Restore time: " in printed
    print(printed)  # the drill's figures in the test output

    restored = psycopg2.connect(empty_database)
    with restored, restored.cursor() as cursor:
        cursor.execute("SELECT code FROM dossiers_dossier")
        assert cursor.fetchall() == [(dossier.code,)]
    restored.close()

    env = {
        **os.environ,
        "DATABASE_URL": empty_database,
        "MEDIA_ROOT": str(media),
        "PORTAL_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    result = subprocess.run(  # noqa: S603 - this interpreter, a fixed script
        [sys.executable, "-c", SERVE, dossier.code, str(record.pk)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served == {
        "page": 200,
        "code_on_page": True,
        "receipt": 200,
        "receipt_pdf": "%PDF-",
        "file": 200,
        "file_sha256": hashlib.sha256(pdf_bytes()).hexdigest(),
    }


def test_restore_refuses_a_database_that_is_not_empty(seeded, tmp_path):
    folder = _backup(tmp_path)
    live = database_url(connection.settings_dict)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(folder), database_url=live, media_root=str(tmp_path / "m"), stdout=io.StringIO())


def test_restore_refuses_a_tampered_archive_before_touching_the_target(seeded, empty_database, tmp_path):
    folder = _backup(tmp_path)
    with (folder / "media.tar").open("ab") as handle:
        handle.write(b"\0" * 512)
    with pytest.raises(CommandError, match="does not match the manifest"):
        call_command(
            "restore", str(folder), database_url=empty_database, media_root=str(tmp_path / "m"), stdout=io.StringIO()
        )
    restored = psycopg2.connect(empty_database)
    with restored, restored.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchone() == (0,)
    restored.close()
