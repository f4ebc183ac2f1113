"""The clean-up of job markers (dossiers.jobs.job_markers_purge): closed long enough ago → gone; open or recently
closed → kept; set-based, and a second run deletes nothing."""

from dossiers import jobs
from dossiers.models import Dossier, JobMarker
from dossiers.workflow import Status
from tests.dossiers.conftest import advance, at


def in_processing(receive, people, when):
    return advance(receive(when), ("forward", "desk", {"handler": people["officer"]}), people=people)


def mark(dossier, threshold="2026-03-16 10:00"):
    JobMarker.objects.create(
        dossier=dossier, kind="late", threshold=at(threshold), run="r", created_at=at("2026-03-17 08:00")
    )


def test_markers_of_dossiers_closed_long_ago_are_deleted(receive, people):
    still_open = in_processing(receive, people, "2026-03-02 10:00")
    returned = in_processing(receive, people, "2026-03-03 10:00")
    withdrawn_lately = in_processing(receive, people, "2026-03-04 10:00")
    refused = receive("2026-03-05 10:00")
    for dossier in (still_open, returned, withdrawn_lately, refused):
        mark(dossier)
    mark(returned, "2026-03-18 10:00")  # a second threshold of the same dossier
    Dossier.objects.filter(pk=returned.pk).update(
        status=Status.RETURNED, completed_at=at("2026-03-19 09:00"), returned_at=at("2026-03-20 09:00")
    )
    Dossier.objects.filter(pk=withdrawn_lately.pk).update(status=Status.WITHDRAWN, completed_at=at("2026-04-15 09:00"))
    Dossier.objects.filter(pk=refused.pk).update(status=Status.REFUSED, refused_at=at("2026-03-05 11:00"))

    assert jobs.job_markers_purge(now=at("2026-04-25 08:00"), days=30) == 3
    assert set(JobMarker.objects.values_list("dossier_id", flat=True)) == {still_open.pk, withdrawn_lately.pk}
    assert jobs.job_markers_purge(now=at("2026-04-25 08:00"), days=30) == 0


def test_the_closing_day_itself_is_kept_for_the_whole_period(receive, people):
    returned = in_processing(receive, people, "2026-03-03 10:00")
    mark(returned)
    Dossier.objects.filter(pk=returned.pk).update(status=Status.RETURNED, returned_at=at("2026-03-20 09:00"))

    assert jobs.job_markers_purge(now=at("2026-04-19 09:00"), days=30) == 0  # exactly 30 days: kept
    assert jobs.job_markers_purge(now=at("2026-04-19 09:01"), days=30) == 1
