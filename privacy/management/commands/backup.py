"""manage.py backup: dump the database, tar the file store, write the manifest (docs/backup.md)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from privacy.backup import BackupError, backup_create, database_url


class Command(BaseCommand):
    help = "Back up the database (pg_dump -Fc) and MEDIA_ROOT into var/backups/<UTC timestamp>/ with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "var" / "backups"))
        parser.add_argument("--media-root", default=str(settings.MEDIA_ROOT))

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("backup needs PostgreSQL (DATABASE_URL); SQLite is a developer's database")
        try:
            folder = backup_create(
                url=database_url(connection.settings_dict),
                media_root=Path(options["media_root"]),
                output_root=Path(options["output"]),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backup written to {folder}")
        return None
