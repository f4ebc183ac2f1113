"""The citizen's "Thanh toán" button: the owner goes to the platform once per attempt; nobody else gets anywhere."""

import pytest
import time_machine
from django.urls import reverse

from dossiers.models import FeeMode
from payments.models import Payment
from tests.dossiers.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at("2026-03-02 09:05"), tick=False):
        yield


@pytest.fixture
def payable(receive, make_version):
    return receive("2026-03-02 08:00", version=make_version(fee=16000), fee_mode=FeeMode.AFTER)


def _pay(client, dossier):
    return client.post(reverse("citizen:pay", kwargs={"code": dossier.code}))


def test_the_owner_is_sent_to_the_platform_and_a_second_click_reuses_the_attempt(client, people, payable):
    client.force_login(people["citizen"])
    first = _pay(client, payable)
    second = _pay(client, payable)
    payment = Payment.objects.get(dossier=payable)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == payment.redirect_url
    assert payment.amount == 16000


def test_another_citizen_gets_404_and_no_attempt_is_opened(client, people, payable):
    client.force_login(people["other_citizen"])
    assert _pay(client, payable).status_code == 404
    assert not Payment.objects.exists()


def test_staff_are_refused_and_nothing_is_opened(client, people, payable):
    client.force_login(people["desk"])
    assert _pay(client, payable).status_code == 403
    assert not Payment.objects.exists()


def test_a_dossier_with_nothing_to_pay_goes_back_with_the_reason(client, people, receive):
    dossier = receive("2026-03-02 08:00")
    client.force_login(people["citizen"])
    response = _pay(client, dossier)
    assert response.status_code == 302
    assert response["Location"] == reverse("citizen:dossier", kwargs={"code": dossier.code})
    assert "Hồ sơ không có phí, lệ phí phải nộp." in [str(m) for m in response.wsgi_request._messages]
    assert not Payment.objects.exists()


def test_a_get_changes_nothing(client, people, payable):
    client.force_login(people["citizen"])
    assert client.get(reverse("citizen:pay", kwargs={"code": payable.code})).status_code == 405
    assert not Payment.objects.exists()
