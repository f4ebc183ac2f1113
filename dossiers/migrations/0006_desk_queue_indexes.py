"""The desk queue's exact search by phone number (desk/selectors_queue.py) starts from the applicants: index the phone.

ID numbers are already indexed (ApplicantIdentity.number); every section of the queue uses the existing dossier
indexes ((status, current_due_at), (receiving_agency, status)).

Built concurrently on PostgreSQL so a large applicant table stays writable (docs/conventions.md "Tooling,
documentation, translations, migrations"); a plain index elsewhere (SQLite). The index and the migration state are
those of the plain AddIndex this migration first had, so a database that applied it then is unaffected.
"""

from django.db import migrations, models

from portal.migration_operations import AddIndexConcurrentlyOnPostgres


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("dossiers", "0005_inbox_indexes"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="applicant",
            index=models.Index(fields=["phone"], name="applicant_phone"),
        ),
    ]
