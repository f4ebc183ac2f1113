"""The on-commit kick never holds a request on a dead broker; the citizen's e-mail carries the idempotency key;
the admin shows the backlog and retries failures."""

import time

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from dossiers.models import DossierEvent
from dossiers.notifications import IDEMPOTENCY_HEADER, TOPIC, dossier_notify
from outbox.models import OutboxMessage, OutboxState
from outbox.services import outbox_deliver, outbox_kick, outbox_put
from tests.dossiers.conftest import advance
from tests.outbox.conftest import RECORD, T0
from tests.outbox.helpers import CLOSED_BROKER, broker_at, not_eager

pytestmark = pytest.mark.django_db


def test_the_kick_gives_up_at_once_when_the_broker_is_unreachable(recorder, caplog):
    with transaction.atomic():
        message = outbox_put(topic=RECORD, key="k", payload={"name": "a"}, dossier_id=1, now=T0)
    with not_eager(), broker_at(CLOSED_BROKER):
        started = time.perf_counter()
        assert outbox_kick(message.pk) is False
        elapsed = time.perf_counter() - started
    assert elapsed < 1
    assert f"could not queue message {message.pk} now" in caplog.text
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.PENDING, 0)
    assert recorder.calls == []


def test_a_receipt_mails_the_applicant_once_with_the_idempotency_key(receive, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive("2026-03-02 08:00")
    event = DossierEvent.objects.get(dossier=dossier, action="receive_counter")
    message = OutboxMessage.objects.get(dossier_id=dossier.pk)
    assert (message.topic, message.key, message.state) == (TOPIC, f"{TOPIC}:{event.pk}", OutboxState.DELIVERED)
    assert message.payload == {"dossier_id": dossier.pk, "event_id": event.pk}
    [sent] = mail.outbox
    assert sent.to == ["mai@example.vn"]
    assert sent.subject == f"Hồ sơ {dossier.code}: Mới tiếp nhận"
    assert sent.extra_headers[IDEMPOTENCY_HEADER] == message.key
    assert sent.message()[IDEMPOTENCY_HEADER] == message.key
    # A second delivery of the same message is a no-op: no second e-mail.
    outbox_deliver(message.pk)
    assert len(mail.outbox) == 1


def test_the_mail_names_the_status_the_event_led_to(receive, people):
    dossier = advance(receive("2026-03-02 08:00"), ("forward", "desk", {}), people=people)
    received = DossierEvent.objects.get(dossier=dossier, action="receive_counter")
    # Delivered after the dossier moved on, the receipt's mail still says "received".
    assert dossier_notify({"dossier_id": dossier.pk, "event_id": received.pk}, key="k") is True
    assert mail.outbox[0].subject == f"Hồ sơ {dossier.code}: Mới tiếp nhận"


def test_no_mail_without_an_address(receive, applicant_for, people, make_version):
    from dossiers import services

    dossier = services.dossier_receive_counter(
        actor=people["desk"], procedure_version=make_version(), applicant=applicant_for(email="")
    )
    event = DossierEvent.objects.get(dossier=dossier)
    assert dossier_notify({"dossier_id": dossier.pk, "event_id": event.pk}, key="k") is False
    assert mail.outbox == []


def test_the_admin_shows_the_backlog_and_retries_failures(admin_client, settings, recorder):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    with transaction.atomic():
        failed = outbox_put(topic=RECORD, key="failed", payload={"name": "f"}, dossier_id=1, now=T0)
        outbox_put(topic=RECORD, key="waiting", payload={"name": "w"}, dossier_id=2, now=T0)
    recorder.failing = RuntimeError("SMTP 550 mailbox unavailable")
    outbox_deliver(failed.pk, now=T0)
    recorder.failing = None

    url = reverse("admin:outbox_outboxmessage_changelist")
    page = admin_client.get(url).content.decode()
    assert "1 thư chờ gửi" in page
    assert "1 thư gửi lỗi" in page
    assert "thư cũ nhất đã chờ" in page
    assert "RuntimeError: SMTP 550 mailbox unavailable" in page

    response = admin_client.post(url, {"action": "retry_now", "_selected_action": [failed.pk]}, follow=True)
    assert "Đã đưa 1 thư vào hàng gửi lại." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (OutboxState.PENDING, 0)
    assert admin_client.get(reverse("admin:outbox_outboxmessage_change", args=[failed.pk])).status_code == 200
    assert admin_client.get(reverse("admin:outbox_outboxmessage_add")).status_code == 403
