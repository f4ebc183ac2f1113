"""Time `seed_demo --dossiers N` on a fresh PostgreSQL database (docs/domain.md §12: design for volume).

    DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python bench/seed_demo.py --dossiers 100000

Drops and recreates the database named in DATABASE_URL (through the `postgres` maintenance database), migrates
it, imports the procedure catalogue, then times `seed_demo --dossiers N --seed S --force` and prints seconds,
dossiers per second, the CPU time of this process and its planning workers, and rows per table; then vacuums and
analyses the database for the benches that follow. Refuses a database whose name does not contain "bench".
`--workers` sets seed_demo's planning processes (default: its own choice), `--today` the reference day.
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent


def recreate(url: str) -> str:
    import psycopg2
    from psycopg2 import sql

    parts = urlparse(url)
    name = unquote(parts.path.lstrip("/"))
    if "bench" not in name:
        sys.exit(f"Refusing to drop {name!r}: the benchmark database's name must contain 'bench'.")
    connection = psycopg2.connect(
        dbname="postgres",
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or ""),
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()
    return name


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the planning workers)."""
    import resource

    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="planning processes (default: seed_demo's choice)")
    parser.add_argument("--today", default=None, help="the reference day YYYY-MM-DD (default: today)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres:postgres@127.0.0.1:5432/portal_bench"
        )

    name = recreate(url)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)  # agencies first, so the catalogue links them
    call_command("import_procedures", verbosity=0)
    print(f"database {name}: migrated, agencies, users and catalogue in {time.perf_counter() - started:.1f} s")

    started, cpu = time.perf_counter(), _cpu()
    call_command(
        "seed_demo",
        dossiers=args.dossiers,
        seed=args.seed,
        force=True,
        verbosity=1,
        workers=args.workers,
        today=dt.date.fromisoformat(args.today) if args.today else None,
    )
    seconds = time.perf_counter() - started
    rate = args.dossiers / seconds
    print(f"\nseed_demo --dossiers {args.dossiers} --seed {args.seed}: {seconds:.1f} s, {rate:,.0f} dossiers/s")
    print(f"CPU time: {_cpu() - cpu:.1f} s (this process and its workers); load average {os.getloadavg()[0]:.2f}")

    print("\nrows per table:")
    total = 0
    with connection.cursor() as cursor:
        for model in apps.get_app_config("dossiers").get_models():
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            (count,) = cursor.fetchone()
            total += count
            if count:
                print(f"  {model._meta.label:<32} {count:>10,}")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"  {'total':<32} {total:>10,}   database size {cursor.fetchone()[0]}")
        # Fresh planner statistics and visibility maps for the benches that follow, as autovacuum would give them
        # some minutes later (not part of the seeding time).
        started = time.perf_counter()
        cursor.execute("VACUUM (ANALYZE)")
        print(f"\nVACUUM (ANALYZE): {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
