"""The leaders' figures on ratings and feedback (issue 10): one grouped query each, figures per agency and period."""

import datetime as dt

import pytest

from feedback.models import DossierRating
from feedback.selectors import feedback_by_agency, ratings_by_agency
from feedback.services import feedback_answer
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, at
from tests.feedback.helpers import sample_feedback

pytestmark = pytest.mark.django_db

MARCH = {"start": dt.date(2026, 3, 1), "end": dt.date(2026, 3, 31)}


def rating(dossier, agency, when, points, overall, ease="satisfied"):
    """A rating row as the service writes it (the figures do not care how the points were found)."""
    return DossierRating.objects.create(
        dossier=dossier,
        user=dossier.owner,
        agency=agency,
        submitted_at=at(when),
        ease=ease,
        overall=overall,
        **{f"index_{n}": value for n, value in enumerate(points, start=1)},
    )


@pytest.fixture
def ratings(receive, agencies):
    """Commune: two ratings in March (totals 18 and 9) and one in April; the other commune: one in March."""
    commune, other = agencies[COMMUNE], agencies[OTHER_COMMUNE]
    rating(receive(), commune, "2026-03-02 08:00", [2] * 9, "very_satisfied", ease="very_satisfied")
    rating(receive(), commune, "2026-03-31 23:30", [1] * 9, "not_satisfied")
    rating(receive(), commune, "2026-04-01 00:10", [0] * 9, "not_satisfied")
    rating(receive(), other, "2026-03-15 10:00", [2, 2, 2, 2, 2, 2, 2, 2, 0], "satisfied")
    return commune, other


def test_ratings_per_agency_in_a_period(ratings, django_assert_num_queries):
    commune, other = ratings
    with django_assert_num_queries(1):
        rows = ratings_by_agency(**MARCH)
    by_agency = {row["agency_id"]: row for row in rows}
    assert set(by_agency) == {commune.pk, other.pk}
    mine = by_agency[commune.pk]
    assert mine["count"] == 2  # 31/03 23:30 local counts in March, 01/04 00:10 does not
    assert mine["avg_total"] == pytest.approx(13.5)
    assert mine["avg_index_1"] == pytest.approx(1.5)
    assert mine["overall_very_satisfied"] == pytest.approx(0.5)
    assert mine["overall_not_satisfied"] == pytest.approx(0.5)
    assert mine["overall_satisfied"] == pytest.approx(0.0)
    assert mine["ease_very_satisfied"] == pytest.approx(0.5)
    assert mine["satisfied_share"] == pytest.approx(0.5)
    assert by_agency[other.pk]["avg_index_9"] == pytest.approx(0.0)
    assert by_agency[other.pk]["satisfied_share"] == pytest.approx(1.0)


def test_ratings_limited_to_agencies(ratings):
    commune, _other = ratings
    rows = ratings_by_agency(**MARCH, agency_ids=[commune.pk])
    assert [row["agency_id"] for row in rows] == [commune.pk]
    assert ratings_by_agency(start=dt.date(2026, 5, 1), end=dt.date(2026, 5, 31)) == []


def test_feedback_per_agency_in_a_period(people, agencies, django_assert_num_queries):
    """Four to the commune in March (each due 10 working days later): one answered on time, one answered late, one
    open and late by 31/03, one open and not yet due; one in April, not counted."""
    commune = agencies[COMMUNE]

    def received(when, title):
        return sample_feedback(user=people["citizen"], agency=commune, now=at(when), title=title)

    on_time = received("2026-03-02 09:00", "a")  # due 16/03
    late = received("2026-03-02 10:00", "b")  # due 16/03
    received("2026-03-03 09:00", "c")  # due 17/03: open and late at the end of March
    received("2026-03-30 09:00", "d")  # due 13/04: open, not late
    received("2026-04-01 09:00", "e")
    sample_feedback(user=people["citizen"], agency=agencies[OTHER_COMMUNE], now=at("2026-03-05 09:00"), title="f")
    feedback_answer(feedback_id=on_time.pk, actor=people["head"], answer="Đã xử lý.", now=at("2026-03-16 16:00"))
    feedback_answer(feedback_id=late.pk, actor=people["head"], answer="Đã xử lý.", now=at("2026-03-17 08:00"))

    with django_assert_num_queries(1):
        rows = feedback_by_agency(**MARCH, agency_ids=[commune.pk])
    (row,) = rows
    assert row["agency_id"] == commune.pk
    assert (row["received"], row["answered"], row["answered_on_time"], row["open_late"]) == (4, 2, 1, 1)
    assert row["on_time_share"] == pytest.approx(0.5)  # answered on time + open within its deadline

    # Judged on 16/03 instead, the third is not yet late: 3 of 4 on time.
    (early,) = feedback_by_agency(**MARCH, agency_ids=[commune.pk], today=dt.date(2026, 3, 16))
    assert early["open_late"] == 0
    assert early["on_time_share"] == pytest.approx(0.75)
