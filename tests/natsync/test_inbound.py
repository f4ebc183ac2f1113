"""Inbound sync: a dossier submitted on the national portal lands once in the desk's waiting queue, through the
engine, as a submitted online dossier; repeats and malformed messages change nothing."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from desk.selectors_queue import desk_dossiers, section_conditions
from dossiers.models import Applicant, Channel, Dossier
from dossiers.services import dossier_transition
from dossiers.workflow import Status
from natsync.adapters.base import SyncError
from natsync.inbound import inbound_receive
from natsync.models import FakeReceived, InboundDossier
from natsync.services import adapter
from tests.dossiers.conftest import COMMUNE, at
from tests.natsync.conftest import deliver_due

pytestmark = pytest.mark.django_db

URL = "natsync_inbound:inbound"


@pytest.fixture(autouse=True)
def inbound_token(settings):
    settings.NATSYNC_INBOUND_TOKEN = "inbound-token"


def national_body(version, **changes):
    body = {
        "MaHoSo": "G22.99-260302-0001",
        "MaTTHC": version.procedure.code,
        "MaDonViTiepNhan": COMMUNE,
        "ChuHoSo": "Lê Văn An",
        "LoaiDoiTuong": 1,
        "DinhDanhCHS": [{"LoaiDinhDanh": "1", "SoDinhDanh": "038190009999"}],
        "SoDienThoai": "0987654321",
        "Email": "an@example.vn",
        "TrichYeuHoSo": "Xin cấp giấy xác nhận",
        "NgayNopHoSo": "20260302083000",
    }
    return {**body, **changes}


def post(client, body, token="inbound-token"):
    return client.post(reverse(URL), body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}").json()


def test_a_national_dossier_lands_once_in_the_desks_waiting_queue(client, make_version, people):
    version = make_version()
    with time_machine.travel(at("2026-03-02 09:00"), tick=False):
        first = post(client, national_body(version))
        again = post(client, national_body(version))
    assert (first["error_code"], again["error_code"]) == ("0", "0")
    assert (first["message"], again["message"]) == ("created", "already received")
    dossier = Dossier.objects.get()
    assert first["MaHoSoTinh"] == again["MaHoSoTinh"] == dossier.code
    assert (dossier.status, dossier.channel, dossier.external_code) == (
        Status.SUBMITTED,
        Channel.ONLINE,
        "G22.99-260302-0001",
    )
    assert dossier.submitted_at == at("2026-03-02 08:30")
    assert dossier.acceptance_due_at > dossier.submitted_at
    assert list(dossier.events.values_list("action", "to_status")) == [("submit_national", Status.SUBMITTED)]
    assert Applicant.objects.count() == 1
    assert InboundDossier.objects.get().dossier == dossier
    waiting = desk_dossiers(user=people["desk"]).filter(section_conditions(dt.date(2026, 3, 2))["waiting"])
    assert list(waiting) == [dossier]


def test_the_desk_receives_a_national_dossier_like_any_online_one_and_the_sync_reports_it(make_version, people):
    version = make_version()
    submission = adapter().parse_submission(national_body(version))
    dossier, _created = inbound_receive(submission, now=at("2026-03-02 09:00"))
    dossier = dossier_transition(dossier=dossier, action="receive", actor=people["desk"], now=at("2026-03-02 10:00"))
    assert (dossier.status, dossier.received_at) == (Status.RECEIVED, at("2026-03-02 10:00"))
    deliver_due(at("2026-03-02 10:01"))
    # Reported under the national code; the body is built at delivery, so the create already says "received".
    assert list(FakeReceived.objects.order_by("id").values_list("dossier_code", "kind", "status_code")) == [
        ("G22.99-260302-0001", "create", 2),
        ("G22.99-260302-0001", "update", 2),
    ]


def test_two_arrivals_of_the_same_code_leave_one_dossier_and_one_applicant(make_version):
    version = make_version()
    submission = adapter().parse_submission(national_body(version))
    created, was_new = inbound_receive(submission, now=at("2026-03-02 09:00"))
    InboundDossier.objects.all().delete()  # as if the second arrival had checked before the first committed
    again, again_new = inbound_receive(submission, now=at("2026-03-02 09:01"))
    assert (was_new, again_new, again.pk) == (True, False, created.pk)
    assert (Dossier.objects.count(), Applicant.objects.count()) == (1, 1)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"MaTTHC": "0.000000"}, "unknown procedure"),
        ({"MaDonViTiepNhan": "000.00.00.X00"}, "unknown agency"),
        ({"ChuHoSo": ""}, "missing: ChuHoSo"),
        ({"NgayNopHoSo": "02/03/2026"}, "bad date"),
    ],
)
def test_a_message_the_portal_cannot_place_is_refused_and_nothing_is_written(client, make_version, changes, error):
    version = make_version()
    with time_machine.travel(at("2026-03-02 09:00"), tick=False):
        answer = post(client, national_body(version, **changes))
    assert answer["error_code"] == "1"
    assert error in answer["message"]
    assert not Dossier.objects.exists()
    assert not Applicant.objects.exists()


def test_the_endpoint_needs_its_token(client, make_version, settings):
    version = make_version()
    assert post(client, national_body(version), token="wrong")["error_code"] == "401"
    settings.NATSYNC_INBOUND_TOKEN = ""
    response = client.post(reverse(URL), national_body(version), content_type="application/json")
    assert response.status_code == 404
    assert not Dossier.objects.exists()


def test_the_adapter_reads_identity_documents_and_refuses_a_bad_kind(make_version):
    version = make_version()
    submission = adapter().parse_submission(national_body(version))
    assert submission.identities == (("cccd", "038190009999"),)
    with pytest.raises(SyncError):
        adapter().parse_submission(national_body(version, LoaiDoiTuong="x"))
