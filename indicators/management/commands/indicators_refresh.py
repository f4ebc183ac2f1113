"""`manage.py indicators_refresh [--rebuild]`: bring the Decision 766 counts up to date now."""

from django.core.management.base import BaseCommand

from indicators.services import counts_rebuild, counts_refresh


class Command(BaseCommand):
    help = "Recompute the Decision 766 indicator counts of the days touched since the last refresh (--rebuild: all)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="recompute every day from scratch")

    def handle(self, *args, rebuild=False, **options):
        written = counts_rebuild() if rebuild else counts_refresh()
        self.stdout.write(f"{written} rows")
