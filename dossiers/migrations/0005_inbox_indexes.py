"""The officers' inbox (/work/) reads an agency's open steps by due moment: a partial index on (agency, due_at)
where the step is open. Built concurrently on PostgreSQL so a large step table stays writable
(docs/conventions.md "Tooling, documentation, translations, migrations"); a plain index elsewhere (SQLite)."""

from django.db import migrations, models

from portal.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("agencies", "0001_initial"),
        ("dossiers", "0004_register_entries_and_document_numbers"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="dossierstep",
            index=models.Index(
                condition=models.Q(("finished_at__isnull", True)),
                fields=["agency", "due_at"],
                name="dossier_step_open_agency_due",
            ),
        ),
    ]
