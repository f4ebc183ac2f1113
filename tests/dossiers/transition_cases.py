"""The transition cases shared by the engine's tests: where a dossier must be before each action, who may take
it, with which input, and what a refused action must leave unchanged."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser

from dossiers import services
from dossiers.models import (
    Apology,
    CodeCounter,
    DocumentCounter,
    DocumentNumber,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierPause,
    DossierStep,
    DueAdjustment,
    FeeMode,
    RegisterCounter,
    RegisterEntry,
    ResultHandover,
    ResultSignature,
    SupplementRequest,
)
from dossiers.workflow import Status
from outbox.models import OutboxMessage, OutboxState
from tests.dossiers.conftest import advance, at


class Person(str):
    """A parameter naming one of the `people` fixture's users, resolved when the action is called."""


def materialise(params: dict, people: dict) -> dict:
    return {k: people[v] if isinstance(v, Person) else v for k, v in params.items()}


ITEMS = {"note": "Thiếu bản sao giấy tờ tùy thân", "items": [{"document": "Giấy tờ tùy thân", "content": "Bản sao"}]}
REASON = {"note": "Không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã"}
WITHDRAWAL = {"request_date": dt.date(2026, 3, 3), "request_channel": "counter"}
# T16 at the counter: who received the result, the ID number the desk checked, and the tick (docs/domain.md §4.1).
HANDOVER = {
    "receiver_kind": "owner",
    "receiver": "Hoàng Thị Mai",
    "receiver_id_number": "038190001234",
    "id_checked": True,
}
FEE_PAID = {"amount": 16000, "payment_method": "cash", "receipt_number": "0001234"}
POSTED = {"postal_operator": "Bưu điện Việt Nam", "tracking_number": "EE123456789VN"}

# Where a dossier must be before each action: a chain of (action, actor, params) from a received or submitted one.
SETUPS = {
    "draft": ("draft", []),
    "submitted": ("submitted", []),
    "received": ("received", []),
    "in_processing": ("received", [("forward", "desk", {})]),
    "intake_supplement": ("submitted", [("request_supplement_intake", "desk", ITEMS)]),
    "appraisal_supplement": ("received", [("forward", "desk", {}), ("request_supplement", "officer", ITEMS)]),
    "awaiting": ("received", [("forward", "desk", {}), ("await_obligation", "officer", {})]),
    "result_ready": ("received", [("forward", "desk", {}), ("issue_result", "head", {"number": "15/QĐ"})]),
    # "Thu sau": a 16.000 đồng fee, to be collected before the result is returned.
    "result_ready_fee_after": (
        "received_fee_after",
        [("forward", "desk", {}), ("issue_result", "head", {"number": "15/QĐ"})],
    ),
    "returned": (
        "received",
        [("forward", "desk", {}), ("issue_result", "head", {"number": "15/QĐ"}), ("return_result", "desk", HANDOVER)],
    ),
}

# action → (setup, allowed actor, params, expected status, actors that must be refused)
CASES = {
    "submit": ("draft", "citizen", {}, Status.SUBMITTED, ["anonymous", "other_citizen", "desk"]),
    "receive": ("submitted", "desk", {}, Status.RECEIVED, ["anonymous", "other_citizen", "other_desk", "citizen"]),
    "request_supplement_intake": (
        "submitted",
        "desk",
        ITEMS,
        Status.SUPPLEMENT_REQUESTED,
        ["anonymous", "other_citizen", "other_desk"],
    ),
    "refuse": ("received", "desk", REASON, Status.REFUSED, ["anonymous", "other_citizen", "other_desk", "officer"]),
    "forward": ("received", "desk", {}, Status.IN_PROCESSING, ["anonymous", "other_citizen", "other_desk"]),
    "step": (
        "in_processing",
        "officer",
        {"name": "Thẩm định"},
        Status.IN_PROCESSING,
        ["anonymous", "other_citizen", "other_officer", "citizen"],
    ),
    "assign": (
        "in_processing",
        "head",
        {"handler": Person("officer")},
        Status.IN_PROCESSING,
        ["anonymous", "other_citizen", "other_head", "citizen"],
    ),
    "interconnect": (
        "in_processing",
        "officer",
        {"partner": "Công an xã"},
        Status.IN_PROCESSING,
        ["anonymous", "other_citizen", "other_officer"],
    ),
    "request_supplement": (
        "in_processing",
        "officer",
        ITEMS,
        Status.SUPPLEMENT_REQUESTED,
        ["anonymous", "other_citizen", "other_officer"],
    ),
    "supply_supplement": (
        "intake_supplement",
        "citizen",
        {"note": "Đã bổ sung bản sao giấy tờ tùy thân"},
        Status.SUPPLEMENT_REQUESTED,
        ["anonymous", "other_citizen", "desk"],
    ),
    "accept_supplement": (
        "appraisal_supplement",
        "desk",
        {},
        Status.IN_PROCESSING,
        ["anonymous", "other_citizen", "other_desk"],
    ),
    "expire_supplement": ("intake_supplement", None, {}, Status.REFUSED, ["anonymous", "citizen", "desk"]),
    "await_obligation": (
        "in_processing",
        "officer",
        {},
        Status.AWAITING_FINANCIAL_OBLIGATION,
        ["anonymous", "other_citizen", "other_officer"],
    ),
    "obligation_met": (
        "awaiting",
        "officer",
        {},
        Status.IN_PROCESSING,
        ["anonymous", "other_citizen", "other_officer"],
    ),
    "stop": ("in_processing", "head", REASON, Status.STOPPED, ["anonymous", "other_citizen", "other_head", "citizen"]),
    "withdraw": (
        "received",
        "citizen",
        {"note": "Tôi không có nhu cầu nữa", "request_channel": "online", "request_date": dt.date(2026, 3, 3)},
        Status.WITHDRAWN,
        ["anonymous", "other_citizen", "other_desk"],
    ),
    "issue_result": (
        "in_processing",
        "head",
        {"number": "20/QĐ-UBND"},
        Status.RESULT_READY,
        ["anonymous", "other_citizen", "other_head", "officer"],
    ),
    "collect_fee": (
        "result_ready_fee_after",
        "desk",
        FEE_PAID,
        Status.RESULT_READY,
        ["anonymous", "other_citizen", "other_desk", "officer", "citizen"],
    ),
    "pay_online": (
        "result_ready_fee_after",
        None,
        {"amount": 16000, "provider": "fake", "transaction_ref": "dvc000000001"},
        Status.RESULT_READY,
        ["anonymous", "other_citizen", "desk", "citizen"],
    ),
    "post_result": (
        "result_ready",
        "desk",
        POSTED,
        Status.RESULT_READY,
        ["anonymous", "other_citizen", "other_desk", "officer", "head"],
    ),
    "return_result": (
        "result_ready",
        "desk",
        HANDOVER,
        Status.RETURNED,
        ["anonymous", "other_citizen", "other_desk", "officer", "citizen"],
    ),
    "apologise": (
        "in_processing",
        "head",
        {"note": "Cần xác minh", "new_due_at": at("2026-03-20 10:00")},
        Status.IN_PROCESSING,
        ["anonymous", "other_citizen", "other_head", "officer"],
    ),
    "recall": (
        "returned",
        "admin",
        {"note": "Trả nhầm kết quả"},
        Status.RESULT_READY,
        ["anonymous", "other_citizen", "desk", "head"],
    ),
}
WHEN = {"expire_supplement": "2026-04-20 09:00"}


@pytest.fixture
def prepared(people, receive, submitted, make_version, applicant_for, agencies):
    def make(setup: str) -> Dossier:
        start, chain = SETUPS[setup]
        if start == "draft":
            return services.dossier_draft_create(
                user=people["citizen"],
                procedure_version=make_version(),
                applicant=applicant_for(people["citizen"]),
                agency=agencies["000.00.31.H56"],
            )
        if start == "submitted":
            dossier = submitted("2026-03-02 08:00")
        elif start == "received_fee_after":
            dossier = receive("2026-03-02 08:00", version=make_version(fee=16000), fee_mode=FeeMode.AFTER)
        else:
            dossier = receive("2026-03-02 08:00")
        dossier = advance(dossier, *chain, people=people, when="2026-03-02 09:00")
        # The setup's notifications went out long ago; otherwise they would hold the action's mail back (order).
        OutboxMessage.objects.filter(dossier_id=dossier.pk).update(state=OutboxState.DELIVERED)
        return dossier

    return make


def _actor(people, key):
    if key == "anonymous":
        return AnonymousUser()
    return people[key] if key else None


def snapshot(dossier: Dossier) -> dict:
    """Everything a refused action must leave as it was."""
    row = Dossier.objects.filter(pk=dossier.pk).values().get()
    counts = {
        model.__name__: model.objects.count()
        for model in (
            DossierEvent,
            DossierStep,
            DossierPause,
            DueAdjustment,
            SupplementRequest,
            Apology,
            OutboxMessage,
            RegisterEntry,
            DocumentNumber,
            ResultHandover,
            DossierFile,
            ResultSignature,
        )
    }
    # The code, register and document-number counters: a refused action gives no number away.
    counters = [
        list(model.objects.order_by("pk").values_list("last", flat=True))
        for model in (CodeCounter, RegisterCounter, DocumentCounter)
    ]
    return {"row": row, "counts": counts, "counters": counters}
