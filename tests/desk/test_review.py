"""The desk's online review (/desk/review/<code>/): checklist with files, files inline, ticks stored with the decision
(T3, T4, T5, T10), the acceptance window and the refusals."""

import subprocess

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.files import dossier_file_add
from dossiers.models import DossierEvent, DossierFile, PersonalDataAccess, SupplementRequest
from dossiers.workflow import Status
from tests.dossiers.conftest import advance, at
from tests.dossiers.files_fixtures import docx_bytes, files_media, jpeg_bytes, pdf_bytes, png_bytes  # noqa: F401
from tests.dossiers.transition_cases import snapshot

pytestmark = pytest.mark.django_db

NOW = at("2026-03-03 09:00")  # submitted Monday 10:00: the 8 working hours end Tuesday 10:00
LATE = at("2026-03-03 11:00")


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def online(submitted, people, files_media, frozen):  # noqa: F811
    """An online dossier waiting for acceptance, with a PDF and a PNG on the form and a JPEG and a DOCX on the ID."""
    dossier = submitted("2026-03-02 10:00")
    form, identity = dossier.documents.order_by("pk")
    for document, name, content in (
        (form, "to-khai.pdf", pdf_bytes()),
        (form, "trang-2.png", png_bytes()),
        (identity, "cccd.jpg", jpeg_bytes()),
        (identity, "ghi-chu.docx", docx_bytes()),
    ):
        dossier_file_add(
            dossier=dossier, upload=SimpleUploadedFile(name, content), actor=people["citizen"], document=document
        )
    return dossier


def url(dossier):
    return f"/desk/review/{dossier.code}/"


def file_of(dossier, name):
    return DossierFile.objects.get(dossier=dossier, original_name=name)


def inline(dossier, record):
    return f"/dossiers/{dossier.code}/files/{record.pk}/inline/"


def fetch(client, path):
    """GET a file, its stream consumed (which closes it; see tests/dossiers/test_files.py `fetch`)."""
    response = client.get(path)
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def decide(client, dossier, outcome, *, checked=(), **fields):
    data = {"expected_revision": dossier.revision, "outcome": outcome, "checked": [d.pk for d in checked], **fields}
    return client.post(url(dossier), data)


def documents(dossier):
    return list(dossier.documents.order_by("pk"))


# --- The screen ------------------------------------------------------------------------------------------------


def test_the_screen_lists_the_checklist_with_its_files_and_shows_the_first_one_inline(client, people, online):
    client.force_login(people["desk"])
    response = client.get(url(online))
    assert response.status_code == 200
    page = response.text
    for name in (
        "Tờ khai đăng ký kết hôn",
        "Giấy tờ tùy thân",
        "to-khai.pdf",
        "trang-2.png",
        "cccd.jpg",
        "ghi-chu.docx",
    ):
        assert name in page
    pdf = file_of(online, "to-khai.pdf")
    # The first file shows in the frame; every file links to its inline view and, without script, to ?file=<id>.
    assert f'<iframe class="review__frame" src="{inline(online, pdf)}"' in page
    for record in DossierFile.objects.filter(dossier=online):
        assert f'data-view="{inline(online, record)}"' in page
        assert f'href="?file={record.pk}"' in page
    assert (
        f'<input type="checkbox" name="checked" value="{documents(online)[0].pk}" id="check-{documents(online)[0].pk}">'
        in page
    )
    # The window: an hour left, not late.
    assert "còn 1 giờ 00 phút" in page
    assert "Tiếp nhận muộn" not in page
    assert 'src="/static/js/review.js"' in page
    assert "<script>" not in page
    # The staff read is logged, for the citizen's access history.
    assert PersonalDataAccess.objects.filter(dossier=online, user=people["desk"], purpose="review").exists()


def test_an_image_is_shown_in_an_img_and_a_docx_is_offered_for_download(client, people, online):
    client.force_login(people["desk"])
    png, docx = file_of(online, "trang-2.png"), file_of(online, "ghi-chu.docx")
    page = client.get(url(online), {"file": png.pk}).text
    assert f'<img class="review__image" src="{inline(online, png)}"' in page
    page = client.get(url(online), {"file": docx.pk}).text
    assert "Không xem trực tiếp được định dạng này" in page
    assert f'href="/dossiers/{online.code}/files/{docx.pk}/">Tải về' in page
    assert "<iframe" not in page


def test_the_inline_view_shows_pdf_and_images_framed_by_this_site_only(client, people, online):
    client.force_login(people["desk"])
    for name, content_type in (
        ("to-khai.pdf", "application/pdf"),
        ("trang-2.png", "image/png"),
        ("cccd.jpg", "image/jpeg"),
    ):
        response = fetch(client, inline(online, file_of(online, name)))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"].startswith("inline;")
        assert response["X-Frame-Options"] == "SAMEORIGIN"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        with file_of(online, name).file.open("rb") as stored:
            assert response.body == stored.read()
    # Any other type still downloads, and so does the ordinary download view; neither may be framed.
    docx = fetch(client, inline(online, file_of(online, "ghi-chu.docx")))
    assert docx["Content-Disposition"].startswith("attachment;")
    assert docx["X-Frame-Options"] == "DENY"
    download = fetch(client, f"/dossiers/{online.code}/files/{file_of(online, 'to-khai.pdf').pk}/")
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(("who", "status"), [("other_citizen", 404), ("other_desk", 404), ("citizen", 200)])
def test_the_inline_view_is_access_checked_like_the_download(client, people, online, who, status):
    client.force_login(people[who])
    assert fetch(client, inline(online, file_of(online, "to-khai.pdf"))).status_code == status


def test_a_dossier_no_longer_waiting_sends_the_desk_to_its_page(client, people, prepared):
    dossier = prepared("received")
    client.force_login(people["desk"])
    response = client.get(url(dossier))
    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{dossier.code}/"


def test_the_queue_s_waiting_rows_and_the_dossier_page_link_to_the_review(client, people, online):
    client.force_login(people["desk"])
    assert f'href="{url(online)}"' in client.get("/desk/").text
    assert f'href="{url(online)}"' in client.get(f"/dossiers/{online.code}/").text


# --- Decisions ---------------------------------------------------------------------------------------------------


def test_receive_stores_the_ticks_with_the_decision_and_points_to_the_receipt(client, people, online):
    client.force_login(people["desk"])
    form, identity = documents(online)
    response = decide(client, online, "receive", checked=[form, identity], receive_note="Đủ thành phần")
    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{online.code}/"
    online.refresh_from_db()
    assert online.status == Status.RECEIVED
    assert online.received_at == NOW
    assert online.late_acceptance is False
    assert [d.checked for d in documents(online)] == [True, True]
    event = DossierEvent.objects.get(dossier=online, action="receive")
    assert event.data["checked_documents"] == [form.pk, identity.pk]
    assert event.note == "Đủ thành phần"
    page = client.get(response["Location"]).text
    assert f'href="/dossiers/{online.code}/forms/receipt.pdf" target="_blank"' in page


def test_receive_with_a_required_document_unticked_is_refused_and_changes_nothing(client, people, online):
    client.force_login(people["desk"])
    before = snapshot(online)
    response = decide(client, online, "receive", checked=documents(online)[:1])
    assert response.status_code == 400
    assert "Còn 1 giấy tờ bắt buộc chưa đánh dấu đã kiểm tra" in response.text
    # The ticks the officer made are kept on the page shown again.
    first = documents(online)[0]
    assert f'value="{first.pk}" id="check-{first.pk}" checked' in response.text
    assert snapshot(online) == before


def test_supplement_lists_every_unticked_document_once_with_the_extra_lines(client, people, online):
    client.force_login(people["desk"])
    form, identity = documents(online)
    response = decide(
        client,
        online,
        "supplement",
        checked=[form],
        **{
            f"missing_{identity.pk}": "Bản sao có chứng thực",
            "supplement_extra": "Giấy tờ tùy thân: còn hạn sử dụng\nTờ khai đăng ký kết hôn: ký đủ hai bên\n"
            "Tờ khai đăng ký kết hôn: ký đủ hai bên",
            "supplement_note": "Hồ sơ chưa đầy đủ",
            "supplement_legal_basis": "Nghị định 118/2025/NĐ-CP",
        },
    )
    assert response.status_code == 302
    online.refresh_from_db()
    assert online.status == Status.SUPPLEMENT_REQUESTED
    request = SupplementRequest.objects.get(dossier=online)
    assert [(i["document"], i["content"]) for i in request.items] == [
        ("Giấy tờ tùy thân", "Bản sao có chứng thực còn hạn sử dụng"),
        ("Tờ khai đăng ký kết hôn", "ký đủ hai bên"),
    ]
    assert (request.reason, request.legal_basis) == ("Hồ sơ chưa đầy đủ", "Nghị định 118/2025/NĐ-CP")
    assert [d.checked for d in documents(online)] == [True, False]
    assert f'href="/dossiers/{online.code}/forms/supplement.pdf"' in client.get(response["Location"]).text


def test_supplement_items_default_to_the_unticked_documents(client, people, online):
    client.force_login(people["desk"])
    response = decide(client, online, "supplement", supplement_note="Thiếu giấy tờ")
    assert response.status_code == 302
    items = SupplementRequest.objects.get(dossier=online).items
    assert [i["document"] for i in items] == ["Tờ khai đăng ký kết hôn", "Giấy tờ tùy thân"]
    assert {i["content"] for i in items} == {"Chưa có trong hồ sơ, cần nộp bổ sung."}


def test_supplement_with_everything_ticked_and_nothing_written_is_refused(client, people, online):
    client.force_login(people["desk"])
    before = snapshot(online)
    response = decide(client, online, "supplement", checked=documents(online), supplement_note="x")
    assert response.status_code == 400
    assert "Chưa có nội dung cần bổ sung" in response.text
    assert snapshot(online) == before


def test_refuse_with_reasons_and_legal_basis_points_to_form_03(client, people, online):
    client.force_login(people["desk"])
    response = decide(
        client,
        online,
        "refuse",
        checked=documents(online)[1:],
        refusal_note="Không thuộc thẩm quyền giải quyết của UBND phường",
        refusal_legal_basis="Điều 9 Nghị định 118/2025/NĐ-CP",
    )
    assert response.status_code == 302
    online.refresh_from_db()
    assert online.status == Status.REFUSED
    event = DossierEvent.objects.get(dossier=online, action="refuse")
    assert event.note == "Không thuộc thẩm quyền giải quyết của UBND phường"
    assert event.data["legal_basis"] == "Điều 9 Nghị định 118/2025/NĐ-CP"
    assert [d.checked for d in documents(online)] == [False, True]
    page = client.get(response["Location"]).text
    assert f'href="/dossiers/{online.code}/forms/refusal.pdf" target="_blank"' in page
    pdf = client.get(f"/dossiers/{online.code}/forms/refusal.pdf")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.getvalue(), capture_output=True, check=True).stdout
    assert "Không thuộc thẩm quyền giải quyết của UBND phường" in " ".join(text.decode().split())


def test_refuse_without_a_reason_is_shown_on_its_field(client, people, online):
    client.force_login(people["desk"])
    before = snapshot(online)
    response = decide(client, online, "refuse", refusal_note="  ")
    assert response.status_code == 400
    assert response.context["form"].errors["refusal_note"] == ["Cần nêu rõ lý do không tiếp nhận hồ sơ."]
    assert snapshot(online) == before


def test_a_stale_page_is_told_who_changed_the_dossier(client, people, online):
    client.force_login(people["desk"])
    data = {"expected_revision": online.revision - 1, "outcome": "refuse", "refusal_note": "Không đủ điều kiện"}
    response = client.post(url(online), data)
    assert response.status_code == 409
    online.refresh_from_db()
    assert online.status == Status.SUBMITTED


def test_a_document_of_another_dossier_cannot_be_ticked(client, people, online, submitted):
    other = submitted("2026-03-02 10:30")
    client.force_login(people["desk"])
    before = snapshot(online)
    data = {"expected_revision": online.revision, "outcome": "refuse", "refusal_note": "x"}
    response = client.post(url(online), {**data, "checked": [documents(other)[0].pk]})
    assert response.status_code == 400
    assert snapshot(online) == before


def test_the_late_window_is_shown_and_the_decision_flagged_late(client, people, online, frozen):
    frozen.move_to(LATE)
    client.force_login(people["desk"])
    page = client.get(url(online)).text
    assert "Tiếp nhận muộn" in page
    assert "quá 1 giờ 00 phút" in page
    assert "10:00 03/03/2026" in page
    decide(client, online, "receive", checked=documents(online))
    online.refresh_from_db()
    assert (online.status, online.late_acceptance) == (Status.RECEIVED, True)


def test_a_dossier_back_from_a_supplement_is_received_with_t10_and_its_ticks(client, people, online):
    online = services.dossier_transition(
        dossier=online,
        action="request_supplement_intake",
        actor=people["desk"],
        note="Thiếu",
        items=[{"document": "Giấy tờ tùy thân", "content": "Bản sao"}],
    )
    client.force_login(people["desk"])
    page = client.get(url(online)).text
    assert "Nhận hồ sơ bổ sung" in page
    assert "Giấy tờ tùy thân: Bản sao" in page
    assert 'value="refuse"' not in page
    assert 'value="supplement"' not in page
    response = decide(client, online, "receive", checked=documents(online))
    assert response.status_code == 302
    online.refresh_from_db()
    assert online.status == Status.RECEIVED
    assert DossierEvent.objects.filter(dossier=online, action="accept_supplement").exists()
    assert all(d.checked for d in documents(online))


# --- Who may ----------------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client, online):
    response = client.get(url(online))
    assert response.status_code == 302
    assert response["Location"].startswith(f"/accounts/login/?next={url(online)}")


@pytest.mark.parametrize(
    ("who", "status"),
    [("citizen", 403), ("other_citizen", 403), ("officer", 403), ("leader", 404), ("head", 403), ("other_desk", 404)],
)
def test_only_the_agency_s_desk_may_review(client, people, online, who, status):
    client.force_login(people[who])
    before = snapshot(online)
    assert client.get(url(online)).status_code == status
    response = decide(client, online, "refuse", checked=documents(online), refusal_note="Không đủ điều kiện")
    assert response.status_code == status
    assert snapshot(online) == before


def test_the_review_page_query_count_does_not_grow_with_files(client, people, online, django_assert_num_queries):
    client.force_login(people["desk"])
    client.get(url(online))  # warm the session
    with django_assert_num_queries(10):
        assert client.get(url(online)).status_code == 200
    form = documents(online)[0]
    for n in range(4):
        dossier_file_add(
            dossier=online, upload=SimpleUploadedFile(f"them-{n}.pdf", pdf_bytes()), actor=people["desk"], document=form
        )
    with django_assert_num_queries(10):
        assert client.get(url(online)).status_code == 200


# --- A supplement answered online (T10) -------------------------------------------------------------------------


def test_a_supplement_answered_online_shows_its_files_apart_explains_and_is_accepted(client, people, online, frozen):
    online = services.dossier_transition(
        dossier=online,
        action="request_supplement_intake",
        actor=people["desk"],
        note="Thiếu",
        items=[{"document": "Giấy tờ tùy thân", "content": "Bản sao"}],
    )
    identity = documents(online)[1]
    online = services.dossier_supplement_supply(
        dossier=online,
        actor=people["citizen"],
        uploads=[(identity, SimpleUploadedFile("cccd-bo-sung.pdf", pdf_bytes()))],
        note="Đã bổ sung",
        now=at("2026-03-03 09:30"),
    )
    added = file_of(online, "cccd-bo-sung.pdf")
    assert added.kind == DossierFile.Kind.SUPPLEMENT
    frozen.move_to(at("2026-03-04 08:00"))
    client.force_login(people["desk"])
    page = client.get(url(online)).text
    supplied = page[page.index('id="review-supplied"') : page.index("</div>", page.index('id="review-supplied"'))]
    assert "09:30 03/03/2026" in supplied
    assert f'data-view="{inline(online, added)}"' in supplied
    assert "cccd.jpg" not in supplied  # only what the applicant sent in answer
    assert "<span data-viewing>cccd-bo-sung.pdf</span>" in page  # the answer is what opens first
    assert f'<iframe class="review__frame" src="{inline(online, added)}"' in page
    assert '<span class="badge review-doc__supplement">bổ sung</span>' in page
    assert "thời hạn giải quyết bắt đầu tính từ lúc nhận" in page  # after an intake request: received now
    response = decide(client, online, "receive", checked=documents(online))
    assert response.status_code == 302
    online.refresh_from_db()
    assert (online.status, online.substate, online.received_at) == (Status.RECEIVED, "", at("2026-03-04 08:00"))
    request = SupplementRequest.objects.get(dossier=online)
    assert (request.supplied_at, request.accepted_at) == (at("2026-03-03 09:30"), at("2026-03-04 08:00"))


@pytest.mark.parametrize(("mode", "says"), [("restart", "tính lại từ đầu"), ("continue", "tính tiếp thời gian còn")])
def test_accepting_an_appraisal_supplement_says_what_the_clock_does(client, people, receive, make_version, mode, says):
    dossier = receive("2026-03-02 10:00", version=make_version(mode=mode))
    steps = [
        ("forward", "desk", {}),
        ("request_supplement", "officer", {"note": "Thiếu", "items": [{"document": "Giấy tờ tùy thân"}]}),
        ("supply_supplement", "citizen", {"note": "Đã bổ sung"}),
    ]
    dossier = advance(dossier, *steps, people=people, when="2026-03-03 09:00")
    with time_machine.travel(at("2026-03-04 09:00"), tick=False):
        client.force_login(people["desk"])
        page = client.get(url(dossier)).text
    assert 'id="review-explain"' in page
    assert says in page
    assert "Người nộp không gửi tệp" in page  # answered with a note only
