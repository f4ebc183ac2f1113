"""The real adapter over HTTP against the fake receiver served by the portal itself (a live server)."""

import pytest

from natsync.adapters.base import CREATE, UPDATE, Message, SyncError
from natsync.adapters.national import NationalAdapter
from natsync.models import FakeReceived, FakeSwitch

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def national(live_server, settings):
    settings.NATSYNC_URL = f"{live_server.url}/natsync-fake"
    settings.NATSYNC_TIMEOUT = 5
    return NationalAdapter()


def test_create_then_already_exists_becomes_an_update_over_http(national):
    body = {"MaHoSo": "H56.01-260302-0001", "TrangThaiHoSo": 2}
    assert national.send(Message(kind=CREATE, id="m1", body=body)).kind == CREATE
    assert national.send(Message(kind=CREATE, id="m2", body={**body, "TrangThaiHoSo": 4})).kind == UPDATE
    assert list(FakeReceived.objects.values_list("message_id", "kind", "status_code")) == [
        ("m1", CREATE, 2),
        ("m2", UPDATE, 4),
    ]


def test_a_receiver_down_or_a_wrong_token_raises_so_the_outbox_retries(national, settings):
    FakeSwitch.objects.create(down=True)
    with pytest.raises(SyncError, match="HTTP 503"):
        national.send(Message(kind=CREATE, id="m1", body={"MaHoSo": "X"}))
    FakeSwitch.objects.all().delete()
    settings.NATSYNC_TOKEN = "wrong"
    with pytest.raises(SyncError, match="401"):
        NationalAdapter().send(Message(kind=CREATE, id="m1", body={"MaHoSo": "X"}))
    assert not FakeReceived.objects.exists()
