"""Forms and API serializers are derived from the transition table: what the table requires, they require."""

import datetime as dt

import pytest

from dossiers import services, workflow
from dossiers.api.actions import action_serializer_class
from dossiers.forms import action_form_class
from dossiers.workflow import Status
from tests.dossiers.conftest import at

ACTIONS = sorted(set(workflow.TRANSITIONS) - workflow.CREATIONS)


@pytest.mark.parametrize("action", ACTIONS)
def test_each_action_has_a_form_and_a_serializer_with_exactly_its_declared_fields(action):
    transition = workflow.TRANSITIONS[action]
    declared = [f.name for f in transition.fields]
    form = action_form_class(transition)()
    serializer = action_serializer_class(transition)()
    # The same fields; on the form the note comes last.
    assert [name for name in form.fields if name != "expected_revision"] == sorted(declared, key="note".__eq__)
    assert [name for name in serializer.fields if name != "expected_revision"] == declared
    for field in transition.fields:
        assert form.fields[field.name].required == (field.required and field.kind != workflow.Kind.BOOL)
        assert str(form.fields[field.name].label) == str(field.label)
        assert serializer.fields[field.name].required == field.required


def test_the_withdrawal_form_asks_for_the_request_not_a_reason():
    form = action_form_class(workflow.TRANSITIONS["withdraw"])(data={"note": "", "request_channel": "counter"})
    assert not form.is_valid()
    assert set(form.errors) == {"request_date"}


@pytest.mark.django_db
def test_a_posted_form_drives_the_engine(prepared, people):
    dossier = prepared("received")
    form = action_form_class(workflow.TRANSITIONS["withdraw"])(
        data={"request_date": "03/03/2026", "request_channel": "counter", "expected_revision": dossier.revision}
    )
    assert form.is_valid(), form.errors

    done = services.dossier_transition(
        dossier=dossier,
        action="withdraw",
        actor=people["desk"],
        expected_revision=form.cleaned_data["expected_revision"],
        now=at("2026-03-03 10:00"),
        **form.action_input(),
    )

    assert done.status == Status.WITHDRAWN
    assert done.events.latest("id").data["request_date"] == dt.date(2026, 3, 3).isoformat()


@pytest.mark.django_db
def test_the_supplement_form_turns_lines_into_items(prepared, people):
    form = action_form_class(workflow.TRANSITIONS["request_supplement"])(
        data={"note": "Thiếu giấy tờ", "items": "Giấy tờ tùy thân: bản sao có chứng thực\n\nTờ khai: ký tên"}
    )
    assert form.is_valid(), form.errors
    assert form.action_input()["items"] == [
        {"document": "Giấy tờ tùy thân", "content": "bản sao có chứng thực"},
        {"document": "Tờ khai", "content": "ký tên"},
    ]
    done = services.dossier_transition(
        dossier=prepared("in_processing"),
        action="request_supplement",
        actor=people["officer"],
        now=at("2026-03-03 10:00"),
        **form.action_input(),
    )
    assert done.supplement_request.items == form.action_input()["items"]


def test_the_serializer_refuses_what_the_table_refuses():
    serializer = action_serializer_class(workflow.TRANSITIONS["refuse"])(data={"legal_basis": "Điều 11"})
    assert not serializer.is_valid()
    assert set(serializer.errors) == {"note"}


def test_the_result_file_is_an_optional_pdf_upload_on_the_form_and_the_serializer():
    transition = workflow.TRANSITIONS["issue_result"]
    form = action_form_class(transition)()
    assert form.is_multipart()
    assert form.fields["result_file"].widget.attrs["accept"] == ".pdf,application/pdf"
    assert not form.fields["result_file"].required
    serializer = action_serializer_class(transition)()
    assert type(serializer.fields["result_file"]).__name__ == "FileField"
    assert not serializer.fields["result_file"].required


def test_a_posted_file_reaches_the_action_input():
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("kq.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
    form = action_form_class(workflow.TRANSITIONS["issue_result"])(
        data={"number": "25/QĐ-UBND"}, files={"result_file": upload}
    )
    assert form.is_valid(), form.errors
    assert form.action_input() == {"number": "25/QĐ-UBND", "result_file": upload}
