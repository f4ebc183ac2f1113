"""`manage.py stats_refresh [--rebuild]`: bring the daily figures up to date now (what the beat job does), or
recompute every day from the dossiers (after a bulk load, or a change that left no dossier event)."""

from django.core.management.base import BaseCommand

from stats.services import figures_rebuild, figures_refresh


class Command(BaseCommand):
    help = "Làm mới số liệu thống kê theo ngày (--rebuild: tính lại toàn bộ từ hồ sơ)."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Tính lại toàn bộ số liệu từ hồ sơ.")

    def handle(self, *args, rebuild=False, **options):
        if rebuild:
            self.stdout.write(f"{figures_rebuild()} dòng số liệu.")
        else:
            self.stdout.write(f"{figures_refresh()} ngày được tính lại.")
