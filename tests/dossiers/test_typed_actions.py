"""The engine's contract: every action's input is declared, checked before anything changes, and the table — not
a handler — decides the target; the selector of available actions agrees with the engine."""

import datetime as dt
import inspect
from decimal import Decimal

import pytest

from dossiers import services, workflow
from dossiers.errors import DossierRefused
from dossiers.permissions import dossier_abilities, dossier_actions_available
from dossiers.workflow import Status
from tests.dossiers.conftest import advance, at
from tests.dossiers.transition_cases import CASES, ITEMS, WHEN, _actor, materialise, snapshot

pytestmark = pytest.mark.django_db


def _call(dossier, action, who, params, people):
    return services.dossier_transition(
        dossier=dossier,
        action=action,
        actor=_actor(people, who),
        now=at(WHEN.get(action, "2026-03-03 09:00")),
        **materialise(params, people),
    )


@pytest.mark.parametrize("action", sorted(CASES))
def test_an_unknown_or_misspelled_parameter_is_refused_by_name_and_nothing_changes(
    action, prepared, people, mailoutbox
):
    setup, who, params, _expected, _refused = CASES[action]
    dossier = prepared(setup)
    before = snapshot(dossier)

    with pytest.raises(DossierRefused, match="không có thông tin “agncy”") as caught:
        _call(dossier, action, who, {**materialise(params, people), "agncy": 7}, people)

    assert (caught.value.code, caught.value.field) == ("unknown_field", "agncy")
    assert snapshot(dossier) == before
    assert mailoutbox == []


REQUIRED = [
    (action, field.name)
    for action, transition in sorted(workflow.TRANSITIONS.items())
    if action in CASES
    for field in transition.fields
    if field.required
]


@pytest.mark.parametrize(("action", "name"), REQUIRED)
def test_a_missing_required_parameter_is_refused_by_name_and_nothing_changes(action, name, prepared, people):
    setup, who, params, _expected, _refused = CASES[action]
    dossier = prepared(setup)
    before = snapshot(dossier)
    label = str(workflow.TRANSITIONS[action].field(name).label)

    with pytest.raises(DossierRefused) as caught:
        _call(dossier, action, who, {k: v for k, v in materialise(params, people).items() if k != name}, people)

    assert caught.value.field == name
    assert label in caught.value.message or (name == "note" and "lý do" in caught.value.message)
    assert snapshot(dossier) == before


def test_every_action_with_a_reason_declares_it_and_withdrawal_does_not_need_one():
    reasons = {key for key, t in workflow.TRANSITIONS.items() if t.needs_reason}
    assert reasons == {
        "request_supplement_intake",
        "request_supplement",
        "refuse",
        "stop",
        "apologise",
        "recall",
        "request_supplement_counter",
        "refuse_counter",
    }
    withdraw = workflow.TRANSITIONS["withdraw"]
    assert [f.name for f in withdraw.fields if f.required] == ["request_date", "request_channel"]
    assert all(str(f.label) for t in workflow.TRANSITIONS.values() for f in t.fields)


@pytest.mark.parametrize(
    ("setup", "action", "who", "params", "field"),
    [
        ("in_processing", "issue_result", "head", {"number": 15}, "number"),
        ("in_processing", "interconnect", "officer", {"partner": "Công an xã", "back": "yes"}, "back"),
        ("in_processing", "await_obligation", "officer", {"amount": -1}, "amount"),
        ("in_processing", "await_obligation", "officer", {"amount": True}, "amount"),
        (
            "in_processing",
            "apologise",
            "head",
            {"note": "Chậm", "new_due_at": dt.datetime(2026, 3, 20, 10)},  # noqa: DTZ001 - naive on purpose
            "new_due_at",
        ),
        ("in_processing", "request_supplement", "officer", {"note": "Thiếu", "items": "Bản sao"}, "items"),
        ("received", "forward", "desk", {"agency": 999_999}, "agency"),
        ("received", "refuse", "desk", {"note": "x" * 4001}, "note"),
        ("received", "withdraw", "citizen", {"request_date": "hôm qua", "request_channel": "counter"}, "request_date"),
    ],
)
def test_a_wrong_type_is_refused_by_name_and_nothing_changes(setup, action, who, params, field, prepared, people):
    dossier = prepared(setup)
    before = snapshot(dossier)

    with pytest.raises(DossierRefused) as caught:
        _call(dossier, action, who, params, people)

    assert caught.value.field == field
    assert snapshot(dossier) == before


@pytest.mark.parametrize(
    ("action", "function"),
    [
        ("receive_counter", services.dossier_receive_counter),
        ("request_supplement_counter", services.dossier_request_supplement_counter),
        ("refuse_counter", services.dossier_refuse_counter),
    ],
)
def test_each_counter_creation_takes_exactly_its_declared_input(action, function):
    declared = {f.name for f in workflow.TRANSITIONS[action].fields}
    signature = set(inspect.signature(function).parameters) - {"actor", "now"}
    assert signature == declared
    assert action in workflow.CREATIONS
    required = {name for name, p in inspect.signature(function).parameters.items() if p.default is inspect._empty}
    assert required - {"actor"} == {f.name for f in workflow.TRANSITIONS[action].fields if f.required}


def test_creation_rows_cannot_go_through_dossier_transition(prepared, people):
    dossier = prepared("submitted")
    for action in workflow.CREATIONS:
        with pytest.raises(DossierRefused) as caught:
            services.dossier_transition(dossier=dossier, action=action, actor=people["desk"])
        assert caught.value.code == "unknown_action"


def test_interconnection_sub_state_follows_the_declared_condition(prepared, people):
    dossier = advance(prepared("in_processing"), ("interconnect", "officer", {"partner": "Công an xã"}), people=people)
    assert (dossier.status, dossier.substate) == (Status.IN_PROCESSING, "interconnected")
    dossier = advance(dossier, ("interconnect", "officer", {"partner": "Công an xã", "back": True}), people=people)
    assert (dossier.status, dossier.substate) == (Status.IN_PROCESSING, "")


@pytest.mark.parametrize(
    ("setup", "target"), [("intake_supplement", Status.RECEIVED), ("appraisal_supplement", Status.IN_PROCESSING)]
)
def test_accepting_a_supplement_goes_where_the_table_says_for_its_stage(setup, target, prepared, people):
    dossier = advance(prepared(setup), ("accept_supplement", "desk", {}), people=people)
    assert dossier.status == target
    assert dossier.events.latest("id").to_status == target


# --- The selector of available actions ---------------------------------------------------------------------


@pytest.mark.parametrize("action", sorted(CASES))
def test_the_allowed_actor_is_offered_the_action_and_outsiders_are_offered_nothing(action, prepared, people):
    setup, who, _params, _expected, refused = CASES[action]
    dossier = prepared(setup)
    if who is not None:
        offered = dossier_actions_available(_actor(people, who), dossier, now=at(WHEN.get(action, "2026-03-03 09:00")))
        assert action in [t.key for t in offered]
        assert all(isinstance(f, workflow.Field) for t in offered for f in t.fields)
    for outsider in refused:
        assert dossier_abilities(_actor(people, outsider), dossier)[action] is False


def test_desk_sees_the_actions_of_a_received_dossier_in_table_order(prepared, people):
    offered = dossier_actions_available(people["desk"], prepared("received"), now=at("2026-03-03 09:00"))
    assert [t.key for t in offered] == ["refuse", "forward", "withdraw"]
    forward = offered[1]
    assert [(f.name, f.kind) for f in forward.fields] == [
        ("note", "text"),
        ("agency", "agency"),
        ("handler", "user"),
        ("message", "text"),
    ]


def test_a_second_supplement_request_is_not_offered(prepared, people):
    dossier = advance(
        prepared("intake_supplement"), ("accept_supplement", "desk", {}), ("forward", "desk", {}), people=people
    )
    offered = {t.key for t in dossier_actions_available(people["officer"], dossier, now=at("2026-03-04 09:00"))}
    assert "request_supplement" not in offered
    assert {"step", "await_obligation", "stop"} <= offered


def test_an_apology_is_offered_until_the_due_moment_only(prepared, people):
    dossier = prepared("in_processing")  # received 2/3 08:00, 10 working days → due 16/3 08:00
    before = {t.key for t in dossier_actions_available(people["head"], dossier, now=at("2026-03-16 07:59"))}
    after = {t.key for t in dossier_actions_available(people["head"], dossier, now=at("2026-03-16 08:01"))}
    assert "apologise" in before
    assert "apologise" not in after


# --- The law where the engine used to differ ---------------------------------------------------------------


def test_an_apology_after_the_due_moment_on_the_due_date_is_refused(prepared, people):
    dossier = prepared("in_processing")
    before = snapshot(dossier)
    with pytest.raises(DossierRefused, match="08:00 ngày 16/03/2026"):
        advance(
            dossier,
            ("apologise", "head", {"note": "Chậm", "new_due_at": at("2026-03-20 10:00")}),
            people=people,
            when="2026-03-16 09:00",
        )
    assert snapshot(dossier) == before


def test_an_apology_on_the_due_date_before_the_due_moment_is_accepted_but_late(prepared, people):
    dossier = advance(
        prepared("in_processing"),
        ("apologise", "head", {"note": "Chậm", "new_due_at": at("2026-03-20 10:00")}),
        people=people,
        when="2026-03-16 07:30",
    )
    assert dossier.apology.is_late is True
    assert dossier.rescheduled_due_at == at("2026-03-20 10:00")
    assert dossier.current_due_at == at("2026-03-16 08:00")


@pytest.mark.parametrize(
    ("mode", "accepted", "due"),
    [
        # Restart is a new receipt moment: after the 15:00 cut-off, counting starts at the next opening.
        ("restart", "2026-03-11 16:00", "2026-03-26 07:00"),
        ("restart", "2026-03-11 14:00", "2026-03-25 14:00"),
        # Continue is the same clock: no cut-off; 7 working days were left at the pause (6/3, 9–13/3, 16/3).
        ("continue", "2026-03-11 16:00", "2026-03-20 16:00"),
    ],
)
def test_the_supplement_restart_applies_the_cut_off_and_continue_does_not(
    mode, accepted, due, people, receive, make_version
):
    version = make_version(value=Decimal(10), cutoff=dt.time(15, 0), mode=mode)
    dossier = receive("2026-03-02 10:00", version=version)
    dossier = advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-02 11:00")
    dossier = advance(dossier, ("request_supplement", "officer", ITEMS), people=people, when="2026-03-05 09:00")
    dossier = advance(dossier, ("accept_supplement", "desk", {}), people=people, when=accepted)
    assert dossier.current_due_at == at(due)
    assert dossier.original_due_at == at("2026-03-16 10:00")
