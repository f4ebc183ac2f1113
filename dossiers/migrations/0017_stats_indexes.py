"""Indexes the statistics refresh needs at a million dossiers (docs/statistics.md "Cost"): three partial indexes on
(completed_at, id), (refused_at, id) and (returned_at, id) where the moment is set.

The refresh (stats/services.py) recomputes the touched days from four parts, one per counted moment; `received_at` had
an index, the other three parts were sequential scans of the whole dossier table at every refresh. With these, each
part reads one index range per run of touched days (checked with EXPLAIN on 1,000,000 seeded dossiers, bench/README.md).
The definitions are those the dashboard's drill-down uses for its keyset pages, so one set of indexes serves both.

Built concurrently on PostgreSQL so the dossier table stays writable while it builds (docs/conventions.md); a plain
index elsewhere (SQLite). Reversible.
"""

from django.db import migrations, models

from portal.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("dossiers", "0015_job_markers"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("completed_at__isnull", False)),
                fields=["completed_at", "id"],
                name="dossier_completed",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("refused_at__isnull", False)), fields=["refused_at", "id"], name="dossier_refused"
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("returned_at__isnull", False)),
                fields=["returned_at", "id"],
                name="dossier_returned",
            ),
        ),
    ]
