"""Online payment through the adapter and the local fake platform (docs/domain.md §10.2)."""

import hashlib
import logging
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse

from dossiers.errors import DossierNotFound, DossierRefused
from dossiers.models import DossierEvent, FeeMode, PaymentState
from dossiers.services import dossier_transition
from dossiers.workflow import Status
from payments import fake, services
from payments.adapters import national
from payments.models import FakeTransaction, Payment, PaymentStatus
from tests.dossiers.conftest import at
from tests.dossiers.transition_cases import HANDOVER

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    """The platform's and the portal's "now" (the callback's time, the engine's event) on a fixed morning."""
    with time_machine.travel(at("2026-03-02 09:05"), tick=False):
        yield


@pytest.fixture
def payable(receive, make_version):
    """A received dossier whose 16.000 đồng fee is pending (thu sau), owned by `citizen`."""
    return receive("2026-03-02 08:00", version=make_version(fee=16000), fee_mode=FeeMode.AFTER)


START = at("2026-03-02 09:00")


def _pay_at_fake(client, payment, decision="pay"):
    """The applicant on the fake platform's page: the page, the choice, then the redirect back to the portal."""
    path = urlsplit(payment.redirect_url).path
    page = client.get(path)
    assert page.status_code == 200
    assert "16.000 đồng" in page.content.decode()
    response = client.post(path, {"decision": decision})
    assert response.status_code == 302
    return urlsplit(response["Location"])


def _state(dossier):
    dossier.refresh_from_db()
    return dossier.payment_state


def _paid_events(dossier):
    return DossierEvent.objects.filter(dossier=dossier, action="pay_online").count()


# --- The integrity code --------------------------------------------------------------------------------------


def test_the_confirm_code_is_sha256_of_the_documented_fields_in_order_with_the_secret_last():
    params = {
        "LoaiBanTin": "CONFIRM",
        "MaLoi": "00",
        "MaDoiTac": "DVC-DEMO",
        "MaThamChieu": "dvc000001",
        "SoTien": "16000",
        "MaTienTe": "VND",
        "MaGiaoDich": "GD1",
        "MaNganHang": "NH",
        "ThoiGianGD": "20260302090000",
        "ThongTinGiaoDich": "THANH TOAN HO SO 000.00.31.H56-260302-0001",
        "Ignored": "not in the order",
    }
    # A known vector: sha256("CONFIRM|00|DVC-DEMO|dvc000001|16000|VND|GD1|NH|20260302090000|THANH TOAN HO SO
    # 000.00.31.H56-260302-0001|s3"), lower-case hex — a change of order, separator or case is caught.
    expected = "c2cd3f3d58dd24c019a6fbeb184060746bf385cb4f2b541aabe8291993a6e3be"
    assert national.integrity_code(params, "confirm", "s3") == expected
    signed = national.signed(params, "confirm", "s3")
    assert national.signature_ok(signed, "confirm", "s3")
    assert not national.signature_ok({**signed, "SoTien": "1600"}, "confirm", "s3")
    assert not national.signature_ok(signed, "confirm", "other-secret")
    assert not national.signature_ok({**signed, "MaXacThuc": ""}, "confirm", "s3")


def test_the_field_order_is_a_setting(settings):
    order = {**national.DEFAULT_FIELD_ORDER, "confirm": ["MaThamChieu", "SoTien"]}
    settings.PAYMENT_NATIONAL_FIELD_ORDER = order
    expected = hashlib.sha256(b"dvc1|16000|k").hexdigest()
    assert national.integrity_code({"MaThamChieu": "dvc1", "SoTien": 16000}, "confirm", "k") == expected


def test_the_national_adapter_needs_a_secret(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.PAYMENT_NATIONAL_SECRET = ""
    with pytest.raises(ImproperlyConfigured):
        national.NationalAdapter()


# --- Start -----------------------------------------------------------------------------------------------------


def test_start_is_idempotent_while_a_payment_is_pending(payable, people):
    first = services.payment_start(payable, people["citizen"], now=START)
    again = services.payment_start(payable, people["citizen"], now=at("2026-03-02 09:05"))
    assert again.pk == first.pk
    assert first.state == PaymentStatus.PENDING
    assert first.amount == 16000
    assert first.provider == "fake"
    assert "/payments/fake/pay/" in first.redirect_url
    assert FakeTransaction.objects.get().transaction_ref == first.transaction_ref
    assert Payment.objects.count() == 1


def test_only_the_owner_starts_and_only_while_a_fee_is_due(payable, people, receive):
    with pytest.raises(DossierNotFound):
        services.payment_start(payable, people["other_citizen"], now=START)
    free = receive("2026-03-02 08:30")
    with pytest.raises(DossierRefused):
        services.payment_start(free, people["citizen"], now=START)
    assert Payment.objects.count() == 0


# --- redirect → notify → paid --------------------------------------------------------------------------------


def test_pay_at_the_fake_notifies_the_portal_and_the_dossier_is_paid_through_the_engine(client, payable, people):
    payment = services.payment_start(payable, people["citizen"], now=START)
    client.force_login(people["citizen"])
    back = _pay_at_fake(client, payment)
    # The notification arrived before the redirect: already paid.
    payment.refresh_from_db()
    assert payment.state == PaymentStatus.PAID
    assert payment.last_notification["MaThamChieu"] == payment.transaction_ref
    assert _state(payable) == PaymentState.PAID
    event = DossierEvent.objects.get(dossier=payable, action="pay_online")
    assert event.actor is None
    assert event.actor_role == "system"
    assert event.data["payment_method"] == "online"
    assert event.data["receipt_number"] == payment.transaction_ref
    assert event.data["amount"] == 16000
    assert event.at == at("2026-03-02 09:05")
    assert payment.last_notification["ThoiGianGD"] == "20260302090500"
    # The redirect (the same signed parameters) shows the paid state and changes nothing again.
    page = client.get(back.path + "?" + back.query)
    assert page.status_code == 200
    assert "Thanh toán thành công" in page.content.decode()
    assert _paid_events(payable) == 1
    # The dossier page shows the payment like a counter receipt.
    detail = client.get(f"/dossiers/{payable.code}/").content.decode()
    assert "thanh toán trực tuyến" in detail
    assert payment.transaction_ref in detail


def test_an_online_dossier_is_paid_right_after_submission_before_the_desk_receives_it(
    client, submitted, make_version, people
):
    dossier = submitted("2026-03-02 08:30", version=make_version(fee=16000))
    assert dossier.status == Status.SUBMITTED
    assert dossier.payment_state == PaymentState.PENDING
    payment = services.payment_start(dossier, people["citizen"], now=START)
    client.force_login(people["citizen"])
    _pay_at_fake(client, payment)
    assert _state(dossier) == PaymentState.PAID
    assert _paid_events(dossier) == 1
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED


def test_a_replayed_notification_changes_nothing(client, payable, people):
    payment = services.payment_start(payable, people["citizen"], now=START)
    client.force_login(people["citizen"])
    _pay_at_fake(client, payment)
    message = fake.confirm_message(FakeTransaction.objects.get())
    revision = payable.__class__.objects.get(pk=payable.pk).revision
    for _ in range(2):
        response = client.post("/payments/notify/", message, content_type="application/json")
        assert response.status_code == 200
        assert response.json()["TrangThaiGD"] == "1"
    payable.refresh_from_db()
    assert payable.revision == revision
    assert _paid_events(payable) == 1


def test_the_redirect_before_the_notification_settles_once(client, payable, people, settings):
    settings.PAYMENT_FAKE_NOTIFY = False
    payment = services.payment_start(payable, people["citizen"], now=START)
    client.force_login(people["citizen"])
    back = _pay_at_fake(client, payment)
    assert _state(payable) == PaymentState.PENDING
    assert "Thanh toán thành công" in client.get(back.path + "?" + back.query).content.decode()
    assert _state(payable) == PaymentState.PAID
    message = fake.confirm_message(FakeTransaction.objects.get())
    assert client.post("/payments/notify/", message, content_type="application/json").status_code == 200
    assert _paid_events(payable) == 1


# --- Refused -----------------------------------------------------------------------------------------------------


def test_a_bad_signature_is_refused_logged_and_changes_nothing(client, payable, people, settings, caplog):
    settings.PAYMENT_FAKE_NOTIFY = False
    payment = services.payment_start(payable, people["citizen"], now=START)
    client.force_login(people["citizen"])
    _pay_at_fake(client, payment)
    message = fake.confirm_message(FakeTransaction.objects.get())
    tampered = {**message, "SoTien": "1"}
    with caplog.at_level(logging.WARNING, logger="payments"):
        response = client.post("/payments/notify/", tampered, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["TrangThaiGD"] == "4"
    assert "bad integrity code" in caplog.text
    assert payment.transaction_ref in caplog.text
    payment.refresh_from_db()
    assert payment.state == PaymentStatus.PENDING
    assert payment.last_notification == {}
    assert _state(payable) == PaymentState.PENDING
    # Form-encoded, with a wrong secret: refused too.
    forged = national.signed({k: v for k, v in message.items() if k != "MaXacThuc"}, "confirm", "guess")
    assert client.post("/payments/notify/", forged).status_code == 400
    assert _state(payable) == PaymentState.PENDING


def test_an_unknown_reference_or_a_wrong_amount_is_refused(client, payable, people, settings):
    settings.PAYMENT_FAKE_NOTIFY = False
    payment = services.payment_start(payable, people["citizen"], now=START)
    tx = FakeTransaction.objects.get()
    tx.state, tx.paid_at = "paid", "20260302090500"
    unknown = national.signed(
        {**fake.confirm_message(tx), "MaThamChieu": "dvc-nope"}, "confirm", settings.PAYMENT_NATIONAL_SECRET
    )
    assert client.post("/payments/notify/", unknown, content_type="application/json").status_code == 400
    tx.amount = 1000
    cheaper = fake.confirm_message(tx)
    assert client.post("/payments/notify/", cheaper, content_type="application/json").status_code == 400
    payment.refresh_from_db()
    assert payment.state == PaymentStatus.PENDING
    assert _state(payable) == PaymentState.PENDING


# --- Failed, cancelled, abandoned: payable again -------------------------------------------------------------


@pytest.mark.parametrize(("decision", "state"), [("cancel", "cancelled"), ("fail", "failed")])
def test_cancel_or_failure_leaves_the_dossier_payable_and_a_new_payment_succeeds(
    client, payable, people, decision, state
):
    first = services.payment_start(payable, people["citizen"], now=START)
    client.force_login(people["citizen"])
    back = _pay_at_fake(client, first, decision)
    first.refresh_from_db()
    assert first.state == state
    assert _state(payable) == PaymentState.PENDING
    assert "thanh toán lại" in client.get(back.path + "?" + back.query).content.decode()
    second = services.payment_start(payable, people["citizen"], now=at("2026-03-02 09:10"))
    assert second.pk != first.pk
    _pay_at_fake(client, second)
    assert _state(payable) == PaymentState.PAID
    assert _paid_events(payable) == 1


# --- Reconciliation ------------------------------------------------------------------------------------------


def test_reconcile_settles_a_payment_whose_notification_was_lost(client, payable, people, settings):
    settings.PAYMENT_FAKE_NOTIFY = False
    payment = services.payment_start(payable, people["citizen"], now=START)
    client.force_login(people["citizen"])
    path = urlsplit(payment.redirect_url).path
    client.post(path, {"decision": "pay"})  # paid at the platform; neither the notification nor the redirect came
    assert _state(payable) == PaymentState.PENDING
    too_early = services.payment_reconcile(now=at("2026-03-02 09:05"))
    assert too_early["checked"] == 0
    counts = services.payment_reconcile(now=at("2026-03-02 09:30"))
    assert counts == {"checked": 1, "settled": 1, "expired": 0, "errors": 0}
    payment.refresh_from_db()
    assert payment.state == PaymentStatus.PAID
    assert payment.last_notification["TrangThaiGD"] == "1"
    assert _state(payable) == PaymentState.PAID
    assert services.payment_reconcile(now=at("2026-03-02 10:00"))["checked"] == 0
    assert _paid_events(payable) == 1


def test_reconcile_fails_a_failed_one_and_expires_an_abandoned_one(payable, people, settings, receive, make_version):
    settings.PAYMENT_FAKE_NOTIFY = False
    abandoned = services.payment_start(payable, people["citizen"], now=START)
    assert services.payment_reconcile(now=at("2026-03-02 12:00"))["expired"] == 0  # still pending: left alone
    counts = services.payment_reconcile(now=at("2026-03-03 09:01"))
    assert counts["expired"] == 1
    abandoned.refresh_from_db()
    assert abandoned.state == PaymentStatus.CANCELLED
    assert _state(payable) == PaymentState.PENDING

    other = receive("2026-03-02 08:00", version=make_version(fee=16000), fee_mode=FeeMode.AFTER)
    failed = services.payment_start(other, people["citizen"], now=START)
    FakeTransaction.objects.filter(transaction_ref=failed.transaction_ref).update(state="failed")
    services.payment_reconcile(now=at("2026-03-02 09:30"))
    failed.refresh_from_db()
    assert failed.state == PaymentStatus.FAILED
    assert _state(other) == PaymentState.PENDING


def test_the_reconcile_task_is_scheduled(settings):
    from payments.tasks import reconcile

    assert settings.CELERY_BEAT_SCHEDULE["payments-reconcile"]["task"] == reconcile.name == "payments.reconcile"


# --- Access ----------------------------------------------------------------------------------------------------


def test_the_return_page_shows_only_the_owners_payment(client, payable, people):
    payment = services.payment_start(payable, people["citizen"], now=START)
    url = f"/payments/return/{payment.transaction_ref}/"
    assert client.get(url).status_code == 404  # anonymous
    for who in ("other_citizen", "desk", "leader"):
        client.force_login(people[who])
        assert client.get(url).status_code == 404, who
    client.force_login(people["citizen"])
    response = client.get(url)
    assert response.status_code == 200
    assert "Đang chờ kết quả thanh toán" in response.content.decode()
    assert client.get("/payments/return/dvc-nope/").status_code == 404


def test_the_fake_platform_is_off_unless_enabled(client, payable, people, settings):
    payment = services.payment_start(payable, people["citizen"], now=START)
    settings.PAYMENT_FAKE_ENABLED = False
    path = urlsplit(payment.redirect_url).path
    assert client.get(path).status_code == 404
    assert client.post(path, {"decision": "pay"}).status_code == 404
    assert _state(payable) == PaymentState.PENDING


def test_the_notify_endpoint_takes_post_only(client):
    assert client.get("/payments/notify/").status_code == 405


def test_the_query_answer_is_signed_and_checked(payable, people):
    payment = services.payment_start(payable, people["citizen"], now=START)
    outcome = fake.FakeAdapter().query(payment.transaction_ref)
    assert outcome.valid
    assert outcome.outcome == "pending"
    assert outcome.amount == 16000
    adapter = fake.FakeAdapter()
    adapter.secret = "stale"
    assert adapter.query(payment.transaction_ref).valid is False


def test_the_desk_return_screen_shows_the_online_payment_and_lets_the_result_go(client, prepared, people):
    dossier = prepared("result_ready_fee_after")
    payment = services.payment_start(dossier, people["citizen"], now=START)
    client.force_login(people["citizen"])
    _pay_at_fake(client, payment)
    client.force_login(people["desk"])
    page = client.get(reverse("desk:return", args=[dossier.code])).content.decode()
    assert f"Đã thu 16.000 đồng, biên lai số {payment.transaction_ref}" in page
    # The "thu sau" guard of the return (T16) is satisfied by the online payment.
    returned = dossier_transition(
        dossier=dossier, action="return_result", actor=people["desk"], now=at("2026-03-03 10:00"), **HANDOVER
    )
    assert returned.status == Status.RETURNED
