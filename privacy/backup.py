"""Backup and restore of the portal: a PostgreSQL custom-format dump, a tar of the file store, and a manifest of
row counts per table and the SHA-256 of every file (docs/backup.md; docs/security.md check 39).

`backup_create` takes the dump and the row counts from one snapshot (a REPEATABLE READ transaction exports its
snapshot to `pg_dump --snapshot`), so the counts describe exactly what the dump holds. `backup_restore` refuses a
target database or file store that is not empty, checks both archives against the manifest before touching
anything, restores, then verifies every table's row count and every file's hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media.tar"
FORMAT = "mot-cua-dien-tu/backup"
FORMAT_VERSION = 1
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (in English: an operator's tool)."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def database_url(settings_dict: dict) -> str:
    """A libpq URI for a Django database settings dict (what pg_dump and pg_restore take with `-d`)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or "5432"
    return f"postgresql://{auth}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def _without_password(url: str) -> tuple[str, str]:
    """The URI without its password, and the password: tools get it through PGPASSWORD, never on their command
    line (which any local user can read in the process list)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, ""
    netloc = parts.netloc.rsplit("@", 1)
    userinfo = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{netloc[1]}")), unquote(parts.password)


def _tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _count_rows(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            raise BackupError(f"refusing a symbolic link in the file store: {path}")
        if path.is_file():
            found.append(path)
    return found


def backup_create(*, url: str, media_root: Path, output_root: Path, now: dt.datetime | None = None) -> Path:
    """Write `<output_root>/<UTC timestamp>/` with the dump, the media tar and the manifest; return that folder."""
    now = now or dt.datetime.now(dt.UTC)
    target = output_root / now.strftime("%Y%m%dT%H%M%SZ")
    target.mkdir(parents=True, exist_ok=False)
    started = time.monotonic()
    connection = psycopg2.connect(url)
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"],
                url=url,
                extra=[f"--file={target / DUMP}"],
            )
            tables = _tables(cursor)
            counts = _count_rows(cursor, tables)
            cursor.execute("SELECT current_setting('server_version')")
            server_version = cursor.fetchone()[0]
        connection.rollback()
    finally:
        connection.close()

    files = {}
    with tarfile.open(target / MEDIA, "w") as archive:
        for path in _media_files(media_root):
            name = path.relative_to(media_root).as_posix()
            files[name] = {"sha256": file_sha256(path), "size": path.stat().st_size}
            archive.add(path, arcname=name, recursive=False)

    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": now.isoformat(),
        "database": {
            "dump": DUMP,
            "sha256": file_sha256(target / DUMP),
            "server_version": server_version,
            "tables": counts,
        },
        "media": {"archive": MEDIA, "sha256": file_sha256(target / MEDIA), "files": files},
        "seconds": round(time.monotonic() - started, 3),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
    return target


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    files: int = 0
    seconds: float = 0.0
    mismatches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def manifest_read(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"no {MANIFEST} in {folder}")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise BackupError(f"{path} is not a backup manifest of this portal (format {FORMAT} v{FORMAT_VERSION})")
    return manifest


def backup_restore(*, folder: Path, url: str, media_root: Path) -> RestoreReport:
    """Restore `folder` into the EMPTY database at `url` and the EMPTY (or absent) `media_root`, then verify."""
    started = time.monotonic()
    manifest = manifest_read(folder)
    dump, archive = folder / manifest["database"]["dump"], folder / manifest["media"]["archive"]
    for path, expected in ((dump, manifest["database"]["sha256"]), (archive, manifest["media"]["sha256"])):
        if not path.is_file() or file_sha256(path) != expected:
            raise BackupError(f"{path.name} is missing or does not match the manifest's SHA-256")

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            present = _tables(cursor)
        if present:
            raise BackupError(f"the target database is not empty ({len(present)} tables): restore needs an empty one")
        if media_root.exists() and any(media_root.iterdir()):
            raise BackupError(f"the target file store {media_root} is not empty")

        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"], url=url, extra=[str(dump)])
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "r") as tar:
            tar.extractall(media_root, filter="data")  # no absolute paths, no "..", no links out, no devices

        report = RestoreReport()
        expected_counts: dict[str, int] = manifest["database"]["tables"]
        with connection.cursor() as cursor:
            tables = _tables(cursor)
            counts = _count_rows(cursor, tables)
    finally:
        connection.close()

    for table in sorted(set(expected_counts) | set(counts)):
        if expected_counts.get(table) != counts.get(table):
            report.mismatches.append(f"table {table}: {counts.get(table)} rows, manifest {expected_counts.get(table)}")
    report.tables, report.rows = len(counts), sum(counts.values())

    expected_files: dict[str, dict] = manifest["media"]["files"]
    restored = {path.relative_to(media_root).as_posix(): path for path in _media_files(media_root)}
    for name in sorted(set(expected_files) | set(restored)):
        if name not in restored:
            report.mismatches.append(f"file {name}: missing")
        elif name not in expected_files:
            report.mismatches.append(f"file {name}: not in the manifest")
        elif file_sha256(restored[name]) != expected_files[name]["sha256"]:
            report.mismatches.append(f"file {name}: SHA-256 differs")
    report.files = len(restored)
    report.seconds = round(time.monotonic() - started, 3)
    return report


def _run(command: list[str], *, url: str, extra: list[str]) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} is not installed (PostgreSQL client tools are needed)")
    bare, password = _without_password(url)
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if password:
        env["PGPASSWORD"] = password
    result = subprocess.run(  # noqa: S603 - fixed tool, arguments built here, no shell
        [tool, *command[1:], f"--dbname={bare}", *extra], capture_output=True, text=True, check=False, env=env
    )
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
