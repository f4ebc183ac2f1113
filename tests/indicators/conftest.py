"""The engine's fixtures, and `built`: a small set of engine-made dossiers around March 2026 with the rows each
computed indicator counts (docs/indicators.md)."""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps as django_apps

from dossiers.models import DossierDocument, DossierFile, Outcome, ResultSignature
from dossiers.workflow import Status
from feedback.models import DossierRating, Feedback, Satisfaction, Subject
from indicators.models import IndicatorDefinition
from indicators.services import counts_rebuild
from natsync.models import SyncState
from payments.models import Payment, PaymentStatus
from stats.services import figures_refresh
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    COMMUNE,
    OTHER_COMMUNE,
    advance,
    agencies,
    applicant_for,
    at,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
from tests.dossiers.transition_cases import ITEMS

FORWARD = ("forward", "desk", {})
RESULT = ("issue_result", "head", {"number": "15/QĐ"})
WITHDRAW = (
    "withdraw",
    "citizen",
    {"note": "Không còn nhu cầu", "request_channel": "online", "request_date": dt.date(2026, 3, 3)},
)


@pytest.fixture
def built(agencies, people, receive, submitted, make_version):  # noqa: F811 - the fixtures imported above
    """Seven dossiers around March 2026 (see each line), plus catalogue, sync, payment, feedback and rating rows."""
    # The definitions come from a data migration; a browser test (transaction=True) that ran before may have
    # flushed them, so they are loaded again when missing.
    if not IndicatorDefinition.objects.exists():
        import_module("indicators.migrations.0002_decision_766_definitions").load(django_apps, None)
    v_fee = make_version(fee=16000, online="full")
    v_none = make_version(online="none")
    v_part = make_version(online="partial")
    commune, other = agencies[COMMUNE], agencies[OTHER_COMMUNE]
    d = {}
    # d1: received 02/03, result 05/03 (early), digitised, synced, fee paid online, signed e-result, rated.
    d["d1"] = advance(
        receive("2026-03-02 10:00", version=v_fee), FORWARD, RESULT, people=people, when="2026-03-05 09:00"
    )
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
    assert d["d1"].outcome == Outcome.EARLY
    assert d["d6"].outcome == Outcome.LATE
    assert d["d4"].status == Status.WITHDRAWN
    assert d["d5"].status == Status.SUPPLEMENT_REQUESTED

    DossierDocument.objects.filter(dossier=d["d1"]).update(digitisation=1)
    DossierDocument.objects.filter(dossier=d["d2"]).update(digitisation=2)
    for key in ("d1", "d3"):
        SyncState.objects.create(dossier=d[key], last_key="k", last_kind="create", synced_at=at("2026-03-25 12:00"))
    d["d1"].__class__.objects.filter(pk__in=[d["d1"].pk, d["d2"].pk]).update(fee_mode="before")
    Payment.objects.create(
        dossier=d["d1"],
        amount=16000,
        state=PaymentStatus.PAID,
        provider="fake",
        transaction_ref="dvc1",
        created_at=at("2026-03-02 10:05"),
        updated_at=at("2026-03-02 10:06"),
    )
    Payment.objects.create(
        dossier=d["d2"],
        amount=16000,
        state=PaymentStatus.FAILED,
        provider="fake",
        transaction_ref="dvc2",
        created_at=at("2026-03-02 10:05"),
        updated_at=at("2026-03-02 10:06"),
    )
    result = DossierFile.objects.create(
        dossier=d["d1"],
        kind=DossierFile.Kind.RESULT,
        file="r.pdf",
        original_name="r.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    ResultSignature.objects.create(
        file=result, signer="UBND", intact=True, covers_whole=True, trusted=True, verified_at=at("2026-03-05 09:00")
    )
    citizen = people["citizen"]
    common = {"user": citizen, "subject": Subject.AGENCY, "agency": commune, "title": "T", "content": "C"}
    Feedback.objects.create(
        **common,
        received_at=at("2026-03-05 09:00"),
        answer_due_at=at("2026-03-19 17:00"),
        answered_at=at("2026-03-10 09:00"),
        answer="Đã xử lý",
        on_time=True,
    )
    Feedback.objects.create(**common, received_at=at("2026-03-06 09:00"), answer_due_at=at("2026-03-20 17:00"))
    DossierRating.objects.create(
        dossier=d["d1"],
        user=citizen,
        agency=commune,
        submitted_at=at("2026-03-06 10:00"),
        **{f"index_{n}": 2 for n in range(1, 10)},
        ease=Satisfaction.VERY,
        overall=Satisfaction.SATISFIED,
    )
    figures_refresh(now=at("2026-04-15 09:00"))
    counts_rebuild(now=at("2026-04-15 09:00"))
    return {"commune": commune, "other": other, **d}
