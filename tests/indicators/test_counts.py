"""Each computed indicator's counts and score on a small set of engine-made dossiers (docs/indicators.md)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from dossiers.models import DossierDocument, DossierFile, Outcome, ResultSignature
from dossiers.workflow import Status
from feedback.models import DossierRating, Feedback, Satisfaction, Subject
from indicators.counts import counts_for
from indicators.models import IndicatorDefinition
from indicators.selectors import COMPUTED, NO_DATA, NO_DENOMINATOR, report
from natsync.models import SyncState
from payments.models import Payment, PaymentStatus
from stats.services import figures_refresh
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, advance, at
from tests.dossiers.transition_cases import ITEMS

pytestmark = pytest.mark.django_db

START, END, TODAY = dt.date(2026, 3, 1), dt.date(2026, 3, 31), dt.date(2026, 4, 15)
FORWARD = ("forward", "desk", {})
RESULT = ("issue_result", "head", {"number": "15/QĐ"})
WITHDRAW = (
    "withdraw",
    "citizen",
    {"note": "Không còn nhu cầu", "request_channel": "online", "request_date": dt.date(2026, 3, 3)},
)


@pytest.fixture
def built(agencies, people, receive, submitted, make_version):
    """Seven dossiers around March 2026 (see each line), plus catalogue, sync, payment, feedback and rating rows."""
    v_fee = make_version(fee=16000, online="full")
    v_none = make_version(online="none")
    v_part = make_version(online="partial")
    commune, other = agencies[COMMUNE], agencies[OTHER_COMMUNE]
    d = {}
    # d1: received 02/03, result 05/03 (early), digitised, synced, fee paid online, signed e-result, rated.
    d["d1"] = advance(receive("2026-03-02 10:00", version=v_fee), FORWARD, RESULT, people=people, when="2026-03-05 09:00")
    # d2: received 02/03, still in processing: due 16/03, late at the end of March; a reused component; fee unpaid.
    d["d2"] = advance(receive("2026-03-02 10:00", version=v_fee), FORWARD, people=people, when="2026-03-02 11:00")
    # d3: received 25/03, in processing, due in April: on time at the period's end; synced.
    d["d3"] = advance(receive("2026-03-25 10:00", version=v_none), FORWARD, people=people, when="2026-03-25 11:00")
    # d4: received 02/03, withdrawn 03/03: on time.
    d["d4"] = advance(receive("2026-03-02 10:00", version=v_none), WITHDRAW, people=people, when="2026-03-03 09:00")
    # d5: online, submitted 02/03, received 03/03, supplement requested during appraisal: waiting, never late.
    d["d5"] = advance(
        submitted("2026-03-02 08:00", version=v_part),
        ("receive", "desk", {}),
        FORWARD,
        ("request_supplement", "officer", ITEMS),
        people=people,
        when="2026-03-03 09:00",
    )
    # d6: received 26/02 (carried over), resolved 16/03 after its due date: late.
    d["d6"] = advance(receive("2026-02-26 10:00", version=v_none), FORWARD, people=people, when="2026-02-26 11:00")
    d["d6"] = advance(d["d6"], RESULT, people=people, when="2026-03-16 09:00")
    # d7: the other commune's, received 10/03 (another agency's row).
    d["d7"] = advance(receive("2026-03-10 10:00", version=v_none), people=people, when="2026-03-10 10:00")
    d["d7"].__class__.objects.filter(pk=d["d7"].pk).update(receiving_agency=other, processing_agency=other)
    for key in d:
        d[key].refresh_from_db()
    assert d["d1"].outcome == Outcome.EARLY and d["d6"].outcome == Outcome.LATE
    assert d["d4"].status == Status.WITHDRAWN and d["d5"].status == Status.SUPPLEMENT_REQUESTED

    DossierDocument.objects.filter(dossier=d["d1"]).update(digitisation=1)
    DossierDocument.objects.filter(dossier=d["d2"]).update(digitisation=2)
    for key in ("d1", "d3"):
        SyncState.objects.create(dossier=d[key], last_key="k", last_kind="create", synced_at=at("2026-03-25 12:00"))
    d["d1"].__class__.objects.filter(pk__in=[d["d1"].pk, d["d2"].pk]).update(fee_mode="before")
    Payment.objects.create(
        dossier=d["d1"], amount=16000, state=PaymentStatus.PAID, provider="fake", transaction_ref="dvc1",
        created_at=at("2026-03-02 10:05"), updated_at=at("2026-03-02 10:06"),
    )
    Payment.objects.create(
        dossier=d["d2"], amount=16000, state=PaymentStatus.FAILED, provider="fake", transaction_ref="dvc2",
        created_at=at("2026-03-02 10:05"), updated_at=at("2026-03-02 10:06"),
    )
    result = DossierFile.objects.create(
        dossier=d["d1"], kind=DossierFile.Kind.RESULT, file="r.pdf", original_name="r.pdf",
        content_type="application/pdf", size=10, sha256="0" * 64,
    )
    ResultSignature.objects.create(
        file=result, signer="UBND", intact=True, covers_whole=True, trusted=True, verified_at=at("2026-03-05 09:00")
    )
    citizen = people["citizen"]
    common = {"user": citizen, "subject": Subject.AGENCY, "agency": commune, "title": "T", "content": "C"}
    Feedback.objects.create(
        **common, received_at=at("2026-03-05 09:00"), answer_due_at=at("2026-03-19 17:00"),
        answered_at=at("2026-03-10 09:00"), answer="Đã xử lý", on_time=True,
    )
    Feedback.objects.create(**common, received_at=at("2026-03-06 09:00"), answer_due_at=at("2026-03-20 17:00"))
    DossierRating.objects.create(
        dossier=d["d1"], user=citizen, agency=commune, submitted_at=at("2026-03-06 10:00"),
        **{f"index_{n}": 2 for n in range(1, 10)}, ease=Satisfaction.VERY, overall=Satisfaction.SATISFIED,
    )
    figures_refresh(now=at("2026-04-15 09:00"))
    return {"commune": commune, "other": other, **d}


def test_counts_of_an_agency_and_of_the_scope(built, agencies):
    scope = [built["commune"].pk, built["other"].pk]
    with time_machine.travel(at("2026-04-15 09:00"), tick=False):
        counts = counts_for(agency_ids=scope, start=START, end=END, today=TODAY)
    c = counts.by_agency[built["commune"].pk]
    assert (c["received"], c["online"]) == (5, 1)
    assert (c["resolved_on_time"], c["resolved_late"], c["resolved"]) == (2, 1, 3)  # d1 early + d4 withdrawn; d6
    assert (c["in_progress"], c["in_progress_late"]) == (3, 1)  # d2 late, d3 in time, d5 waiting
    assert (c["handled"], c["handled_on_time"]) == (6, 4)
    assert (c["synced"], c["digitised"], c["reused"]) == (2, 2, 1)
    assert (c["decided"], c["e_result"]) == (2, 1)  # d1 and d6; the withdrawal has no result
    assert (c["with_obligation"], c["paid_online"]) == (2, 1)
    assert (c["services"], c["services_online"], c["fee_services"]) == (3, 2, 1)
    assert c["services_online_used"] == 1
    assert (c["fee_services_used"], c["fee_services_paid_online"]) == (1, 1)
    assert (c["feedback"], c["feedback_on_time"]) == (2, 1)  # the open one is late at 31/03
    assert (c["ratings"], c["ratings_satisfied"]) == (1, 1)
    other = counts.by_agency[built["other"].pk]
    assert (other["received"], other["in_progress"], other["services"]) == (1, 1, 0)
    assert counts.scope["received"] == 6
    assert counts.scope["services"] == 3  # distinct procedures across the scope


def test_the_scores_of_the_computed_indicators(built):
    counts = counts_for(agency_ids=[built["commune"].pk], start=START, end=END, today=TODAY)
    definitions = IndicatorDefinition.objects.in_force(on=END)
    rep = report(definitions, counts.by_agency[built["commune"].pk])
    scores = {s.definition.code: s for g in rep.groups for s in g.scores}
    expected = {
        "1.4": Decimal("2.4"),  # 6 × 2/5
        "2.1": Decimal("13.33"),  # 20 × 4/6
        "3.1": Decimal("1.67"),  # min(2, 2 × 2/3 ÷ 0.8)
        "3.2": Decimal("2"),  # 4 × 1/2
        "3.3": Decimal("2.4"),  # min(6, 6 × 1/5 ÷ 0.5)
        "3.5": Decimal("2"),  # min(2, 2.5 × 1/1)
        "3.5b": Decimal("2"),
        "3.6": Decimal("3"),  # 6 × 1/2
        "4.1": Decimal("3"),  # 6 × 1/2
        "4.2": Decimal("1.6"),  # 4 × 2/5
        "4.3": Decimal("0.5"),  # min(2, 2 × 1/5 ÷ 0.8)
        "5.2": Decimal("3"),  # 6 × 1/2
        "5.4": Decimal("6"),  # min(6, 6 × 1/1 ÷ 0.9)
    }
    assert {code: s.points for code, s in scores.items() if s.status == COMPUTED} == expected
    no_data = {code for code, s in scores.items() if s.status == NO_DATA}
    assert no_data == {"1.1", "1.2", "1.3", "4.2b", "4.4", "4.5a", "4.5b", "5.3"}
    assert rep.max == 100
    assert rep.computed_max == 72
    assert rep.points == sum(expected.values())
    assert scores["1.1"].values[0]["value"] is None and scores["1.1"].values[0]["reason"]


def test_an_idle_agency_is_not_scored_on_nothing(built, agencies):
    """No dossier: ratios without a denominator are not computed; "6 if none" gives 6; "0 if no ratings" gives 0."""
    idle = agencies["000.00.06.H56"]
    counts = counts_for(agency_ids=[idle.pk], start=START, end=END, today=TODAY)
    rep = report(IndicatorDefinition.objects.in_force(on=END), counts.by_agency[idle.pk])
    scores = {s.definition.code: s for g in rep.groups for s in g.scores}
    assert scores["2.1"].status == NO_DENOMINATOR and scores["1.4"].status == NO_DENOMINATOR
    assert (scores["5.2"].status, scores["5.2"].points) == (COMPUTED, Decimal(6))
    assert (scores["5.4"].status, scores["5.4"].points) == (COMPUTED, Decimal(0))
    assert (rep.points, rep.computed_max) == (Decimal(6), Decimal(12))
