"""The roll-up of the demo data (every status, channel and outcome the seeder makes) against the dossiers."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from stats.services import figures_rebuild, figures_refresh
from tests.stats.helpers import figure_rows, totals_from_dossiers, totals_from_rows
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
        incremental = figure_rows()
        assert incremental != first
        assert totals_from_rows() == totals_from_dossiers()
        figures_rebuild(now=NOW)
        assert figure_rows() == incremental
