"""Webhooks: a status change writes one outbox message per interested webhook in the change's transaction; the
delivery POSTs the signed body to a real local HTTP server (allow-listed as a local host), retries with back-off on
failure, and never connects to a URL the outbound guard refuses."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError

from accounts.roles import Role
from api.models import Integration
from dossiers.models import DossierEvent
from outbox.models import OutboxMessage, OutboxState
from outbox.services import Outcome, outbox_deliver
from tests.dossiers import conftest as engine
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, advance, at
from webhooks.models import Webhook
from webhooks.services import TOPIC, signature

pytestmark = pytest.mark.django_db

agencies, applicant_for, make_version = engine.agencies, engine.applicant_for, engine.make_version
people, receive = engine.people, engine.receive


class Receiver:
    """A tiny HTTP server on 127.0.0.1 recording each POST (headers, body); answers `status`."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_LOCAL_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_TIMEOUT = 5
    with Receiver() as server:
        yield server


def integration(agency, *, role=Role.OFFICER, slug="dms") -> Integration:
    account = engine._staff(f"svc-{slug}", role, agency)
    return Integration.objects.create(name=f"Hệ thống {slug}", slug=slug, account=account)


def hook(integ: Integration, url: str, **kwargs) -> Webhook:
    webhook = Webhook(integration=integ, url=url, **kwargs)
    webhook.full_clean()
    webhook.save()
    return webhook


def messages():
    return list(OutboxMessage.objects.filter(topic=TOPIC).order_by("id"))


def test_a_status_change_is_delivered_signed_to_each_webhook_in_scope(receiver, agencies, people, receive):
    ours = hook(integration(agencies[COMMUNE]), receiver.url)
    hook(integration(agencies[OTHER_COMMUNE], slug="other"), receiver.url)  # another commune's: not told
    hook(integration(agencies[COMMUNE], role=Role.LEADER, slug="leader"), receiver.url)  # a leader sees no dossier
    hook(integration(agencies[COMMUNE], slug="off"), receiver.url, is_active=False)
    dossier = receive("2026-03-02 10:00")
    [message] = messages()
    assert message.payload["webhook_id"] == ours.pk
    assert outbox_deliver(message.pk) == Outcome.DELIVERED
    [(headers, body)] = receiver.received
    expected = "sha256=" + hmac.new(ours.secret.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-signature"], expected)
    assert headers["x-webhook-id"] == str(ours.pk)
    assert headers["idempotency-key"] == message.key
    data = json.loads(body)
    event = DossierEvent.objects.get(pk=data["event_id"])
    assert (data["dossier_code"], data["status"]) == (dossier.code, dossier.status)
    assert dt.datetime.fromisoformat(data["at"]) == event.at
    # A tampered body does not match the signature.
    assert signature(ours.secret, body + b" ") != headers["x-signature"]


def test_an_event_without_a_status_change_sends_nothing(receiver, agencies, people, receive):
    hook(integration(agencies[COMMUNE]), receiver.url)
    dossier = receive("2026-03-02 10:00")
    count = len(messages())
    advance(dossier, ("forward", "desk", {}), people=people)  # a status change: one more
    assert len(messages()) == count + 1
    before = len(messages())
    advance(dossier, ("assign", "head", {"handler": people["officer"].pk}), people=people)  # same status
    assert len(messages()) == before


def test_a_failing_receiver_is_retried_with_back_off_then_delivered_once(receiver, agencies, receive, settings):
    hook(integration(agencies[COMMUNE]), receiver.url)
    receive("2026-03-02 10:00")
    [message] = messages()
    receiver.status = 503
    now = at("2026-03-02 10:01")
    assert outbox_deliver(message.pk, now=now) == Outcome.RETRY
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.next_attempt_at > now
    assert "503" in message.last_error
    receiver.status = 200
    assert outbox_deliver(message.pk, now=message.next_attempt_at) == Outcome.DELIVERED
    assert outbox_deliver(message.pk, now=message.next_attempt_at) == Outcome.ALREADY
    keys = {headers["idempotency-key"] for headers, _body in receiver.received}
    assert keys == {message.key}  # the same key on every attempt: the receiver drops a copy


def test_a_url_refused_at_delivery_is_never_contacted(receiver, agencies, receive, settings):
    webhook = hook(integration(agencies[COMMUNE]), receiver.url)
    receive("2026-03-02 10:00")
    [message] = messages()
    settings.OUTBOUND_LOCAL_HOSTS = []  # the allow-list changed since the webhook was registered
    assert outbox_deliver(message.pk) == Outcome.RETRY
    message.refresh_from_db()
    assert "refused by the outbound guard" in message.last_error
    assert receiver.received == []
    assert message.state == OutboxState.PENDING
    webhook.is_active = False
    webhook.save()
    assert outbox_deliver(message.pk, now=message.next_attempt_at) == Outcome.DELIVERED  # dropped, not sent
    assert receiver.received == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "https://evil.example.com/hook",
        "http://hooks.example.gov.vn/hook",  # allowed host, but not https
    ],
)
def test_registering_a_refused_url_fails_validation(agencies, people, settings, url):
    settings.OUTBOUND_ALLOWED_HOSTS = [".example.gov.vn"]
    settings.OUTBOUND_LOCAL_HOSTS = []
    with pytest.raises(ValidationError) as error:
        hook(integration(agencies[COMMUNE]), url)
    assert "url" in error.value.message_dict
    assert Webhook.objects.count() == 0


def test_the_admin_refuses_a_url_outside_the_allow_list(admin_client, agencies, people, settings):
    settings.OUTBOUND_ALLOWED_HOSTS = [".example.gov.vn"]
    integ = integration(agencies[COMMUNE])
    data = {"integration": integ.pk, "url": "http://169.254.169.254/", "events": ["dossier.status_changed"]}
    response = admin_client.post("/admin/webhooks/webhook/add/", {**data, "is_active": "on"})
    assert response.status_code == 200
    assert Webhook.objects.count() == 0
    data["url"] = "https://hooks.example.gov.vn/mot-cua"
    response = admin_client.post("/admin/webhooks/webhook/add/", {**data, "is_active": "on"})
    assert response.status_code == 302
    assert Webhook.objects.get().secret  # generated, shown read-only to give to the integrator


def test_an_administrators_integration_hears_of_every_agency_and_a_disabled_account_of_none(
    receiver, agencies, people, receive
):
    everywhere = hook(integration(agencies[OTHER_COMMUNE], role=Role.ADMIN, slug="province"), receiver.url)
    disabled = integration(agencies[COMMUNE], slug="disabled")
    hook(disabled, receiver.url)
    disabled.account.is_active = False
    disabled.account.save()
    receive("2026-03-02 10:00")
    assert [message.payload["webhook_id"] for message in messages()] == [everywhere.pk]
