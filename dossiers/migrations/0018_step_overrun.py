"""The working minutes a finished step used beyond its budget (DossierStep.overrun_minutes, §5.6–5.7), for the
"why late" figures: the column (nullable, so adding it rewrites nothing), the backfill of the steps already
finished (dossiers.overrun: one UPDATE for the steps on time, batches for the late ones), then the partial index
of the overrunning steps, built concurrently on PostgreSQL."""

from django.db import migrations, models

from portal.migration_operations import AddIndexConcurrentlyOnPostgres


def backfill(apps, schema_editor):
    from dossiers.overrun import overrun_fill

    overrun_fill(step_model=apps.get_model("dossiers", "DossierStep"), pause_model=apps.get_model("dossiers", "DossierPause"))


def clear(apps, schema_editor):
    """Nothing to undo: the column goes with the reverse of AddField."""


class Migration(migrations.Migration):
    atomic = False  # the concurrent index

    dependencies = [
        ("dossiers", "0016_dashboard_indexes"),
        ("workcalendar", "0002_verbose_names"),  # the backfill reads the calendar in force
    ]

    operations = [
        migrations.AddField(
            model_name="dossierstep",
            name="overrun_minutes",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="số phút vượt định mức"),
        ),
        migrations.RunPython(backfill, clear, elidable=True),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossierstep",
            index=models.Index(
                condition=models.Q(("overrun_minutes__gt", 0)),
                fields=["agency", "finished_at"],
                name="dossier_step_overrun",
            ),
        ),
    ]
