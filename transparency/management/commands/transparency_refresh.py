"""`manage.py transparency_refresh [--today YYYY-MM-DD]`: rebuild the public figures now (what the daily beat job
does); `make run` calls it after seeding, since without Redis there is no beat."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from transparency.services import public_figures_rebuild


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"Ngày không hợp lệ: {value!r} (cần YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Tính lại số liệu công khai (12 tháng gần nhất, đến hết hôm qua) / rebuild the public figures."

    def add_arguments(self, parser):
        parser.add_argument("--today", type=_day, default=None, help="Ngày tham chiếu YYYY-MM-DD (mặc định: hôm nay).")

    def handle(self, *args, today=None, **options):
        mark = public_figures_rebuild(today=today)
        self.stdout.write(
            f"{mark.period_start:%d/%m/%Y}–{mark.period_end:%d/%m/%Y}: {mark.dossiers} hồ sơ, "
            f"{mark.rows} dòng số liệu, {mark.seconds:.2f} s."
        )
