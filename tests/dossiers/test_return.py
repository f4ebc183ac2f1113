"""Returning the result (T16) and what comes first: "thu sau" fees collected at the counter (T16a), the result
handed to the postal operator (T16b), and the owner's download of an online result (docs/domain.md §4.1 T16)."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dossiers import services
from dossiers.errors import DossierRefused
from dossiers.files import dossier_file_add
from dossiers.models import (
    DocumentForm,
    DossierEvent,
    DossierFile,
    FeeMode,
    PaymentState,
    ResultHandover,
    ReturnMethod,
)
from dossiers.workflow import Status
from tests.dossiers.conftest import advance, at
from tests.dossiers.files_fixtures import pdf_bytes
from tests.dossiers.transition_cases import FEE_PAID, HANDOVER, POSTED, snapshot

pytestmark = pytest.mark.django_db

NOW = "2026-03-03 09:00"


def act(dossier, action, who, people, when=NOW, **params):
    return services.dossier_transition(
        dossier=dossier, action=action, actor=people[who] if who else None, now=at(when), **params
    )


def events(dossier, action):
    return list(DossierEvent.objects.filter(dossier=dossier, action=action))


def refused(dossier, action, who, people, **params) -> DossierRefused:
    before = snapshot(dossier)
    with pytest.raises(DossierRefused) as caught:
        act(dossier, action, who, people, **params)
    assert snapshot(dossier) == before
    return caught.value


# --- "Thu sau": the fee first ----------------------------------------------------------------------------------


def test_thu_sau_fees_are_collected_before_the_result_is_returned(prepared, people):
    dossier = prepared("result_ready_fee_after")
    assert (dossier.fee_mode, dossier.payment_state) == (FeeMode.AFTER, PaymentState.PENDING)

    assert refused(dossier, "return_result", "desk", people, **HANDOVER).code == "fees_due"
    assert refused(dossier, "post_result", "desk", people, **POSTED).code == "fees_due"
    wrong = refused(dossier, "collect_fee", "desk", people, **{**FEE_PAID, "amount": 15000})
    assert (wrong.code, wrong.field) == ("amount_mismatch", "amount")
    assert "16.000 đồng" in wrong.message

    act(dossier, "collect_fee", "desk", people, **FEE_PAID)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.payment_state) == (Status.RESULT_READY, PaymentState.PAID)
    [paid] = events(dossier, "collect_fee")
    assert paid.data == {"amount": 16000, "payment_method": "cash", "receipt_number": "0001234", "fee_mode": "after"}
    assert (paid.from_status, paid.to_status) == (Status.RESULT_READY, Status.RESULT_READY)
    # Collected once: a second submit of the same form is refused on the locked row.
    assert refused(dossier, "collect_fee", "desk", people, **FEE_PAID).code == "no_fee_due"

    act(dossier, "return_result", "desk", people, **HANDOVER)
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert len(events(dossier, "return_result")) == 1


def test_a_fee_is_not_collected_when_nothing_is_due(prepared, people):
    dossier = prepared("result_ready")
    assert dossier.payment_state == PaymentState.NOT_REQUIRED
    assert refused(dossier, "collect_fee", "desk", people, **{**FEE_PAID, "amount": 0}).code == "no_fee_due"


# --- At the counter ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("tick", [None, False])
def test_the_id_check_is_required_at_the_counter(prepared, people, tick):
    dossier = prepared("result_ready")
    params = {k: v for k, v in HANDOVER.items() if k != "id_checked"}
    if tick is not None:
        params["id_checked"] = tick
    refusal = refused(dossier, "return_result", "desk", people, **params)
    assert (refusal.code, refusal.field) == ("id_not_checked", "id_checked")
    assert "giấy tờ tùy thân" in refusal.message


@pytest.mark.parametrize("missing", ["receiver_kind", "receiver", "receiver_id_number"])
def test_the_receiver_and_their_id_number_are_required_at_the_counter(prepared, people, missing):
    dossier = prepared("result_ready")
    refusal = refused(dossier, "return_result", "desk", people, **{k: v for k, v in HANDOVER.items() if k != missing})
    assert (refusal.code, refusal.field) == ("required", missing)


def test_a_counter_return_keeps_the_receiver_the_id_and_the_originals(prepared, people):
    dossier = prepared("result_ready")
    original = dossier.documents.get(form=DocumentForm.ORIGINAL)
    copy = dossier.documents.exclude(form=DocumentForm.ORIGINAL).first()
    assert copy is not None
    # Only the dossier's own originals can be given back.
    assert refused(dossier, "return_result", "desk", people, **HANDOVER, originals_returned=[copy.pk]).field == (
        "originals_returned"
    )

    act(
        dossier,
        "return_result",
        "desk",
        people,
        when="2026-03-05 14:05",
        **{**HANDOVER, "receiver_kind": "authorised", "receiver": "Lê Văn Hùng", "receiver_id_number": "038090004321"},
        originals_returned=[str(original.pk)],
        note="Trả kèm bản chính tờ khai",
    )

    dossier.refresh_from_db()
    assert (dossier.status, dossier.substate, dossier.returned_at) == (Status.RETURNED, "", at("2026-03-05 14:05"))
    handover = ResultHandover.objects.get(dossier=dossier)
    assert (handover.method, handover.receiver_kind, handover.receiver) == ("counter", "authorised", "Lê Văn Hùng")
    assert (handover.receiver_id_number, handover.id_checked) == ("038090004321", True)
    assert handover.originals_returned == [{"id": original.pk, "name": original.name, "count": original.count}]
    assert handover.handed_over_by == people["desk"]
    [event] = events(dossier, "return_result")
    # The log keeps the facts with the ID number masked (docs/domain.md §11).
    assert event.data["receiver_id_number"] == "0380••••4321"
    assert "038090004321" not in str(event.data)
    assert event.data["method"] == "counter"
    assert event.data["outcome"] == dossier.outcome
    assert event.note == "Trả kèm bản chính tờ khai"


def test_facts_of_another_method_are_refused_by_name(prepared, people):
    dossier = prepared("result_ready")
    refusal = refused(dossier, "return_result", "desk", people, **HANDOVER, tracking_number="EE1VN")
    assert (refusal.code, refusal.field) == ("not_applicable", "tracking_number")


def test_the_desk_cannot_claim_an_online_download_and_the_system_cannot_hand_over_at_the_counter(prepared, people):
    dossier = prepared("result_ready")
    assert refused(dossier, "return_result", "desk", people, method="online").code == "wrong_method"
    assert refused(dossier, "return_result", None, people, method="counter", **HANDOVER).code == "wrong_method"


@pytest.mark.parametrize(
    ("setup", "action", "params"),
    [
        ("in_processing", "return_result", HANDOVER),
        ("returned", "return_result", HANDOVER),
        ("in_processing", "post_result", POSTED),
        ("returned", "post_result", POSTED),
    ],
)
def test_a_result_is_returned_or_posted_only_when_it_is_ready(prepared, people, setup, action, params):
    dossier = prepared(setup)
    assert refused(dossier, action, "desk", people, **params).code == "wrong_status"


# --- By post ----------------------------------------------------------------------------------------------------


def test_posted_then_delivered_one_event_each(prepared, people):
    dossier = prepared("result_ready")
    # Not posted yet: the delivery cannot be recorded.
    assert refused(dossier, "return_result", "desk", people, method="post", delivered_on=dt.date(2026, 3, 3)).code == (
        "not_posted"
    )

    act(dossier, "post_result", "desk", people, when="2026-03-03 10:00", **POSTED)
    dossier.refresh_from_db()
    assert (dossier.status, dossier.substate) == (Status.RESULT_READY, "posting")
    [posted] = events(dossier, "post_result")
    assert posted.data == {**POSTED, "originals_returned": []}
    assert refused(dossier, "post_result", "desk", people, **POSTED).code == "already_posted"
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 6)):  # before it was posted, after today
        assert refused(dossier, "return_result", "desk", people, method="post", delivered_on=day).field == (
            "delivered_on"
        )

    act(
        dossier,
        "return_result",
        "desk",
        people,
        when="2026-03-05 16:00",
        method="post",
        delivered_on="2026-03-05",
        receiver="Hoàng Thị Mai",
    )

    dossier.refresh_from_db()
    assert (dossier.status, dossier.substate) == (Status.RETURNED, "")
    handover = ResultHandover.objects.get(dossier=dossier)
    assert (handover.method, handover.postal_operator, handover.tracking_number) == (
        "post",
        "Bưu điện Việt Nam",
        "EE123456789VN",
    )
    assert (handover.delivered_on, handover.posted_at) == (dt.date(2026, 3, 5), at("2026-03-03 10:00"))
    assert len(events(dossier, "post_result")) == 1
    [returned] = events(dossier, "return_result")
    assert returned.data["tracking_number"] == "EE123456789VN"
    assert returned.data["delivered_on"] == "2026-03-05"


# --- Online: the owner's download --------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def online_result(people, submitted, media):
    """An online dossier of the citizen with its result issued, to be returned online, and the result file."""
    dossier = submitted("2026-03-02 08:00")
    assert dossier.return_method == ReturnMethod.ONLINE
    dossier = advance(
        dossier,
        ("receive", "desk", {}),
        ("forward", "desk", {}),
        ("issue_result", "head", {"number": "15/QĐ"}),
        people=people,
        when="2026-03-02 09:00",
    )
    upload = SimpleUploadedFile("Giấy chứng nhận kết hôn.pdf", pdf_bytes())
    result = dossier_file_add(dossier=dossier, upload=upload, actor=people["head"], kind=DossierFile.Kind.RESULT)
    return dossier, result


def download(client, user, dossier, file):
    client.force_login(user)
    with time_machine.travel(at("2026-03-03 09:30"), tick=False):
        response = client.get(reverse("dossiers:file-download", args=[dossier.code, file.pk]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_the_owner_s_download_returns_an_online_result_once(client, people, online_result):
    dossier, result = online_result

    response, body = download(client, people["citizen"], dossier, result)

    assert (response.status_code, body) == (200, pdf_bytes())
    dossier.refresh_from_db()
    assert (dossier.status, dossier.returned_at) == (Status.RETURNED, at("2026-03-03 09:30"))
    [event] = events(dossier, "return_result")
    assert (event.actor, event.actor_role) == (None, "system")
    assert event.data["method"] == "online"
    assert event.data["file"] == result.pk
    handover = ResultHandover.objects.get(dossier=dossier)
    assert (handover.method, handover.file, handover.receiver) == ("online", result, "Hoàng Thị Mai")

    # A second download changes nothing.
    before = snapshot(dossier)
    response, body = download(client, people["citizen"], dossier, result)
    assert (response.status_code, body) == (200, pdf_bytes())
    assert snapshot(dossier) == before


def test_a_download_by_anyone_but_the_owner_does_not_return_the_result(client, people, online_result):
    dossier, result = online_result
    before = snapshot(dossier)

    response, _body = download(client, people["desk"], dossier, result)
    assert response.status_code == 200
    response, _body = download(client, people["other_citizen"], dossier, result)
    assert response.status_code == 404

    assert snapshot(dossier) == before
    assert Status.RESULT_READY == dossier.status


def test_the_owner_s_download_of_another_file_or_another_method_changes_nothing(client, people, online_result):
    dossier, result = online_result
    scan = dossier_file_add(
        dossier=dossier, upload=SimpleUploadedFile("Tờ khai.pdf", pdf_bytes()), actor=people["citizen"]
    )
    before = snapshot(dossier)
    download(client, people["citizen"], dossier, scan)
    assert snapshot(dossier) == before

    type(dossier).objects.filter(pk=dossier.pk).update(return_method=ReturnMethod.COUNTER)
    before = snapshot(dossier)
    download(client, people["citizen"], dossier, result)
    assert snapshot(dossier) == before


def test_the_download_returns_nothing_and_sends_nothing_while_thu_sau_fees_are_due(client, people, online_result):
    dossier, result = online_result
    type(dossier).objects.filter(pk=dossier.pk).update(fee_mode=FeeMode.AFTER, payment_state=PaymentState.PENDING)
    before = snapshot(dossier)

    response, body = download(client, people["citizen"], dossier, result)

    assert response.status_code == 400
    assert "Chưa thu phí, lệ phí" in body.decode()
    assert pdf_bytes() not in body
    assert snapshot(dossier) == before


def test_a_result_put_in_posting_by_imported_data_can_still_be_delivered(prepared, people):
    # The demo seeder (and data from another system) may set the sub-state without a posting event.
    dossier = prepared("result_ready")
    type(dossier).objects.filter(pk=dossier.pk).update(substate="posting")
    dossier.refresh_from_db()
    future = refused(dossier, "return_result", "desk", people, method="post", delivered_on=dt.date(2026, 3, 4))
    assert (future.field, future.message) == ("delivered_on", "Ngày phát thành công không được sau ngày hôm nay.")

    act(dossier, "return_result", "desk", people, method="post", delivered_on="2026-03-02", tracking_number="EE9VN")

    dossier.refresh_from_db()
    assert (dossier.status, dossier.substate) == (Status.RETURNED, "")
    handover = ResultHandover.objects.get(dossier=dossier)
    assert (handover.tracking_number, handover.posted_at, handover.delivered_on) == ("EE9VN", None, dt.date(2026, 3, 2))
