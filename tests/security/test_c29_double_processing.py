"""Check 29 — double processing.

The check: two staff accept or approve the same step of the same dossier at the same moment; exactly one of them
succeeds, the other is told the dossier was already processed — by whom — and the history holds one entry.

How the tests show it: two threads on PostgreSQL, each on its own connection and each as a different member of
staff, send the same action with the `revision` their page showed (`expected_revision`), released together by a
barrier. The engine locks the dossier row and compares the revision, so the second gets `DossierChanged` whose
message names the first and the moment ("Hồ sơ … vừa được <tên> thay đổi lúc …"). Exactly one event of that action
is written, the revision moves by one, and the effect (a supplement request, the result's document number) exists
once. It is shown for accepting an online dossier at intake (T3 `receive`), for an officer's supplement request
during appraisal (T9) and for issuing the result (T15 `issue_result`, the approval).
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from accounts.roles import Role
from dossiers import services
from dossiers.models import DossierEvent, DossierFile, SupplementRequest
from dossiers.workflow import Status
from tests.dossiers import conftest as engine
from tests.dossiers.conftest import COMMUNE, _staff, advance, at

# The dossier engine's fixtures, made visible to pytest in this module.
agencies = engine.agencies
applicant_for = engine.applicant_for
make_version = engine.make_version
people = engine.people
receive = engine.receive
submitted = engine.submitted


pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs with DATABASE_URL)"
    ),
    pytest.mark.django_db(transaction=True),
]
WHEN = "2026-03-03 09:00"


def at_once(dossier, action, actors, **params) -> list[str]:
    """Both actors send `action` with the revision they were shown, released together; "ok" or the refusal."""
    shown = dossier.revision
    start = threading.Barrier(len(actors))

    def act(actor):
        start.wait(timeout=10)
        try:
            services.dossier_transition(
                dossier=dossier.pk, action=action, actor=actor, expected_revision=shown, now=at(WHEN), **params
            )
            return "ok"
        except services.DossierChanged as error:
            return error.messages[0]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(actors)) as pool:
        return list(pool.map(act, actors))


def assert_one_won(results, dossier, action, actors, shown):
    assert results.count("ok") == 1, results
    winner = actors[results.index("ok")]
    name = winner.get_full_name() or winner.get_username()
    assert [r for r in results if r != "ok"] == [
        f"Hồ sơ {dossier.code} vừa được {name} thay đổi lúc 09:00 03/03/2026; vui lòng tải lại trang và kiểm tra."
    ]
    assert DossierEvent.objects.filter(dossier=dossier, action=action).count() == 1
    dossier.refresh_from_db()
    assert dossier.revision == shown + 1
    return dossier


def test_two_desk_staff_accepting_the_same_online_dossier_receive_it_once(people, agencies, submitted):
    dossier = submitted("2026-03-02 10:00")
    actors = [people["desk"], _staff("desk_b", Role.DESK, agencies[COMMUNE])]
    shown = dossier.revision
    results = at_once(dossier, "receive", actors)
    dossier = assert_one_won(results, dossier, "receive", actors, shown)
    assert dossier.status == Status.RECEIVED


def test_two_officers_acting_at_once_make_one_step(people, agencies, receive):
    dossier = advance(receive("2026-03-02 08:00"), ("forward", "desk", {}), people=people)
    actors = [people["officer"], _staff("officer_b", Role.OFFICER, agencies[COMMUNE])]
    shown = dossier.revision
    results = at_once(dossier, "request_supplement", actors, note="Thiếu giấy tờ", items=["Bản sao"])
    dossier = assert_one_won(results, dossier, "request_supplement", actors, shown)
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert SupplementRequest.objects.filter(dossier=dossier).count() == 1


def test_two_heads_approving_the_same_result_issue_it_once(people, agencies, receive):
    dossier = advance(receive("2026-03-02 08:00"), ("forward", "desk", {}), people=people)
    actors = [people["head"], _staff("head_b", Role.HEAD, agencies[COMMUNE])]
    shown = dossier.revision
    results = at_once(dossier, "issue_result", actors, number="15/QĐ")
    dossier = assert_one_won(results, dossier, "issue_result", actors, shown)
    assert dossier.status == Status.RESULT_READY
    assert dossier.result_number == "15/QĐ"
    assert DossierFile.objects.filter(dossier=dossier, kind=DossierFile.Kind.RESULT).count() == 1
