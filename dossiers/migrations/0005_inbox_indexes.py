"""The officers' inbox (/work/) reads an agency's open steps by due moment: a partial index on (agency, due_at)
where the step is open. Built concurrently on PostgreSQL so a large step table stays writable
(docs/conventions.md "Tooling, documentation, translations, migrations"); a plain index elsewhere (SQLite)."""

from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.add_index(model, self.index, concurrently=True)
            else:
                schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if schema_editor.connection.vendor == "postgresql":
                schema_editor.remove_index(model, self.index, concurrently=True)
            else:
                schema_editor.remove_index(model, self.index)


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
