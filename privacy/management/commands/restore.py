"""manage.py restore: restore a backup folder into an EMPTY database and file store, verify it (docs/backup.md)."""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from privacy.backup import BackupError, backup_restore, database_url


class Command(BaseCommand):
    help = (
        "Restore BACKUP (a folder written by `manage.py backup`) into an empty database (--database-url, default "
        "TARGET_DATABASE_URL, else DATABASE_URL) and an empty file store (--media-root, default TARGET_MEDIA_ROOT, "
        "else MEDIA_ROOT); verify row counts and SHA-256 against the manifest and print the restore time."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup")
        parser.add_argument("--database-url", default=os.environ.get("TARGET_DATABASE_URL") or "")
        parser.add_argument("--media-root", default=os.environ.get("TARGET_MEDIA_ROOT") or str(settings.MEDIA_ROOT))

    def handle(self, *args, **options):
        url = options["database_url"]
        if not url:
            if connection.vendor != "postgresql":
                raise CommandError("restore needs a PostgreSQL target: set --database-url or TARGET_DATABASE_URL")
            url = database_url(connection.settings_dict)
        try:
            report = backup_restore(folder=Path(options["backup"]), url=url, media_root=Path(options["media_root"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {report.tables} tables ({report.rows} rows) and {report.files} files")
        self.stdout.write(f"Restore time: {report.seconds:.2f} s")
        if not report.ok:
            for line in report.mismatches:
                self.stderr.write(line)
            raise CommandError(f"the restore does not match the manifest ({len(report.mismatches)} differences)")
        self.stdout.write("Verified: row counts per table and SHA-256 of every file match the manifest")
