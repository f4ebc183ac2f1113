"""One dossier as its owner follows it (/ho-so-cua-toi/<code>/): the timeline in plain words without officers' names
or internal notes, the units that held it, pauses, documents, messages, forms, the result, and who read it (§11);
another citizen gets 404 on every URL, staff 403."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from dossiers.files import dossier_file_add
from dossiers.models import ReturnMethod
from dossiers.workflow import Status
from tests.citizen.mine_helpers import NOW, mine
from tests.dossiers.conftest import advance, at
from tests.dossiers.files_fixtures import pdf_bytes

pytestmark = pytest.mark.django_db

INTERNAL = "Ghi chú nội bộ: gọi điện hỏi trưởng phòng"
MESSAGE = "Hồ sơ của bạn đang được thẩm định tại phòng Tư pháp"


def _page(client, user, dossier):
    client.force_login(user)
    response = client.get(mine("dossier", dossier))
    assert response.status_code == 200
    assert "INVALID_TEMPLATE_VARIABLE" not in response.text
    return response.text


@pytest.fixture
def followed(prepared, people, mine_now):
    """In processing: a step with an internal note and a message for the applicant, then an assignment (internal
    only), then a supplement request in appraisal (a pause with its reason)."""
    return advance(
        prepared("in_processing"),
        ("step", "officer", {"name": "Thẩm định hồ sơ", "note": INTERNAL, "message": MESSAGE}),
        ("assign", "head", {"handler": people["officer"], "note": "Giao cho chuyên viên Officer xử lý gấp"}),
        ("request_supplement", "officer", {"note": "Thiếu bản sao giấy tờ tùy thân", "items": ["Giấy tờ tùy thân"]}),
        people=people,
    )


def test_the_timeline_speaks_of_units_never_of_officers_or_internal_notes(client, people, followed):
    text = _page(client, people["citizen"], followed)
    assert "Quá trình giải quyết" in text
    assert "Tiếp nhận hồ sơ" in text
    assert "Chuyển xử lý" in text
    assert "Chuyển bước xử lý" in text
    assert MESSAGE in text
    assert INTERNAL not in text
    assert "Giao cho chuyên viên" not in text  # the assignment is internal: not on the timeline at all
    assert "Phân công xử lý" not in text
    for officer in (people["officer"], people["head"], people["desk"]):
        assert officer.full_name not in text
    assert "— Ủy ban nhân dân phường Hạc Thành" in text  # the unit that acted, in place of the officer


def test_units_holding_it_since_when_and_the_pause_with_its_reason(client, people, followed):
    text = _page(client, people["citizen"], followed)
    assert "Đơn vị đang giữ hồ sơ" in text
    assert "Thẩm định hồ sơ" in text
    assert "đang giữ hồ sơ" in text
    assert "09:00 03/03/2026" in text  # the step's start
    assert "Thời gian tạm dừng tính thời hạn" in text
    assert "Bổ sung hồ sơ: 09:00 03/03/2026 – đang tạm dừng. Lý do: Thiếu bản sao giấy tờ tùy thân" in text


def test_messages_from_the_desk_and_the_supplement_request(client, people, asked, mine_now):
    text = _page(client, people["citizen"], asked)
    assert "Thông báo từ cơ quan giải quyết" in text
    assert "Hồ sơ chưa đầy đủ giấy tờ" in text
    assert "Giấy tờ tùy thân" in text
    assert "Bản sao còn hạn sử dụng" in text
    assert "Nghị định 118/2025/NĐ-CP, Điều 11" in text
    assert f'href="/ho-so-cua-toi/{asked.code}/bo-sung/"' in text
    assert f'href="/dossiers/{asked.code}/forms/supplement.pdf"' in text


def test_documents_and_files_link_to_the_checked_download(client, people, submitted, files_media, mine_now):
    dossier = submitted("2026-03-02 08:00")
    document = dossier.documents.order_by("pk").first()
    record = dossier_file_add(
        dossier=dossier,
        upload=SimpleUploadedFile("to-khai.pdf", pdf_bytes()),
        actor=people["citizen"],
        document=document,
    )
    text = _page(client, people["citizen"], dossier)
    assert document.name in text
    assert f'href="/dossiers/{dossier.code}/files/{record.pk}/"' in text
    client.force_login(people["other_citizen"])
    assert client.get(f"/dossiers/{dossier.code}/files/{record.pk}/").status_code == 404


def test_who_read_my_dossier_by_unit_and_day_with_counts_and_no_names(client, people, prepared, agencies):
    dossier = prepared("in_processing")
    for when, who in [
        ("2026-03-03 09:00", "officer"),
        ("2026-03-03 10:00", "officer"),
        ("2026-03-03 11:00", "desk"),
        ("2026-03-04 08:00", "head"),
    ]:
        with time_machine.travel(at(when), tick=False):
            client.force_login(people[who])
            assert client.get(f"/dossiers/{dossier.code}/").status_code == 200
    with time_machine.travel(NOW, tick=False):
        text = _page(client, people["citizen"], dossier)
    section = text.split("Ai đã xem hồ sơ của tôi", 1)[1]
    commune = agencies["000.00.31.H56"].name
    # One row per day, unit and role, with the count and the time of the last read (docs/privacy.md).
    rows = [
        f'<td data-label="Ngày"><div>{day}</div></td><td data-label="Đơn vị"><div>{commune}</div></td>'
        f'<td data-label="Vai trò"><div>{role.label}</div></td>'
        f'<td data-label="Số lần xem"><div>{n}</div></td><td data-label="Lần cuối"><div>{last}</div></td>'
        for day, role, n, last in (
            ("04/03/2026", Role.HEAD, 1, "08:00"),
            ("03/03/2026", Role.DESK, 1, "11:00"),
            ("03/03/2026", Role.OFFICER, 2, "10:00"),
        )
    ]
    for row in rows:
        assert row in section
    assert section.index(rows[0]) < section.index(rows[1]) < section.index(rows[2])  # the newest day first
    for who in ("officer", "desk", "head"):
        assert people[who].full_name not in section


def test_the_owners_own_reads_are_not_counted(client, people, prepared, mine_now):
    dossier = prepared("received")
    _page(client, people["citizen"], dossier)
    assert "Chưa có cán bộ nào xem hồ sơ." in _page(client, people["citizen"], dossier)


def test_the_old_page_sends_a_citizen_here_and_staff_keep_theirs(client, people, prepared, mine_now):
    dossier = prepared("received")
    client.force_login(people["citizen"])
    assert client.get(f"/dossiers/{dossier.code}/")["Location"] == mine("dossier", dossier)
    client.force_login(people["desk"])
    assert client.get(f"/dossiers/{dossier.code}/").status_code == 200


PAGES = ["dossier", "supplement", "withdraw"]


@pytest.mark.parametrize("name", PAGES)
def test_another_citizen_gets_404_on_every_page_and_nothing_changes(client, people, asked, mine_now, name):
    client.force_login(people["other_citizen"])
    revision = asked.revision
    assert client.get(mine(name, asked)).status_code == 404
    # The dossier page is GET only: a POST is refused before anything is looked up.
    assert client.post(mine(name, asked), {"confirm": "on", "note": "x"}).status_code == (
        405 if name == "dossier" else 404
    )
    asked.refresh_from_db()
    assert (asked.status, asked.revision) == (Status.SUPPLEMENT_REQUESTED, revision)


@pytest.mark.parametrize("name", PAGES)
def test_a_missing_code_is_the_same_404(client, people, mine_now, name):
    client.force_login(people["citizen"])
    assert client.get(f"/ho-so-cua-toi/000.00.31.H56-260302-9999/{'' if name == 'dossier' else name}").status_code in (
        404,
    )


@pytest.mark.parametrize("who", ["desk", "officer", "head", "admin", "leader"])
def test_staff_are_refused_with_403(client, people, asked, mine_now, who):
    client.force_login(people[who])
    assert client.get(mine("my-dossiers")).status_code == 403
    for name in PAGES:
        assert client.get(mine(name, asked)).status_code == 403
        assert client.post(mine(name, asked), {"confirm": "on"}).status_code in (403, 405)
    asked.refresh_from_db()
    assert asked.status == Status.SUPPLEMENT_REQUESTED


def test_anonymous_is_sent_to_sign_in(client, asked, mine_now):
    for path in (mine("my-dossiers"), *(mine(name, asked) for name in PAGES)):
        assert client.get(path)["Location"].startswith("/accounts/login/?next=")


# --- The result -------------------------------------------------------------------------------------------------


@pytest.fixture
def ready_online(receive, people, mine_now):
    dossier = receive("2026-03-02 08:00", return_method=ReturnMethod.ONLINE)
    return advance(dossier, ("forward", "desk", {}), ("issue_result", "head", {"number": "15/QĐ-UBND"}), people=people)


def _download(client, path):
    response = client.get(path)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def test_the_owner_downloads_the_result_online_and_that_returns_it(client, people, ready_online):
    record = ready_online.files.get(kind="result")
    text = _page(client, people["citizen"], ready_online)
    link = f"/dossiers/{ready_online.code}/files/{record.pk}/"
    assert "Kết quả giải quyết" in text
    assert f'href="{link}"' in text
    assert "Lần tải đầu tiên được ghi nhận là bạn đã nhận kết quả trực tuyến." in text

    client.force_login(people["other_citizen"])
    assert _download(client, link).status_code == 404
    ready_online.refresh_from_db()
    assert ready_online.status == Status.RESULT_READY

    client.force_login(people["citizen"])
    assert _download(client, link).status_code == 200
    ready_online.refresh_from_db()
    assert ready_online.status == Status.RETURNED
    text = _page(client, people["citizen"], ready_online)
    assert f'href="{link}"' in text
    assert 'href="/danh-gia/' in text


def test_a_result_to_collect_at_the_counter_is_not_downloadable_before_its_return(client, people, prepared, mine_now):
    dossier = prepared("result_ready")
    text = _page(client, people["citizen"], dossier)
    assert "/files/" not in text
    assert "Nhận kết quả tại Bộ phận Một cửa" in text
