"""A dossier inside its retention class cannot be deleted, even behind the application's back.

Every dossier that has left the draft state is a record of an administrative procedure, kept under the archives
law (docs/privacy.md "Retention"); the model already refuses `delete()` (dossiers/models.py), and this trigger says
the same to any SQL the application's database role can run: DELETE of a non-draft row raises. TRUNCATE stays
with the DBA and the test runner.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION dossiers_refuse_retained_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'draft' THEN
        RAISE EXCEPTION 'dossier % (id=%) is under retention: DELETE refused', OLD.code, OLD.id
            USING ERRCODE = 'restrict_violation',
                  HINT = 'Dossiers are records kept under the archives law (docs/privacy.md); they end in a status.';
    END IF;
    RETURN OLD;
END
$$;
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, None)  # no parameters: the % signs belong to RAISE
    schema_editor.execute(
        "CREATE TRIGGER dossiers_dossier_retention BEFORE DELETE ON dossiers_dossier "
        "FOR EACH ROW EXECUTE FUNCTION dossiers_refuse_retained_delete()"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS dossiers_dossier_retention ON dossiers_dossier")
    schema_editor.execute("DROP FUNCTION IF EXISTS dossiers_refuse_retained_delete()")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0019_file_scan")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
