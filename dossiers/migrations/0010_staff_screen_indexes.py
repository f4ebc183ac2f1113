"""The staff screens' indexes (issue 8: the desk's home and the officers' inbox under 100 ms at a million dossiers).

The desk's queue (desk/selectors_queue.py): one partial index per section, on (receiving agency, the section's sort
moment, id) where the dossier is in the section's statuses, so a section reads its page in order and a capped count
reads index entries only. The applicants' upper-case name (PostgreSQL only): the desk's search by the start of a name;
the (receiving agency, id) index: that search among the agency's dossiers, newest first. The officers' inbox
(desk/selectors_inbox.py): the "mine" tab walks one handler's open steps by due moment; its state counts probe
the dossiers' current step, running (with the due moment) or paused, index only.

Built concurrently on PostgreSQL so the dossier table stays writable while they build (docs/conventions.md
"Tooling, documentation, translations, migrations"); plain indexes elsewhere (SQLite). Reversible.
"""

from django.db import migrations, models

from portal.migration_operations import AddIndexConcurrentlyOnPostgres

OPEN_STATUSES = (
    "submitted",
    "received",
    "in_processing",
    "supplement_requested",
    "awaiting_financial_obligation",
    "result_ready",
)
RUNNING_STATUSES = ("received", "in_processing")


# The desk's search by the start of a name: `UPPER(name) LIKE 'NGUY%'` is a range of this index whatever the
# database's collation (text_pattern_ops compares characters); its statistics tell the planner how many applicants a
# prefix holds. PostgreSQL only, so not in the model state (Applicant.Meta says so).
NAME_PREFIX_INDEX = "applicant_name_prefix"


def name_prefix_index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME_PREFIX_INDEX} "
            "ON dossiers_applicant (UPPER(name::text) text_pattern_ops)"
        )


def name_prefix_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME_PREFIX_INDEX}")


# The inbox's "mine" tab filters open steps by agency and handler: PostgreSQL takes the two as independent, expects a
# handful of rows where an officer may hold thousands, and sorts them all instead of walking the handler's index.
# Statistics on the pair (PostgreSQL only) tell it how they go together.
AGENCY_HANDLER_STATISTICS = "dossier_step_agency_handler"


def agency_handler_statistics_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {AGENCY_HANDLER_STATISTICS} (dependencies, mcv) "
            "ON agency_id, handler_id FROM dossiers_dossierstep"
        )
        schema_editor.execute("ANALYZE dossiers_dossierstep")


def agency_handler_statistics_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {AGENCY_HANDLER_STATISTICS}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("dossiers", "0008_result_handover"),
    ]

    operations = [
        migrations.RunPython(name_prefix_index_create, name_prefix_index_drop, elidable=False),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status", "submitted")),
                fields=["receiving_agency", "acceptance_due_at", "id"],
                name="dossier_desk_waiting",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status", "result_ready")),
                fields=["receiving_agency", "completed_at", "id"],
                name="dossier_desk_result_ready",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", OPEN_STATUSES)),
                fields=["receiving_agency", "current_due_at", "id"],
                name="dossier_desk_open_due",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("status__in", RUNNING_STATUSES)),
                fields=["receiving_agency", "current_due_at", "id"],
                name="dossier_desk_running_due",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossier",
            index=models.Index(fields=["receiving_agency", "-id"], name="dossier_desk_newest"),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossierstep",
            index=models.Index(
                condition=models.Q(("finished_at__isnull", True)),
                fields=["handler", "due_at"],
                name="dossier_step_open_handler_due",
            ),
        ),
        migrations.RunPython(agency_handler_statistics_create, agency_handler_statistics_drop, elidable=False),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("current_step__isnull", False), models.Q(("clock_state", "paused"), _negated=True)),
                fields=["current_step", "current_due_at"],
                name="dossier_current_step_running",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossier",
            index=models.Index(
                condition=models.Q(("clock_state", "paused")),
                fields=["current_step"],
                name="dossier_current_step_paused",
            ),
        ),
    ]
