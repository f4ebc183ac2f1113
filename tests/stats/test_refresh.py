"""The incremental refresh against a rebuild from scratch, on engine-made dossiers (docs/statistics.md)."""

import datetime as dt
import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from dossiers.models import Channel, Outcome
from dossiers.services import dossier_transition
from stats.models import MEASURES, DailyFigure, RefreshMark
from stats.selectors import Period, figure_dossiers, figures_totals
from stats.services import day_ranges, figures_rebuild, figures_refresh
from stats.tasks import refresh
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, advance, at
from tests.dossiers.transition_cases import HANDOVER, REASON, WITHDRAWAL
from tests.stats.helpers import figure_rows, totals_from_dossiers, totals_from_rows

pytestmark = pytest.mark.django_db
needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")

FORWARD = ("forward", "desk", {})
RESULT = ("issue_result", "head", {"number": "15/QĐ"})
RETURN = ("return_result", "desk", HANDOVER)


def rebuilt_rows() -> set[tuple]:
    figures_rebuild(now=at("2026-04-30 23:00"))
    return figure_rows()


def test_day_ranges_merge_consecutive_days():
    days = [dt.date(2026, 3, 3), dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 9)]
    assert day_ranges(days) == [
        (dt.date(2026, 3, 1), dt.date(2026, 3, 3)),
        (dt.date(2026, 3, 9), dt.date(2026, 3, 9)),
    ]


def test_a_dossier_is_counted_on_the_local_day_of_each_moment(receive, people):
    # Received 23:30 UTC on 01/03 is 02/03 in Vietnam; resolved early on 05/03, returned 06/03.
    dossier = receive("2026-03-02 06:30")
    advance(dossier, FORWARD, RESULT, people=people, when="2026-03-05 09:00")
    advance(dossier, RETURN, people=people, when="2026-03-06 09:00")
    figures_refresh(now=at("2026-03-06 10:00"))
    rows = {f.day: f for f in DailyFigure.objects.all()}
    assert set(rows) == {dt.date(2026, 3, 2), dt.date(2026, 3, 5), dt.date(2026, 3, 6)}
    assert (rows[dt.date(2026, 3, 2)].received, rows[dt.date(2026, 3, 2)].early) == (1, 0)
    assert (rows[dt.date(2026, 3, 5)].early, rows[dt.date(2026, 3, 5)].received) == (1, 0)
    assert rows[dt.date(2026, 3, 6)].returned == 1
    figure = rows[dt.date(2026, 3, 2)]
    version = dossier.procedure_version
    assert (figure.agency_id, figure.procedure_id, figure.field_id) == (
        dossier.receiving_agency_id,
        version.procedure_id,
        version.field_id,
    )
    assert (figure.channel, figure.online_mode) == (Channel.COUNTER, version.online_mode)


def make_mix(receive, submitted, people, day: str) -> None:
    """Dossiers in every outcome: open, early, on time, late, withdrawn, stopped, refused, returned."""
    receive(f"{day} 09:00")  # stays received
    advance(receive(f"{day} 09:00"), FORWARD, RESULT, people=people, when=f"{day} 15:00")  # early
    advance(receive(f"{day} 09:00"), FORWARD, RESULT, RETURN, people=people, when=f"{day} 16:00")
    late = advance(receive(f"{day} 08:00"), FORWARD, people=people, when=f"{day} 08:30")
    advance(late, RESULT, people=people, when="2026-04-28 10:00")  # 10 working days long past
    advance(
        receive(f"{day} 09:00"), ("withdraw", "desk", WITHDRAWAL | {"note": "Rút"}), people=people, when=f"{day} 10:00"
    )
    advance(receive(f"{day} 09:00"), FORWARD, ("stop", "head", REASON), people=people, when=f"{day} 11:00")
    advance(receive(f"{day} 09:00"), ("refuse", "desk", REASON), people=people, when=f"{day} 09:30")
    submitted(f"{day} 10:00")  # not received: not counted


def test_incremental_refresh_equals_a_rebuild_and_the_dossiers(receive, submitted, people):
    make_mix(receive, submitted, people, "2026-03-03")
    assert figures_refresh(now=at("2026-03-03 18:00")) > 0  # the first refresh is a rebuild
    first = figure_rows()
    totals = totals_from_rows()
    assert totals == totals_from_dossiers()
    assert all(totals[m] for m in ("received", "early", "late", "withdrawn", "refused", "returned"))

    # A second mix a week later: new days, and the 28/04 results of both mixes on one shared day.
    make_mix(receive, submitted, people, "2026-03-10")
    figures_refresh(now=at("2026-04-28 18:00"))
    incremental = figure_rows()
    assert incremental != first
    assert totals_from_rows() == totals_from_dossiers()
    assert incremental == rebuilt_rows()

    # Nothing new: the refresh recomputes the same days again (the watermark keeps two windows) and changes nothing.
    figures_refresh(now=at("2026-04-28 18:05"))
    figures_refresh(now=at("2026-04-28 18:10"))
    assert figure_rows() == incremental
    assert RefreshMark.objects.get().days == 0


def test_a_later_change_recomputes_the_old_days_of_that_dossier(receive, people, agencies):
    dossier = receive("2026-03-02 09:00")
    figures_refresh(now=at("2026-03-02 18:00"))
    figures_refresh(now=at("2026-03-02 18:05"))
    assert figures_refresh(now=at("2026-03-02 18:10")) == 0
    # Forwarded weeks later to another body: the 02/03 intake now counts for that body (the handling agency).
    other = agencies[OTHER_COMMUNE]
    dossier_transition(
        dossier=dossier, action="forward", actor=people["desk"], agency=other, now=at("2026-03-20 09:00")
    )
    dossier_transition(
        dossier=dossier, action="issue_result", actor=people["other_head"], number="1/QĐ", now=at("2026-04-01 09:00")
    )
    assert figures_refresh(now=at("2026-04-01 10:00")) == 3  # 02/03, 20/03 (events only) and 01/04
    received = DailyFigure.objects.get(day=dt.date(2026, 3, 2))
    assert (received.agency_id, received.received) == (other.pk, 1)
    assert DailyFigure.objects.get(day=dt.date(2026, 4, 1)).late == 1
    assert figure_rows() == rebuilt_rows()
    dossier.refresh_from_db()
    assert dossier.outcome == Outcome.LATE


def test_the_beat_schedule_runs_the_refresh(settings, receive):
    assert settings.CELERY_BEAT_SCHEDULE["stats-refresh"]["task"] == "stats.refresh"
    receive("2026-03-02 09:00")
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        refresh.delay()
    assert DailyFigure.objects.get().received == 1
    assert RefreshMark.objects.get().refreshed_at == at("2026-03-02 10:00")


def test_the_rebuild_command_replaces_every_row(receive):
    receive("2026-03-02 09:00")
    figures_refresh(now=at("2026-03-02 10:00"))
    DailyFigure.objects.update(received=7)
    out = io.StringIO()
    with time_machine.travel(at("2026-03-02 11:00"), tick=False):
        call_command("stats_refresh", stdout=out)
        assert DailyFigure.objects.get().received == 7  # nothing new: the refresh leaves the day alone
        call_command("stats_refresh", rebuild=True, stdout=out)
    assert "1 dòng" in out.getvalue()
    assert DailyFigure.objects.get().received == 1


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_workers_refreshing_at_once_give_the_rows_of_one(receive, submitted, people):
    make_mix(receive, submitted, people, "2026-03-03")
    figures_refresh(now=at("2026-03-03 18:00"))
    make_mix(receive, submitted, people, "2026-03-10")
    start = threading.Barrier(4)

    def refresh_once(_):
        try:
            start.wait(timeout=10)
            return figures_refresh(now=at("2026-04-28 18:00"))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(refresh_once, range(4)))
    assert figure_rows() == rebuilt_rows()


def test_the_dossiers_behind_each_figure_are_as_many_as_the_figure(receive, submitted, people, agencies):
    make_mix(receive, submitted, people, "2026-03-03")
    figures_refresh(now=at("2026-04-28 18:00"))
    scope, april = [agencies[COMMUNE].pk], Period(dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    totals = figures_totals(agency_ids=scope, period=april)
    for measure in MEASURES:
        behind = figure_dossiers(measure=measure, agency_ids=scope, period=april)
        assert behind.count() == totals[measure], measure
    late = figure_dossiers(measure="late", agency_ids=scope, period=april, channel=Channel.COUNTER)
    assert [d.outcome for d in late] == [Outcome.LATE]
    assert not figure_dossiers(measure="received", agency_ids=[agencies[OTHER_COMMUNE].pk], period=april).exists()
    march_only = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert not figure_dossiers(measure="late", agency_ids=scope, period=march_only).exists()


def test_a_refresh_after_a_bulk_change_rebuilds(settings, receive, people):
    receive("2026-03-02 09:00")
    figures_refresh(now=at("2026-03-02 10:00"))
    settings.STATS_REBUILD_ABOVE = 1
    receive("2026-03-03 09:00")
    receive("2026-03-04 09:00")
    assert figures_refresh(now=at("2026-03-04 10:00")) == 3  # every day rebuilt, not only the two touched
    assert figure_rows() == rebuilt_rows()
    assert RefreshMark.objects.get().previous_event_id == RefreshMark.objects.get().event_id


def test_the_admin_shows_the_figures_read_only(admin_client, receive):
    receive("2026-03-02 09:00")
    figures_refresh(now=at("2026-03-02 10:00"))
    html = admin_client.get("/admin/stats/dailyfigure/").content.decode()
    assert "02/03/2026" in html
    assert "/admin/stats/dailyfigure/add/" not in html
    assert admin_client.get("/admin/stats/refreshmark/").status_code == 200


def test_since_recomputes_the_days_of_dossiers_with_events_from_that_moment(receive):
    receive("2026-03-02 09:00")
    receive("2026-03-05 09:00")
    figures_refresh(now=at("2026-03-05 10:00"))
    figures_refresh(now=at("2026-03-05 10:05"))
    DailyFigure.objects.all().delete()  # rows lost behind the refresh's back
    assert figures_refresh(now=at("2026-03-05 10:10")) == 0
    assert figures_refresh(since=at("2026-03-04 00:00"), now=at("2026-03-05 10:15")) == 1
    assert list(DailyFigure.objects.values_list("day", flat=True)) == [dt.date(2026, 3, 5)]
