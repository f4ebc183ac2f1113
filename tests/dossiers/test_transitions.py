"""Every transition T1–T18: allowed for its role, refused for everyone else with nothing changed."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model

from dossiers import services, workflow
from dossiers.models import (
    Apology,
    CodeCounter,
    Dossier,
    DossierEvent,
    DossierPause,
    DossierStep,
    DueAdjustment,
    SupplementRequest,
)
from dossiers.workflow import Status
from tests.dossiers.conftest import advance, at

pytestmark = pytest.mark.django_db

ITEMS = {"note": "Thiếu bản sao giấy tờ tùy thân", "items": [{"document": "Giấy tờ tùy thân", "content": "Bản sao"}]}
REASON = {"note": "Không thuộc thẩm quyền giải quyết của Ủy ban nhân dân cấp xã"}

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
    "returned": (
        "received",
        [("forward", "desk", {}), ("issue_result", "head", {"number": "15/QĐ"}), ("return_result", "desk", {})],
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
        {"note": "Tôi không có nhu cầu nữa", "request_channel": "online"},
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
    "return_result": (
        "result_ready",
        "desk",
        {"receiver": "Hoàng Thị Mai"},
        Status.RETURNED,
        ["anonymous", "other_citizen", "other_desk"],
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


def test_every_transition_is_covered_here_and_has_a_handler():
    assert set(CASES) == set(workflow.TRANSITIONS) - {"receive_counter"}
    assert {t.number for t in workflow.TRANSITIONS.values()} >= {f"T{n}" for n in range(1, 19) if n != 12}


def test_every_status_has_its_national_sync_code():
    assert {s: workflow.SYNC_CODES[s][0] for s in Status} == {
        "draft": None,
        "submitted": 1,
        "received": 2,
        "refused": 3,
        "in_processing": 4,
        "supplement_requested": 5,
        "awaiting_financial_obligation": 6,
        "withdrawn": 7,
        "stopped": 8,
        "result_ready": 9,
        "returned": 10,
    }


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
        dossier = submitted("2026-03-02 08:00") if start == "submitted" else receive("2026-03-02 08:00")
        return advance(dossier, *chain, people=people, when="2026-03-02 09:00")

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
        for model in (DossierEvent, DossierStep, DossierPause, DueAdjustment, SupplementRequest, Apology)
    }
    counters = list(CodeCounter.objects.order_by("pk").values_list("last", flat=True))
    return {"row": row, "counts": counts, "counters": counters}


@pytest.mark.parametrize("action", sorted(CASES))
def test_allowed_role_performs_the_transition_and_it_is_logged(
    action, prepared, people, mailoutbox, django_capture_on_commit_callbacks
):
    setup, who, params, expected, _refused = CASES[action]
    dossier = prepared(setup)
    before = dossier.status
    events = DossierEvent.objects.filter(dossier=dossier).count()

    with django_capture_on_commit_callbacks(execute=True):
        done = services.dossier_transition(
            dossier=dossier,
            action=action,
            actor=_actor(people, who),
            now=at(WHEN.get(action, "2026-03-03 09:00")),
            **params,
        )

    done.refresh_from_db()
    assert done.status == expected
    assert done.revision == dossier.revision + 1
    event = DossierEvent.objects.filter(dossier=dossier).latest("id")
    assert DossierEvent.objects.filter(dossier=dossier).count() == events + 1
    assert (event.action, event.from_status, event.to_status) == (action, before, expected)
    assert event.actor == _actor(people, who)
    assert event.actor_role == (people[who].staff_role or "citizen" if who else "system")
    assert event.note == params.get("note", "")
    if event.visible_to_citizen:
        assert len(mailoutbox) == 1
        assert done.code in mailoutbox[0].subject


@pytest.mark.parametrize(
    ("action", "who"), [(action, who) for action, case in sorted(CASES.items()) for who in case[4]]
)
def test_everyone_else_is_refused_and_nothing_changes(action, who, prepared, people, mailoutbox):
    setup, _allowed, params, _expected, _refused = CASES[action]
    dossier = prepared(setup)
    before = snapshot(dossier)

    with pytest.raises(services.DossierError, match="không có quyền"):
        services.dossier_transition(
            dossier=dossier,
            action=action,
            actor=_actor(people, who),
            now=at(WHEN.get(action, "2026-03-03 09:00")),
            **params,
        )

    assert snapshot(dossier) == before
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("setup", "action", "who", "params", "message"),
    [
        ("appraisal_supplement", "request_supplement", "officer", ITEMS, "trạng thái"),
        ("result_ready", "withdraw", "citizen", {"note": "Rút"}, "đã có quyết định hoặc kết quả.*Điều 21"),
        ("returned", "withdraw", "citizen", {"note": "Rút"}, "đã có quyết định hoặc kết quả.*Điều 21"),
        ("received", "refuse", "desk", {"note": "  "}, "lý do"),
        ("in_processing", "stop", "head", {}, "lý do"),
        ("in_processing", "request_supplement", "officer", {"note": "Thiếu", "items": []}, "liệt kê"),
        ("in_processing", "issue_result", "head", {"number": ""}, "số, ký hiệu"),
        ("intake_supplement", "expire_supplement", None, {}, "Chưa hết hạn"),
        ("submitted", "forward", "desk", {}, "trạng thái"),
    ],
)
def test_rule_refusals_have_clear_messages_and_change_nothing(setup, action, who, params, message, prepared, people):
    dossier = prepared(setup)
    before = snapshot(dossier)

    with pytest.raises(services.DossierError, match=message):
        services.dossier_transition(
            dossier=dossier, action=action, actor=_actor(people, who), now=at("2026-03-03 09:00"), **params
        )

    assert snapshot(dossier) == before


def test_a_second_supplement_request_is_refused_citing_the_decree(prepared, people):
    # Intake request, accepted, then the officer tries again during appraisal.
    dossier = prepared("intake_supplement")
    dossier = advance(dossier, ("accept_supplement", "desk", {}), ("forward", "desk", {}), people=people)
    before = snapshot(dossier)

    with pytest.raises(services.DossierError, match="một lần.*Nghị định 118/2025"):
        advance(dossier, ("request_supplement", "officer", ITEMS), people=people)

    assert snapshot(dossier) == before


def test_apology_after_the_due_date_and_a_second_apology_are_refused(prepared, people):
    dossier = prepared("in_processing")  # received 2/3 08:00, 10 working days → 16/3
    late = snapshot(dossier)
    with pytest.raises(services.DossierError, match="Đã quá ngày hẹn trả 16/03/2026"):
        advance(
            dossier,
            ("apologise", "head", {"note": "Chậm", "new_due_at": at("2026-03-20 10:00")}),
            people=people,
            when="2026-03-17 09:00",
        )
    assert snapshot(dossier) == late

    dossier = advance(
        dossier,
        ("apologise", "head", {"note": "Chậm", "new_due_at": at("2026-03-20 10:00")}),
        people=people,
        when="2026-03-12 09:00",
    )
    again = snapshot(dossier)
    with pytest.raises(services.DossierError, match="một lần"):
        advance(
            dossier,
            ("apologise", "head", {"note": "Lại chậm", "new_due_at": at("2026-03-25 10:00")}),
            people=people,
            when="2026-03-13 09:00",
        )
    assert snapshot(dossier) == again


@pytest.mark.parametrize("new_due", ["2026-03-16 15:00", "2026-03-21 10:00"])
def test_the_new_appointment_must_be_a_working_day_after_the_due_date(prepared, people, new_due):
    dossier = prepared("in_processing")
    with pytest.raises(services.DossierError, match="ngày làm việc sau ngày hẹn trả"):
        advance(dossier, ("apologise", "head", {"note": "Chậm", "new_due_at": at(new_due)}), people=people)


def test_stale_page_gets_already_changed(prepared, people):
    dossier = prepared("received")
    shown = dossier.revision
    advance(dossier, ("forward", "desk", {}), people=people)
    with pytest.raises(services.DossierChanged, match="vừa được thay đổi"):
        services.dossier_transition(
            dossier=dossier, action="refuse", actor=people["desk"], note="Sai thẩm quyền", expected_revision=shown
        )


def test_event_log_is_append_only(prepared):
    event = DossierEvent.objects.filter(dossier=prepared("received")).first()
    event.note = "sửa lịch sử"
    with pytest.raises(Exception, match="chỉ được ghi thêm"):
        event.save()
    with pytest.raises(Exception, match="không được xóa"):
        event.delete()
    assert isinstance(event, Model)


def test_withdrawal_records_the_refund_and_counts_on_time(prepared, people):
    dossier = advance(
        prepared("in_processing"),
        (
            "withdraw",
            "desk",
            {
                "note": "Công dân nộp đơn rút hồ sơ",
                "request_channel": "counter",
                "fee_refunded": True,
                "refund_amount": 50000,
            },
        ),
        people=people,
    )
    assert dossier.outcome == "on_time"
    event = dossier.events.latest("id")
    assert event.data == {
        "request_channel": "counter",
        "fee_refunded": True,
        "refund_amount": 50000,
        "refund_reason": "",
        "document_number": "1/TB-DGQ",  # the stop notice's number (dossiers/numbering.py)
    }


def test_nothing_is_sent_when_the_transaction_rolls_back(
    prepared, people, mailoutbox, django_capture_on_commit_callbacks
):
    dossier = prepared("received")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(services.DossierError):
            services.dossier_transition(dossier=dossier, action="refuse", actor=people["desk"], note="")
    assert callbacks == []
    assert mailoutbox == []


@pytest.mark.parametrize("who", ["anonymous", "citizen", "officer", "head"])
def test_only_the_desk_receives_at_the_counter(who, people, make_version, applicant_for):
    version, applicant = make_version(), applicant_for(people["citizen"])
    with pytest.raises(services.DossierError, match="Chỉ cán bộ Bộ phận Một cửa"):
        services.dossier_receive_counter(actor=_actor(people, who), procedure_version=version, applicant=applicant)
    assert not Dossier.objects.exists()
    assert not CodeCounter.objects.exists()


def test_online_dossiers_are_not_received_as_counter_dossiers(people, make_version, applicant_for):
    with pytest.raises(services.DossierError, match="hàng chờ hồ sơ nộp trực tuyến"):
        services.dossier_receive_counter(
            actor=people["desk"], procedure_version=make_version(), applicant=applicant_for(), channel=2
        )
    assert not Dossier.objects.exists()
