"""`python manage.py import_procedures [PATH]`: load the procedure catalogue (docs/catalogue-format.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from procedures.importer import DEFAULT_PATH, CatalogueError, catalogue_import


class Command(BaseCommand):
    help = (
        "Nhập danh mục thủ tục hành chính từ tệp JSON (mặc định procedures/data/catalogue.json); "
        "tệp lỗi bị từ chối toàn bộ. / Import the procedure catalogue from a JSON file; "
        "a malformed file is refused whole."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH, help="JSON catalogue file")

    def handle(self, *args, path: Path, verbosity: int, **options) -> None:
        try:
            report = catalogue_import(path=path)
        except CatalogueError as error:
            raise CommandError(str(error)) from error
        if verbosity >= 1:
            for warning in report.warnings:
                self.stderr.write(self.style.WARNING(warning))
            self.stdout.write(self.style.SUCCESS(report.summary()))
