"""Time the statistics refresh's work on a seeded bench database and show which indexes it reads (docs/statistics.md).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python bench/stats_refresh.py [--runs 5] [--skip-year]

A beat refresh (`stats.services.figures_refresh`) finds the dossiers with new events, the days they touch, and
recomputes those days whole. This times, each in a transaction that is rolled back (nothing changes), median of
`--runs`:

- `touched days`: `touched_days` of the dossiers behind the newest 2,000 events (a busy five minutes);
- `recompute 4 days`: `_recompute` of yesterday, the two days before and a day ten days back (a dossier forwarded
  that was received then) — one DELETE and one INSERT … SELECT over the four parts (received, completed, refused,
  returned);
- `recompute 1 year`: the same for the last 365 days, for scale.

Then it prints the indexes PostgreSQL's plan of the 4-day recompute reads, and any sequential scan of the dossier
table: with migration 0017 (indexes on completed_at, refused_at, returned_at) there is none. The full rebuild is
`manage.py stats_refresh --rebuild` (bench/README.md gives its time).
"""

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from dossiers.models import Dossier, DossierEvent  # noqa: E402
from stats import services  # noqa: E402


def timed(function, runs: int) -> float:
    times = []
    for _ in range(runs + 1):  # the first is a warm-up
        with transaction.atomic():
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
            transaction.set_rollback(True)
    return statistics.median(times[1:]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-year", action="store_true", help="leave out the one-year recompute (slow)")
    args = parser.parse_args()
    runs = args.runs
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in (1, 2, 3, 10)]
    four = services.day_ranges(days)
    year = services.day_ranges(today - dt.timedelta(days=n) for n in range(1, 366))
    last = DossierEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    touched = services.touched_dossiers(after_event_id=last - 2000)
    print(
        f"database {connection.settings_dict['NAME']}: {Dossier.objects.count():,} dossiers, "
        f"{last:,} events; load average {os.getloadavg()[0]:.2f}"
    )
    print(f"  touched days of {len(touched):,} dossiers  {timed(lambda: services.touched_days(touched), runs):8.1f} ms")
    print(f"  recompute 4 days                 {timed(lambda: services._recompute(four), runs):8.1f} ms")
    if not args.skip_year:
        print(f"  recompute 1 year                 {timed(lambda: services._recompute(year), runs):8.1f} ms")

    sql, params = services._insert_sql(four)
    select = sql[sql.index(" SELECT ") + 1 :]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {select}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    indexes = sorted(set(re.findall(r"Index (?:Only )?Scan (?:using |on )(\w+)", plan)))
    scans = sorted(set(re.findall(r"Seq Scan on (\w+)", plan)))
    print(f"  the 4-day recompute reads indexes: {', '.join(indexes)}")
    print(f"  sequential scans: {', '.join(scans) or 'none'}")
    if Dossier._meta.db_table in scans:
        print("  ! the dossier table is scanned whole: is migration 0017 applied?")


if __name__ == "__main__":
    main()
