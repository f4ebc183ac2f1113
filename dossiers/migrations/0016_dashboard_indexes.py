"""The leaders' dashboard's live figures (stats/live.py): in progress and overdue now, per handling agency.

One partial index on (COALESCE(processing agency, receiving agency), status, current due moment), limited to the
in-progress statuses (received, in processing, waiting for a supplement or a financial obligation), with both agency
columns included so PostgreSQL answers the counts by an index-only scan: a province's count reads the index entries
of its open dossiers, never the resolved millions.

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
                    ("status__in", ("received", "in_processing", "supplement_requested", "awaiting_financial_obligation"))
                ),
                include=("processing_agency", "receiving_agency"),
                name="dossier_live_handler",
            ),
        ),
    ]
