"""The leaders' dashboard's live figures (stats/live.py): in progress and overdue now, per handling agency.

One partial index on (COALESCE(processing agency, receiving agency), status, current due moment), limited to the
in-progress statuses (received, in processing, waiting for a supplement or a financial obligation), including both agency
columns, the procedure version and the channel, so PostgreSQL answers the counts and their breakdowns by an
index-only scan: a province's count reads the index entries of its open dossiers, never the resolved millions.

And three partial indexes on (completed_at, id), (refused_at, id) and (returned_at, id) where the moment is set: the
drill-down lists the dossiers resolved, refused or returned in a period newest first, a keyset page at a time, and
the roll-up's refresh selects the same day ranges (docs/statistics.md "Cost").

Built concurrently on PostgreSQL so the dossier table stays writable while it builds (docs/conventions.md
"Tooling, documentation, translations, migrations"); a plain index elsewhere (SQLite). Reversible.
"""

import django.db.models.functions.comparison
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
                django.db.models.functions.comparison.Coalesce("processing_agency", "receiving_agency"),
                models.F("status"),
                models.F("current_due_at"),
                condition=models.Q(
                    (
                        "status__in",
                        ("received", "in_processing", "supplement_requested", "awaiting_financial_obligation"),
                    )
                ),
                include=("processing_agency", "receiving_agency", "procedure_version", "channel"),
                name="dossier_live_handler",
            ),
        ),
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
