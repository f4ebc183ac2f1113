"""The roll-up of the demo data (every status, channel and outcome the seeder makes) against the dossiers."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from dossiers.models import DossierStep
from stats.models import LateStepFigure
from stats.services import figures_rebuild, figures_refresh
from tests.stats.helpers import figure_rows, late_rows, totals_from_dossiers, totals_from_rows
from workcalendar.calendar import LOCAL_TZ

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 30, 8, 30, tzinfo=LOCAL_TZ)


def test_seeded_data_refreshed_incrementally_equals_a_rebuild():
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", dossiers=300, seed=1, force=True, verbosity=0)
        figures_refresh(now=NOW)
        assert totals_from_rows() == totals_from_dossiers()
        first = figure_rows()
        assert all(totals_from_rows()[m] for m in ("received", "early", "on_time", "late", "refused", "returned"))

        # A second seeding run: new dossiers on old days, written with past event moments (ids still grow).
        call_command("seed_demo", dossiers=60, seed=2, force=True, verbosity=0)
        figures_refresh(now=NOW)
        incremental, late = figure_rows(), late_rows()
        assert incremental != first
        assert totals_from_rows() == totals_from_dossiers()
        # The seeder writes steps without their overrun: the refresh judges the touched dossiers' steps first.
        assert (
            not DossierStep.objects.filter(
                overrun_minutes__isnull=True, due_at__isnull=False, finished_at__isnull=False
            )
            .exclude(dossier__status="withdrawn")
            .exists()
        )
        assert LateStepFigure.objects.filter(late_dossiers__gt=0).exists()
        figures_rebuild(now=NOW)
        assert figure_rows() == incremental
        assert late_rows() == late
