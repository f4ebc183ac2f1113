"""Outbound sync: one outbox message per dossier event, bodies built at delivery, per-dossier order. Catching up after
the receiver was down and duplicates (check 34) are tested in tests/security/test_c34_national_portal_down.py. Every
moment is passed or frozen."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from dossiers.models import Channel
from dossiers.notifications import TOPIC as NOTIFY
from natsync.adapters.base import CREATE, PROGRESS, UPDATE, Message
from natsync.fake import FakeAdapter
from natsync.models import FakeReceived, FakeSwitch, SyncState
from natsync.services import push_key, sync_lane
from outbox.models import OutboxMessage, OutboxState
from outbox.services import Outcome, outbox_deliver
from tests.dossiers.conftest import advance, at
from tests.natsync.conftest import deliver_due, sync_messages

pytestmark = pytest.mark.django_db


def received():
    return list(FakeReceived.objects.order_by("id"))


def test_each_event_writes_one_message_of_its_kind(receive, people):
    dossier = receive("2026-03-02 08:00")
    advance(dossier, ("forward", "desk", {}), ("step", "officer", {"name": "Thẩm định"}), people=people)
    messages = sync_messages()
    assert [m.payload["kind"] for m in messages] == [CREATE, UPDATE, PROGRESS]
    assert {m.payload["dossier_id"] for m in messages} == {dossier.pk}
    assert {m.dossier_id for m in messages} == {sync_lane(dossier.pk)}
    assert [m.key for m in messages] == [push_key(e) for e in dossier.events.order_by("id")]


def test_nothing_is_written_while_the_sync_is_off(receive, settings):
    settings.NATSYNC_ENABLED = False
    receive("2026-03-02 08:00")
    assert sync_messages() == []


def test_the_bodies_carry_the_sync_fields_and_the_status_code_of_the_moment(receive, people):
    dossier = receive("2026-03-02 08:00")
    deliver_due(at("2026-03-02 08:01"))
    advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-02 09:00")
    deliver_due(at("2026-03-02 09:01"))
    advance(dossier, ("step", "officer", {"name": "Thẩm định"}), people=people, when="2026-03-02 10:00")
    deliver_due(at("2026-03-02 10:01"))

    create, update, progress = received()
    assert [create.kind, update.kind, progress.kind] == [CREATE, UPDATE, PROGRESS]
    assert [create.status_code, update.status_code, progress.status_code] == [2, 4, 4]
    dossier.refresh_from_db()
    body = create.body
    assert body["MaHoSo"] == dossier.code
    assert body["MaTTHC"] == dossier.procedure_version.procedure.code
    assert body["MaLinhVuc"] == dossier.procedure_version.field.code
    assert (body["KenhThucHien"], body["LoaiDoiTuong"]) == (int(Channel.COUNTER), 1)
    assert body["ChuHoSo"] == "Hoàng Thị Mai"
    assert body["DinhDanhCHS"][0]["SoDinhDanh"] == "038190001234"
    assert body["NgayTiepNhan"] == "20260302080000"
    assert body["NgayHenTra"] == dossier.current_due_at.astimezone(at("2026-03-02 08:00").tzinfo).strftime(
        "%Y%m%d%H%M%S"
    )
    assert progress.body["NoiDungXuLy"]
    assert progress.body["ThoiDiemXuLy"] == "20260302100000"
    assert progress.body["PhongBanXuLy"]
    assert progress.body["NgayKetThucTheoQuyDinh"] != ""
    assert body["DanhSachLePhi"] == [
        {"TenPhiLePhi": line.name, "MaPhiLePhi": str(line.pk), "HinhThucThu": dossier.fee_mode, "Gia": line.amount}
        for line in dossier.fee_lines.all()
    ]
    assert (body["DanhSachHoSoBoSung"], body["TaiKhoanDuocXacThucVoiVNeID"], body["MaDoiTuong"]) == ([], 0, "")
    state = SyncState.objects.get(dossier=dossier)
    assert (state.last_key, state.status_code) == (progress.message_id, 4)


def test_a_supplement_request_is_an_update_with_code_5_and_its_history(receive, people):
    dossier = receive("2026-03-02 08:00")
    advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-02 09:00")
    advance(
        dossier,
        ("request_supplement", "officer", {"note": "Thiếu bản sao", "items": ["Bản sao giấy khai sinh"]}),
        people=people,
        when="2026-03-02 10:00",
    )
    deliver_due(at("2026-03-02 10:01"))
    last = received()[-1]
    assert (last.kind, last.status_code) == (UPDATE, 5)
    (supplement,) = last.body["DanhSachHoSoBoSung"]
    assert (supplement["NgayBoSung"], supplement["TrangThaiBoSung"]) == ("20260302100000", 0)
    assert supplement["NguoiYeuCauBoSung"] == people["officer"].full_name


def test_a_late_message_carries_the_dossier_as_it_is_at_delivery(receive, people):
    dossier = receive("2026-03-02 08:00")
    advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-02 09:00")
    deliver_due(at("2026-03-02 09:01"))
    assert [r.status_code for r in received()] == [4, 4]  # the create, sent after the forward, says "processing"


def test_a_second_create_of_a_known_dossier_becomes_an_update(receive):
    dossier = receive("2026-03-02 08:00")
    deliver_due(at("2026-03-02 08:01"))
    receipt = FakeAdapter().send(Message(kind=CREATE, id="again", body={"MaHoSo": dossier.code, "TrangThaiHoSo": 2}))
    assert receipt.kind == UPDATE
    assert [r.kind for r in received()] == [CREATE, UPDATE]


def test_one_dossier_waiting_does_not_hold_another_and_keeps_its_own_order(receive, people):
    first = receive("2026-03-02 08:00")
    failed_at = at("2026-03-02 08:01")
    FakeSwitch.objects.create(down=True)
    assert deliver_due(failed_at) == [Outcome.RETRY]  # next attempt 30 s later
    FakeSwitch.objects.all().delete()
    advance(first, ("forward", "desk", {}), people=people, when="2026-03-02 08:01")
    second = receive("2026-03-02 08:01")
    a1, a2, b1 = sync_messages()
    soon = failed_at + dt.timedelta(seconds=10)
    assert outbox_deliver(a2.pk, now=soon) == Outcome.BLOCKED  # its create is in back-off
    assert deliver_due(soon) == [Outcome.DELIVERED]  # the other dossier goes through
    assert [r.dossier_code for r in received()] == [second.code]
    deliver_due(failed_at + dt.timedelta(seconds=30))
    assert [r.message_id for r in received()] == [b1.key, a1.key, a2.key]


def test_the_sync_and_the_applicants_mail_do_not_wait_for_each_other(receive, people):
    dossier = receive("2026-03-02 08:00")
    FakeSwitch.objects.create(down=True)
    assert deliver_due(at("2026-03-02 08:01")) == [Outcome.RETRY]  # the sync's create is in back-off
    advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-02 08:01")
    mails = OutboxMessage.objects.filter(topic=NOTIFY, dossier_id=dossier.pk).order_by("id")
    assert len(mails) == 2
    later = at("2026-03-02 08:01") + dt.timedelta(seconds=5)
    assert [outbox_deliver(m.pk, now=later) for m in mails] == [Outcome.DELIVERED, Outcome.DELIVERED]


def test_the_fake_http_endpoint(client, settings, receive):
    url = reverse("natsync:fake-receive", args=["create"])
    headers = {"HTTP_AUTHORIZATION": "Bearer test-token", "HTTP_X_REQUEST_ID": "m1"}
    body = {"MaHoSo": "H56.01-260302-0001", "TrangThaiHoSo": 2}
    with time_machine.travel(at("2026-03-02 08:00"), tick=False):
        answer = client.post(url, body, content_type="application/json", **headers)
        assert (answer.status_code, answer.json()["error_code"]) == (200, "0")
        wrong = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer x")
        assert wrong.json()["error_code"] == "401"
        assert client.post(url, "[", content_type="application/json", **headers).json()["error_code"] == "1"
        settings.NATSYNC_FAKE_DOWN = True
        assert client.post(url, body, content_type="application/json", **headers).status_code == 503
        settings.NATSYNC_FAKE_ENABLED = False
        assert client.post(url, body, content_type="application/json", **headers).status_code == 404
    assert FakeReceived.objects.get().message_id == "m1"


def test_the_admin_lists_the_backlog_and_the_failures_oldest_first(admin_client, receive, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    receive("2026-03-02 08:00")
    deliver_due(at("2026-03-02 08:01"))
    FakeSwitch.objects.create(down=True)
    receive("2026-03-02 08:02")
    deliver_due(at("2026-03-02 08:03"))
    receive("2026-03-02 08:04")
    delivered, failed, waiting = sync_messages()
    assert (delivered.state, failed.state, waiting.state) == (OutboxState.DELIVERED, OutboxState.FAILED, "pending")

    page = admin_client.get(reverse("admin:natsync_syncmessage_changelist")).content.decode()
    row_ids = [m.pk for m in (delivered, failed, waiting) if f">{m.pk}</a>" in page]
    assert row_ids == [failed.pk, waiting.pk]
    assert page.index(f">{failed.pk}</a>") < page.index(f">{waiting.pk}</a>")  # oldest first
    assert "SyncError: create: HTTP 503" in page
    assert "1 thư chờ đồng bộ" in page
    assert "1 thư gửi lỗi" in page
