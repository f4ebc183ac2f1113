"""`manage.py stats_rebuild`: recompute every daily figure from the dossiers (after a bulk load such as seed_demo)."""

from django.core.management.base import BaseCommand

from stats.services import figures_rebuild


class Command(BaseCommand):
    help = "Tính lại toàn bộ số liệu thống kê theo ngày từ hồ sơ."

    def handle(self, *args, **options):
        rows = figures_rebuild()
        self.stdout.write(f"{rows} dòng số liệu.")
