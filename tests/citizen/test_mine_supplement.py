"""Answering the supplement request online (T10, the applicant's part): exactly the requested items, one file each,
before the deadline and once; files and action in one transaction, so a refusal stores nothing. The desk then
accepts it on its review screen (T10, the desk's part)."""

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.errors import DossierRefused
from dossiers.models import DossierEvent, DossierFile, SupplementRequest
from dossiers.workflow import SUPPLIED, Status
from tests.citizen.mine_helpers import ITEMS, mine
from tests.dossiers.conftest import advance, at
from tests.dossiers.files_fixtures import jpeg_bytes, pdf_bytes, stored_files
from tests.dossiers.transition_cases import snapshot

pytestmark = pytest.mark.django_db


def _post(client, dossier, files=None, note="Đã bổ sung đủ"):
    files = files if files is not None else [("cccd.pdf", pdf_bytes()), ("to-khai.jpg", jpeg_bytes())]
    data = {"note": note}
    for index, (name, content) in enumerate(files):
        data[f"item_{index}"] = SimpleUploadedFile(name, content)
    return client.post(mine("supplement", dossier), data)


def _nothing_changed(dossier, before, media):
    assert snapshot(dossier) == before
    assert stored_files(media) == []
    assert SupplementRequest.objects.get(dossier=dossier).supplied_at is None


def test_the_page_shows_exactly_the_requested_items_reason_basis_and_deadline(client, people, asked, mine_now):
    client.force_login(people["citizen"])
    text = client.get(mine("supplement", asked)).text
    assert "INVALID_TEMPLATE_VARIABLE" not in text
    assert "Hồ sơ chưa đầy đủ giấy tờ" in text
    assert "Nghị định 118/2025/NĐ-CP, Điều 11" in text
    deadline = asked.supplement_request.applicant_deadline.astimezone(at("2026-03-02 00:00").tzinfo)
    assert f"{deadline:%H:%M %d/%m/%Y}" in text
    for item in ITEMS:
        assert f"<strong>{item['document']}</strong>: {item['content']}" in text
    assert text.count('type="file"') == len(ITEMS)
    assert "Bản sao, 1 bản" in text
    assert "Bản chính, 1 bản" in text
    assert "Gửi bổ sung" in text


def test_the_supplement_is_sent_with_a_file_per_item(client, people, asked, files_media, mine_now):
    client.force_login(people["citizen"])
    response = _post(client, asked)
    assert response.status_code == 302
    assert response["Location"] == mine("dossier", asked)

    asked.refresh_from_db()
    assert (asked.status, asked.substate) == (Status.SUPPLEMENT_REQUESTED, SUPPLIED)
    assert asked.supplement_request.supplied_at == at("2026-03-04 09:00")
    files = list(DossierFile.objects.filter(dossier=asked, kind="supplement").order_by("pk"))
    assert [(f.original_name, f.document.name) for f in files] == [
        ("cccd.pdf", "Giấy tờ tùy thân"),
        ("to-khai.jpg", "Tờ khai đăng ký kết hôn"),
    ]
    assert len(stored_files(files_media)) == 2
    event = DossierEvent.objects.filter(dossier=asked).latest("id")
    assert (event.action, event.actor, event.note) == ("supply_supplement", people["citizen"], "Đã bổ sung đủ")
    assert [f["id"] for f in event.data["files"]] == [f.pk for f in files]
    page = client.get(mine("dossier", asked)).text
    assert "Gửi hồ sơ bổ sung" in page  # the timeline names the action
    assert "Đã gửi bổ sung, chờ Bộ phận Một cửa kiểm tra" in page


def test_a_second_answer_is_refused_and_stores_nothing(client, people, asked, files_media, mine_now):
    client.force_login(people["citizen"])
    assert _post(client, asked).status_code == 302
    count = DossierFile.objects.count()
    stored = stored_files(files_media)
    response = _post(client, asked)
    assert response.status_code == 400
    assert "Hồ sơ bổ sung đã được gửi" in response.text
    assert DossierFile.objects.count() == count
    assert stored_files(files_media) == stored


def test_a_late_answer_is_refused_clearly_and_stores_nothing(client, people, asked, files_media):
    deadline = asked.supplement_request.applicant_deadline
    before = snapshot(asked)
    with time_machine.travel(at("2026-04-30 09:00"), tick=False):
        client.force_login(people["citizen"])
        page = client.get(mine("supplement", asked)).text
        response = _post(client, asked)
    local = deadline.astimezone(at("2026-03-02 00:00").tzinfo)
    assert f"Đã quá hạn bổ sung hồ sơ ({local:%H:%M %d/%m/%Y})" in page
    assert "Gửi bổ sung</button>" not in page
    assert response.status_code == 400
    assert f"Đã quá hạn bổ sung hồ sơ ({local:%H:%M %d/%m/%Y})" in response.text
    _nothing_changed(asked, before, files_media)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([("cccd.pdf", b"not a pdf at all"), ("to-khai.jpg", jpeg_bytes())], "không đúng định dạng cho phép"),
        # The first file is fine and stored first: the second's refusal takes it back.
        ([("cccd.pdf", pdf_bytes()), ("to-khai.exe", b"MZ\x90\x00")], "không đúng định dạng cho phép"),
        ([("cccd.pdf", pdf_bytes() + b"x" * 2048), ("to-khai.jpg", jpeg_bytes())], "vượt quá dung lượng tối đa"),
    ],
)
def test_a_wrong_type_or_oversized_file_is_refused_and_nothing_is_stored(
    client,
    people,
    asked,
    files_media,
    mine_now,
    settings,
    files,
    message,
):
    settings.DOSSIER_MAX_FILE_BYTES = 1024
    before = snapshot(asked)
    client.force_login(people["citizen"])
    response = _post(client, asked, files)
    assert response.status_code == 400
    assert message in response.text
    _nothing_changed(asked, before, files_media)


def test_every_item_needs_its_file(client, people, asked, files_media, mine_now):
    before = snapshot(asked)
    client.force_login(people["citizen"])
    response = _post(client, asked, [("cccd.pdf", pdf_bytes())])
    assert response.status_code == 400
    assert "Cần chọn tệp cho “Tờ khai đăng ký kết hôn”." in response.text
    _nothing_changed(asked, before, files_media)


def test_a_dossier_without_a_pending_request_goes_back_to_its_page(client, people, prepared, mine_now):
    dossier = prepared("received")
    client.force_login(people["citizen"])
    response = client.get(mine("supplement", dossier))
    assert response["Location"] == mine("dossier", dossier)


# --- The engine ------------------------------------------------------------------------------------------------


def test_the_engine_refuses_files_of_another_kind_or_dossier(people, asked, prepared, files_media, mine_now):
    other = prepared("intake_supplement")
    stranger = services.dossier_supplement_supply(
        dossier=other, actor=people["citizen"], uploads=[(None, SimpleUploadedFile("a.pdf", pdf_bytes()))]
    ).files.get()
    with pytest.raises(DossierRefused, match="không thuộc hồ sơ này"):
        services.dossier_transition(
            dossier=asked, action="supply_supplement", actor=people["citizen"], files=[stranger.pk]
        )
    with pytest.raises(DossierRefused, match="ít nhất một tệp"):
        services.dossier_transition(dossier=asked, action="supply_supplement", actor=people["citizen"])


def test_a_supplied_dossier_is_not_expired_by_the_deadline_job(people, asked):
    services.dossier_transition(
        dossier=asked, action="supply_supplement", actor=people["citizen"], note="Đã gửi", now=at("2026-03-04 09:00")
    )
    with pytest.raises(DossierRefused, match="đã gửi hồ sơ bổ sung trong hạn"):
        services.dossier_transition(dossier=asked, action="expire_supplement", actor=None, now=at("2026-04-30 09:00"))


@pytest.mark.parametrize(("setup", "target"), [("intake_supplement", Status.RECEIVED), ("appraisal_supplement", None)])
def test_the_desk_accepts_a_supplied_dossier_and_the_sub_state_clears(people, prepared, setup, target):
    dossier = prepared(setup)
    dossier = advance(dossier, ("supply_supplement", "citizen", {"note": "Đã gửi"}), people=people)
    assert dossier.substate == SUPPLIED
    dossier = advance(dossier, ("accept_supplement", "desk", {}), people=people, when="2026-03-04 09:00")
    assert dossier.status == (target or Status.IN_PROCESSING)
    assert dossier.substate == ""
    assert dossier.supplement_request.supplied_at == at("2026-03-03 09:00")
    assert dossier.supplement_request.accepted_at == at("2026-03-04 09:00")


def test_the_desk_review_screen_receives_a_supplied_dossier(client, people, asked, files_media, mine_now):
    client.force_login(people["citizen"])
    assert _post(client, asked).status_code == 302
    asked.refresh_from_db()
    client.force_login(people["desk"])
    page = client.get(f"/desk/review/{asked.code}/")
    assert page.status_code == 200
    assert "cccd.pdf" in page.text
    assert "to-khai.jpg" in page.text
    response = client.post(
        f"/desk/review/{asked.code}/",
        {
            "expected_revision": asked.revision,
            "outcome": "receive",
            "checked": [d.pk for d in asked.documents.all()],
        },
    )
    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.substate) == (Status.RECEIVED, "")
