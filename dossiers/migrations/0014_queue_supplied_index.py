"""The desk queue's "answered supplements" section (desk/selectors_queue.py, T10): one partial index on (receiving
agency, id) where the dossier waits in `supplement_requested` with the sub-state `supplied`.

The section's count reads these entries only (capped like the others); its page reads the agency's entries — the
answers the desk has not accepted yet, a handful — and sorts them by the answer moment, which is on the supplement
request (joined by its unique dossier key), so no dossier outside the section is read.

Built concurrently on PostgreSQL so the dossier table stays writable while it builds (docs/conventions.md
"Tooling, documentation, translations, migrations"); a plain index elsewhere (SQLite). Reversible.
"""

from django.db import migrations, models

from portal.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("dossiers", "0013_loa"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status", "supplement_requested"), ("substate", "supplied")),
                fields=["receiving_agency", "id"],
                name="dossier_desk_supplied",
            ),
        ),
    ]
