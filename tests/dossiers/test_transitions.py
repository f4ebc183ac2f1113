"""Every transition T1–T18: allowed for its role, refused for everyone else with nothing changed."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from dossiers import services, workflow
from dossiers.errors import DossierForbidden as Forbidden
from dossiers.errors import DossierNotFound as NotFound
from dossiers.models import (
    CodeCounter,
    Dossier,
    DossierEvent,
)
from dossiers.workflow import Status
from tests.dossiers.conftest import advance, at
from tests.dossiers.transition_cases import CASES, ITEMS, WHEN, WITHDRAWAL, _actor, materialise, snapshot

pytestmark = pytest.mark.django_db


def test_every_transition_is_covered_here_and_has_a_handler():
    assert set(CASES) == set(workflow.TRANSITIONS) - workflow.CREATIONS
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
            **materialise(params, people),
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

    # Outside the actor's scope the dossier does not exist for them (404); inside it, a wrong role is 403.
    outsider = who.startswith("other_") or (who == "desk" and setup == "draft")
    expected, message = (NotFound, "Không tìm thấy hồ sơ") if outsider else (Forbidden, "không có quyền")
    with pytest.raises(expected, match=message):
        services.dossier_transition(
            dossier=dossier,
            action=action,
            actor=_actor(people, who),
            now=at(WHEN.get(action, "2026-03-03 09:00")),
            **materialise(params, people),
        )

    assert snapshot(dossier) == before
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("setup", "action", "who", "params", "message"),
    [
        ("appraisal_supplement", "request_supplement", "officer", ITEMS, "trạng thái"),
        ("result_ready", "withdraw", "citizen", WITHDRAWAL, "đã có quyết định hoặc kết quả.*Điều 21"),
        ("returned", "withdraw", "citizen", WITHDRAWAL, "đã có quyết định hoặc kết quả.*Điều 21"),
        ("received", "withdraw", "citizen", {"request_channel": "online"}, "Ngày nhận đề nghị rút hồ sơ"),
        ("received", "withdraw", "citizen", {**WITHDRAWAL, "request_channel": "fax"}, "Hình thức đề nghị"),
        ("received", "withdraw", "citizen", {**WITHDRAWAL, "request_date": dt.date(2026, 3, 4)}, "sau ngày hôm nay"),
        ("received", "refuse", "desk", {"note": "  "}, "lý do"),
        ("in_processing", "stop", "head", {}, "lý do"),
        ("in_processing", "request_supplement", "officer", {"note": "Thiếu", "items": []}, "Các nội dung cần bổ sung"),
        ("in_processing", "issue_result", "head", {"number": ""}, "Số, ký hiệu"),
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
    with pytest.raises(services.DossierError, match="Đã quá thời hạn trả kết quả .08:00 ngày 16/03/2026"):
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


def test_stale_page_gets_already_changed_saying_by_whom_and_when(prepared, people):
    dossier = prepared("received")
    shown = dossier.revision
    advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-03 09:05")
    desk = people["desk"].get_full_name() or people["desk"].get_username()
    with pytest.raises(services.DossierChanged, match=f"vừa được {desk} thay đổi lúc 09:05 03/03/2026") as caught:
        services.dossier_transition(
            dossier=dossier, action="refuse", actor=people["desk"], note="Sai thẩm quyền", expected_revision=shown
        )
    assert caught.value.status_code == 409
    assert caught.value.as_dict()["changed_by"] == desk


def test_event_log_is_append_only(prepared):
    event = DossierEvent.objects.filter(dossier=prepared("received")).first()
    event.note = "sửa lịch sử"
    with pytest.raises(ValidationError, match="chỉ được ghi thêm"):
        event.save()
    with pytest.raises(ValidationError, match="không được xóa"):
        event.delete()
    assert DossierEvent.objects.get(pk=event.pk).note == ""


def test_withdrawal_records_the_refund_and_counts_on_time(prepared, people):
    dossier = advance(
        prepared("in_processing"),
        (
            "withdraw",
            "desk",
            {
                "request_date": dt.date(2026, 3, 3),
                "request_channel": "counter",
                "fee_refunded": True,
                "refund_amount": 50000,
            },
        ),
        people=people,
    )
    assert dossier.outcome == "on_time"
    event = dossier.events.latest("id")
    assert event.note == ""  # the law asks for the request, not a motive
    assert event.data == {
        "request_date": "2026-03-03",
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
        with pytest.raises(services.DossierError, match="lý do"):
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


def test_a_head_assigns_the_current_step_and_the_event_keeps_who_had_it(prepared, people):
    dossier = prepared("in_processing")
    step = dossier.current_step
    dossier = advance(dossier, ("assign", "head", {"handler": people["officer"]}), people=people)
    step.refresh_from_db()
    assert (step.handler, dossier.current_handler) == (people["officer"], people["officer"])
    assert dossier.current_step == step  # the same step: an assignment is not a new control-sheet row
    assert dossier.events.latest("id").data == {
        "step": step.name,
        "handler": people["officer"].pk,
        "previous_handler": None,
    }


@pytest.mark.parametrize(
    ("who", "handler", "field_message"),
    [
        ("officer", "head", "chỉ được nhận xử lý hồ sơ cho chính mình"),
        ("head", "other_officer", "phải thuộc cơ quan đang xử lý"),
    ],
)
def test_an_officer_only_takes_for_themself_and_nobody_assigns_outside_the_agency(
    prepared, people, who, handler, field_message
):
    dossier = prepared("in_processing")
    before = snapshot(dossier)
    with pytest.raises(services.DossierError, match=field_message) as caught:
        advance(dossier, ("assign", who, {"handler": people[handler]}), people=people)
    assert caught.value.field == "handler"
    assert snapshot(dossier) == before


@pytest.mark.parametrize(
    ("stage", "action", "who", "params", "field_message"),
    [
        ("received", "forward", "desk", {}, "Cán bộ thụ lý phải thuộc cơ quan giải quyết hồ sơ."),
        ("received", "forward", "desk", {"agency": "other"}, "Cán bộ thụ lý phải thuộc cơ quan giải quyết hồ sơ."),
        ("in_processing", "step", "officer", {}, "Cán bộ xử lý phải thuộc cơ quan, đơn vị của bước xử lý."),
    ],
)
def test_a_step_goes_to_a_handler_of_the_agency_it_goes_to(prepared, people, stage, action, who, params, field_message):
    dossier = prepared(stage)
    before = snapshot(dossier)
    # The other commune's officer, for a step at our commune; our officer, for a step sent to the other commune.
    if params.get("agency") == "other":
        params = {"agency": people["other_officer"].staff_profile.agency, "handler": people["officer"]}
    else:
        params = {"handler": people["other_officer"]}
    with pytest.raises(services.DossierError, match=field_message) as caught:
        advance(dossier, (action, who, params), people=people)
    assert caught.value.field == "handler"
    assert snapshot(dossier) == before


def test_a_dossier_forwarded_to_another_agency_goes_to_one_of_its_staff(prepared, people):
    other = people["other_officer"]
    dossier = advance(
        prepared("received"),
        ("forward", "desk", {"agency": other.staff_profile.agency, "handler": other}),
        people=people,
    )
    assert (dossier.processing_agency, dossier.current_handler) == (other.staff_profile.agency, other)
    assert dossier.current_step.agency == other.staff_profile.agency


def test_an_officer_takes_the_step_for_themself(prepared, people):
    dossier = advance(prepared("in_processing"), ("assign", "officer", {"handler": people["officer"]}), people=people)
    assert dossier.current_handler == people["officer"]
