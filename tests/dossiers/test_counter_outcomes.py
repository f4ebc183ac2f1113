"""The counter's other two creations (T4 and T5 at the counter) and the desk's checklist as an input of a decision."""

import pytest

from dossiers import services
from dossiers.errors import DossierForbidden, DossierRefused
from dossiers.models import Channel, Dossier, DossierEvent, SupplementRequest
from dossiers.workflow import Status
from outbox.models import OutboxMessage
from tests.dossiers.conftest import at
from tests.dossiers.transition_cases import snapshot

pytestmark = pytest.mark.django_db

ITEMS = [{"document": "Giấy tờ tùy thân", "content": "Bản sao"}]


@pytest.fixture
def counter(people, applicant_for, make_version):
    def make(function, when="2026-03-02 10:00", actor="desk", **kwargs):
        return function(
            actor=people[actor],
            procedure_version=make_version(fee=50000),
            applicant=applicant_for(people["citizen"]),
            channel=Channel.COUNTER,
            now=at(when),
            **kwargs,
        )

    return make


def test_a_supplement_at_the_counter_waits_for_the_applicant_without_a_clock(counter, people):
    dossier = counter(services.dossier_request_supplement_counter, note="Thiếu giấy tờ", items=ITEMS)
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert dossier.clock_state == "not_started"
    assert dossier.owner == people["citizen"]
    assert dossier.fee_lines.get().amount == 50000
    request = SupplementRequest.objects.get(dossier=dossier)
    assert (request.stage, request.reason, request.items) == ("intake", "Thiếu giấy tờ", ITEMS)
    assert request.applicant_deadline == at("2026-03-23 10:00")  # 15 working days
    event = DossierEvent.objects.get(dossier=dossier)
    assert event.data["document_number"] == "1/HDHS"
    assert event.data["items"] == ITEMS
    assert OutboxMessage.objects.filter(dossier_id=dossier.pk).count() == 1


def test_a_counter_supplement_not_answered_in_time_ends_refused(counter):
    dossier = counter(services.dossier_request_supplement_counter, note="Thiếu giấy tờ", items=ITEMS)
    dossier = services.dossier_transition(
        dossier=dossier, action="expire_supplement", actor=None, now=at("2026-03-24 08:00")
    )
    assert dossier.status == Status.REFUSED


def test_a_refusal_at_the_counter_collects_nothing_and_starts_no_clock(counter):
    dossier = counter(services.dossier_refuse_counter, note="Không thuộc thẩm quyền", legal_basis="Điều 9")
    assert dossier.status == Status.REFUSED
    assert (dossier.clock_state, dossier.payment_state, dossier.fee_mode) == ("stopped", "not_required", "none")
    assert not dossier.fee_lines.exists()
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.note, event.data["legal_basis"], event.data["document_number"]) == (
        "Không thuộc thẩm quyền",
        "Điều 9",
        "1/TCHS",
    )


@pytest.mark.parametrize(
    ("function", "params", "field"),
    [
        (services.dossier_request_supplement_counter, {"note": " ", "items": ITEMS}, "note"),
        (services.dossier_request_supplement_counter, {"note": "Thiếu", "items": []}, "items"),
        (services.dossier_request_supplement_counter, {"note": "Thiếu", "items": "Bản sao"}, "items"),
        (services.dossier_refuse_counter, {"note": ""}, "note"),
        (services.dossier_refuse_counter, {"note": "x", "legal_basis": "y" * 1001}, "legal_basis"),
    ],
)
def test_the_decision_s_input_is_checked_as_declared_before_anything_is_written(counter, function, params, field):
    with pytest.raises(DossierRefused) as caught:
        counter(function, **params)
    assert caught.value.field == field
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("who", ["officer", "head", "citizen"])
def test_only_the_desk_records_a_counter_dossier(counter, who):
    with pytest.raises(DossierForbidden):
        counter(services.dossier_refuse_counter, actor=who, note="x")
    assert not Dossier.objects.exists()


def test_the_same_client_key_returns_the_first_dossier(counter):
    first = counter(services.dossier_refuse_counter, note="x", client_key="k" * 32)
    again = counter(services.dossier_refuse_counter, note="x", client_key="k" * 32)
    assert again.pk == first.pk
    assert Dossier.objects.count() == 1


# --- The checklist with the decision ---------------------------------------------------------------------------


def test_the_ticks_are_stored_with_the_decision_and_named_in_its_event(prepared, people):
    dossier = prepared("submitted")
    first, second = dossier.documents.order_by("pk")
    dossier = services.dossier_transition(
        dossier=dossier, action="receive", actor=people["desk"], checked_documents=[str(second.pk)]
    )
    assert [d.checked for d in dossier.documents.order_by("pk")] == [False, True]
    assert dossier.events.latest("id").data["checked_documents"] == [second.pk]


def test_an_empty_checklist_unticks_everything_and_no_checklist_leaves_the_ticks(prepared, people):
    dossier = prepared("submitted")
    dossier.documents.update(checked=True)
    services.dossier_transition(dossier=dossier, action="refuse", actor=people["desk"], note="x", checked_documents=[])
    assert not dossier.documents.filter(checked=True).exists()
    other = prepared("received")
    other.documents.update(checked=True)
    services.dossier_transition(dossier=other, action="refuse", actor=people["desk"], note="x")
    assert not other.documents.filter(checked=False).exists()


@pytest.mark.parametrize("value", [["abc"], [0], 5, [True]])
def test_a_malformed_checklist_is_refused_by_name(prepared, people, value):
    dossier = prepared("submitted")
    before = snapshot(dossier)
    with pytest.raises(DossierRefused) as caught:
        services.dossier_transition(dossier=dossier, action="receive", actor=people["desk"], checked_documents=value)
    assert (caught.value.field, caught.value.code) == ("checked_documents", "invalid")
    assert snapshot(dossier) == before


def test_another_dossier_s_document_is_refused_and_nothing_changes(prepared, people):
    dossier, other = prepared("submitted"), prepared("submitted")
    before = snapshot(dossier)
    with pytest.raises(DossierRefused) as caught:
        services.dossier_transition(
            dossier=dossier, action="receive", actor=people["desk"], checked_documents=[other.documents.first().pk]
        )
    assert caught.value.field == "checked_documents"
    assert snapshot(dossier) == before
    assert not dossier.documents.filter(checked=True).exists()
