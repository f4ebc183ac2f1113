"""Time one overdue sweep as the portal runs it against a raw SQL UPDATE making the same change (docs/jobs.md).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python bench/sweep.py [--late 10000] [--runs 5]

Run it on a seeded bench database (bench/seed_demo.py): nothing is kept — every variant runs in a transaction that
is rolled back (the table is vacuumed before and after, so the dead row versions the rolled-back updates leave do
not pile up). The clock is moved forward (`now`) until about `--late` running dossiers that are not flagged yet have
a due moment before the start of that day: the sweep then flags them all at once, as after a day's work or a
catch-up after downtime.

Variants, each timed `--runs` times in turn (the first round is a warm-up and not counted), median printed:

- `sweep (dossiers.flag_overdue)`: `dossiers.jobs.job_late(now=…)`, what the Celery task runs — the flag UPDATE with
  one job marker per newly late dossier in the same statement, then one outbox message per recipient (handler, unit
  head, desk). The messages' delivery is kicked on commit, so not here.
- `sweep, flag and markers only`: the same UPDATE with its markers (`dossiers.jobs._flag_and_mark`), no messages.
- `raw UPDATE`: the flag alone, `UPDATE dossiers_dossier SET is_overdue = true, overdue_since = … WHERE …` with the
  selection of docs/jobs.md: the same rows, the same two columns.
- `raw UPDATE + markers`: that UPDATE with the markers inserted by hand in one statement — like with like for the
  second variant.

It checks that the portal's sweep and the raw UPDATE change the same rows (a checksum of the flagged ids) and prints
the rows changed, each time and the ratios; target (issue 10): sweep ≤ 1.5 × raw UPDATE.
"""

import argparse
import datetime as dt
import os
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

from dossiers import jobs  # noqa: E402
from dossiers.models import ClockState, Dossier, JobMarker  # noqa: E402

TABLE = Dossier._meta.db_table
SELECTION = "status IN (%s, %s) AND is_overdue = %s AND clock_state = %s AND current_due_at < %s"


def start_of_day(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


def selection_params(now: dt.datetime) -> list:
    return [*jobs.RUNNING, False, ClockState.RUNNING, start_of_day(now)]


def moment_for(late: int) -> dt.datetime:
    """A `now` at which about `late` running, unflagged dossiers are past their due date: the day after the due
    date of the late-th one by due moment (at 09:00 local time)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT current_due_at FROM {TABLE} WHERE status IN (%s, %s) AND is_overdue = %s "  # noqa: S608
            "AND clock_state = %s AND current_due_at IS NOT NULL ORDER BY current_due_at OFFSET %s LIMIT 1",
            [*jobs.RUNNING, False, ClockState.RUNNING, max(0, late - 1)],
        )
        row = cursor.fetchone()
    if row is None:
        sys.exit("Not that many running dossiers: lower --late.")
    day = timezone.localtime(row[0]).date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(9), tzinfo=timezone.get_current_timezone())


def flagged_checksum(now: dt.datetime) -> tuple[int, str]:
    """How many rows carry this run's flag (overdue since the day of `now`, a day no earlier run used) and an md5 of
    their ids, read inside the transaction before it is rolled back."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), md5(string_agg(id::text, ',' ORDER BY id)) FROM {TABLE} "  # noqa: S608
            "WHERE is_overdue AND overdue_since = %s",
            [timezone.localdate(now)],
        )
        return cursor.fetchone()


def raw_update(now: dt.datetime) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {TABLE} SET is_overdue = %s, overdue_since = %s WHERE {SELECTION}",  # noqa: S608
            [True, timezone.localdate(now), *selection_params(now)],
        )
        return cursor.rowcount


def raw_update_and_markers(now: dt.datetime) -> int:
    marker = JobMarker._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH flagged AS (UPDATE {TABLE} SET is_overdue = %s, overdue_since = %s WHERE {SELECTION} "  # noqa: S608
            "RETURNING id, current_due_at), "
            f"marked AS (INSERT INTO {marker} (dossier_id, kind, threshold, run, created_at) "
            "SELECT id, 'late', current_due_at, 'bench', %s FROM flagged ON CONFLICT DO NOTHING) "
            "SELECT count(*) FROM flagged",
            [True, timezone.localdate(now), *selection_params(now), now],
        )
        return cursor.fetchone()[0]


def flag_and_markers(now: dt.datetime) -> int:
    update = (
        "UPDATE {dossier} SET is_overdue = %s, overdue_since = %s WHERE status IN (%s, %s) AND is_overdue = %s "
        "AND clock_state = %s AND current_due_at < %s RETURNING id AS dossier_id, current_due_at AS threshold"
    )  # as dossiers.jobs.job_late builds it
    params = [True, timezone.localdate(now), *selection_params(now)]
    return jobs._flag_and_mark("late", update, params, run="bench", now=now)


def sweep(now: dt.datetime) -> int:
    return jobs.job_late(now=now).changed


VARIANTS = {
    "sweep (dossiers.flag_overdue)": sweep,
    "sweep, flag and markers only": flag_and_markers,
    "raw UPDATE": raw_update,
    "raw UPDATE + markers": raw_update_and_markers,
}


def timed(function, now: dt.datetime) -> tuple[float, int, tuple[int, str], int]:
    """(seconds, rows changed, checksum of flagged ids, outbox messages) of one run, rolled back."""
    from outbox.models import OutboxMessage

    with transaction.atomic():
        before = OutboxMessage.objects.count()
        started = time.perf_counter()
        changed = function(now)
        seconds = time.perf_counter() - started
        checksum = flagged_checksum(now)
        messages = OutboxMessage.objects.count() - before
        transaction.set_rollback(True)
    return seconds, changed, checksum, messages


def vacuum() -> None:
    with connection.cursor() as cursor:
        for model in (Dossier, JobMarker):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--late", type=int, default=10_000, help="newly late dossiers to flag (about)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (the bench databases).")
    vacuum()
    now = moment_for(args.late)
    print(
        f"database {connection.settings_dict['NAME']}: {Dossier.objects.count():,} dossiers; "
        f"clock moved to {timezone.localtime(now):%d/%m/%Y %H:%M}; load average {os.getloadavg()[0]:.2f}"
    )
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    seen: dict[str, tuple] = {}
    for round_ in range(args.runs + 1):
        order = list(VARIANTS.items())
        if round_ % 2:
            order.reverse()  # alternate, so no variant always runs on the freshest cache
        for name, function in order:
            seconds, changed, checksum, messages = timed(function, now)
            if round_:
                times[name].append(seconds)
            seen[name] = (changed, checksum, messages)
    vacuum()

    reference = seen["raw UPDATE"][1]
    for name, (changed, checksum, messages) in seen.items():
        same = "same rows" if checksum == reference else "DIFFERENT ROWS"
        print(f"  {name:<32} {statistics.median(times[name]) * 1000:8.1f} ms   {changed:>8,} rows   {same}"
              f"{f'   {messages:,} outbox messages' if messages else ''}")  # fmt: skip
    raw, raw_markers = statistics.median(times["raw UPDATE"]), statistics.median(times["raw UPDATE + markers"])
    full, flag = (
        statistics.median(times["sweep (dossiers.flag_overdue)"]),
        statistics.median(times["sweep, flag and markers only"]),
    )
    print(f"ratio sweep / raw UPDATE:                         {full / raw:5.2f}  (target ≤ 1.5)")
    print(f"ratio sweep flag+markers / raw UPDATE + markers:  {flag / raw_markers:5.2f}  (like with like)")
    print(f"ratio sweep flag+markers / raw UPDATE:            {flag / raw:5.2f}")
    print(f"median of {args.runs} runs each, after one warm-up round; load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
