"""The dossier's paused clock copied onto its open current step (`DossierStep.paused`), and the inbox's indexes on it.

The officers' inbox counted each state by walking an agency's open steps and probing the dossier of each for its
clock: where most of an agency's open steps belong to paused dossiers (the busiest commune of the seeded data:
34,701 open steps) a capped count made thousands of probes (0.33 s). With the flag on the step each state is a range
of (agency, paused, due_at) or (handler, paused, due_at) over the open steps.

The engine keeps the flag (dossiers.services.dossier_transition); here it is filled once for the open steps in one
set-based UPDATE. The indexes are built concurrently on PostgreSQL, as in 0010. Reversible: the indexes are dropped
and the column removed.
"""

from django.db import migrations, models
from django.db.models import Q

from portal.migration_operations import AddIndexConcurrentlyOnPostgres


def paused_fill(apps, schema_editor):
    """paused = true on every open step that is the current step of a dossier whose clock is paused."""
    Dossier = apps.get_model("dossiers", "Dossier")
    DossierStep = apps.get_model("dossiers", "DossierStep")
    current_paused = Dossier.objects.filter(clock_state="paused", current_step__isnull=False).values("current_step_id")
    DossierStep.objects.filter(finished_at__isnull=True, pk__in=current_paused).update(paused=True)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("dossiers", "0010_staff_screen_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossierstep",
            name="paused",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(paused_fill, migrations.RunPython.noop, atomic=True, elidable=False),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossierstep",
            index=models.Index(
                condition=Q(("finished_at__isnull", True)),
                fields=["agency", "paused", "due_at"],
                name="dossier_step_agency_state",
            ),
        ),
        AddIndexConcurrentlyOnPostgres(
            model_name="dossierstep",
            index=models.Index(
                condition=Q(("finished_at__isnull", True)),
                fields=["handler", "paused", "due_at"],
                name="dossier_step_handler_state",
            ),
        ),
    ]
