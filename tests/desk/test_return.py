"""The desk's return screen (/dossiers/<code>/return/): fees first, then the result handed over at the counter or
posted and delivered; the handover record printed; the dossier's class shown (docs/domain.md §4.1 T16)."""

import re
import shutil
import subprocess
import unicodedata

import pytest
import time_machine

from dossiers.models import DocumentForm, Dossier, DossierEvent, PaymentState, ResultHandover, ReturnMethod
from dossiers.workflow import Status
from tests.dossiers.conftest import at
from tests.dossiers.transition_cases import snapshot

pytestmark = pytest.mark.django_db

NOW = at("2026-03-03 09:00")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def url(dossier) -> str:
    return f"/dossiers/{dossier.code}/return/"


def counter_post(dossier, **extra) -> dict:
    return {
        "step": "counter",
        "expected_revision": dossier.revision,
        "receiver_kind": "owner",
        "receiver": "Hoàng Thị Mai",
        "receiver_id_number": "038190001234",
        "id_checked": "on",
        **extra,
    }


def pdf_text(pdf: bytes) -> str:
    """The text poppler's pdftotext reads, NFC, whitespace collapsed."""
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def test_the_screen_offers_the_counter_handover_pre_filled_from_the_dossier(client, prepared, people):
    dossier = prepared("result_ready")
    original = dossier.documents.get(form=DocumentForm.ORIGINAL)
    client.force_login(people["desk"])

    page = client.get(url(dossier)).text

    assert 'href="?method=counter" aria-current="page"' in page
    assert 'name="step" value="counter"' in page
    assert 'value="Hoàng Thị Mai"' in page
    assert 'value="038190001234"' in page
    assert 'name="id_checked"' in page
    assert f'value="{original.pk}"' in page
    assert original.name in page
    assert 'name="step" value="fee"' not in page  # nothing to collect
    assert "15/QĐ" in page


def test_the_desk_returns_the_result_at_the_counter_and_prints_the_handover(client, prepared, people):
    dossier = prepared("result_ready")
    original = dossier.documents.get(form=DocumentForm.ORIGINAL)
    client.force_login(people["desk"])

    done = client.post(url(dossier), counter_post(dossier, originals_returned=[original.pk]))

    assert (done.status_code, done["Location"]) == (302, url(dossier))
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED
    assert DossierEvent.objects.filter(dossier=dossier, action="return_result", actor=people["desk"]).count() == 1
    handover = ResultHandover.objects.get(dossier=dossier)
    assert handover.originals_returned == [{"id": original.pk, "name": original.name, "count": original.count}]

    page = client.get(url(dossier)).text
    record = f"/dossiers/{dossier.code}/forms/handover.pdf"
    assert f'href="{record}"' in page  # in the message and as the page's button
    assert "Đã trả kết quả" in page
    assert f"rt-class--{dossier.outcome}" in page
    assert dossier.get_outcome_display() in page
    # The dossier page shows its class too, and offers the record among its papers.
    detail = client.get(f"/dossiers/{dossier.code}/").text
    assert dossier.get_outcome_display() in detail
    assert record in detail


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
def test_the_handover_record_names_the_receiver_the_id_the_code_and_the_time(client, prepared, people):
    dossier = prepared("result_ready")
    original = dossier.documents.get(form=DocumentForm.ORIGINAL)
    client.force_login(people["desk"])
    client.post(url(dossier), counter_post(dossier, originals_returned=[original.pk]))

    response = client.get(f"/dossiers/{dossier.code}/forms/handover.pdf")

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    text = pdf_text(response.content)
    assert "PHIẾU GIAO NHẬN KẾT QUẢ GIẢI QUYẾT HỒ SƠ" in text
    assert dossier.code in text
    assert "Hoàng Thị Mai (Chủ hồ sơ)" in text
    assert "Số giấy tờ tùy thân: 038190001234 — đã kiểm tra giấy tờ tùy thân" in text
    assert original.name in text
    assert "Thời gian trả kết quả: 09 giờ 00 phút, ngày 03 tháng 3 năm 2026" in text
    assert "NGƯỜI NHẬN" in text
    assert "NGƯỜI TRẢ KẾT QUẢ" in text
    assert "15/QĐ" in text
    assert "Mẫu số" not in text  # not a form of the circular


def test_the_handover_record_is_not_offered_before_the_return(client, prepared, people):
    dossier = prepared("result_ready")
    client.force_login(people["desk"])
    assert "handover.pdf" not in client.get(f"/dossiers/{dossier.code}/").text
    response = client.get(f"/dossiers/{dossier.code}/forms/handover.pdf", follow=True)
    assert "chưa có phiếu giao nhận kết quả" in response.text


def test_without_the_id_check_nothing_is_returned_and_the_field_says_why(client, prepared, people):
    dossier = prepared("result_ready")
    before = snapshot(dossier)
    client.force_login(people["desk"])

    response = client.post(url(dossier), counter_post(dossier, id_checked=""))

    assert response.status_code == 400
    assert "Cần kiểm tra giấy tờ tùy thân của người nhận trước khi trả kết quả." in response.text
    assert "rt-tick field--error" in response.text
    assert snapshot(dossier) == before


def test_thu_sau_fees_are_collected_on_the_screen_before_the_return_form(client, prepared, people):
    dossier = prepared("result_ready_fee_after")
    client.force_login(people["desk"])

    page = client.get(url(dossier)).text
    assert 'name="step" value="fee"' in page
    assert 'value="16000"' in page
    assert 'name="step" value="counter"' not in page  # the fee first
    assert 'name="step" value="counter"' not in client.get(url(dossier) + "?method=counter").text

    done = client.post(
        url(dossier),
        {
            "step": "fee",
            "expected_revision": dossier.revision,
            "amount": "16000",
            "payment_method": "transfer",
            "receipt_number": "BL-0042",
        },
    )

    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.payment_state == PaymentState.PAID
    page = client.get(url(dossier)).text
    assert "Đã thu 16.000 đồng, biên lai số BL-0042" in page
    assert 'name="step" value="counter"' in page
    assert client.post(url(dossier), counter_post(dossier)).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RETURNED


def test_the_desk_posts_the_result_then_records_the_delivery(client, prepared, people):
    dossier = prepared("result_ready")
    Dossier.objects.filter(pk=dossier.pk).update(return_method=ReturnMethod.POST)
    client.force_login(people["desk"])

    page = client.get(url(dossier)).text  # the method registered at receipt is pre-selected
    assert 'href="?method=post" aria-current="page"' in page
    assert 'name="step" value="post"' in page

    posted = client.post(
        url(dossier),
        {
            "step": "post",
            "expected_revision": dossier.revision,
            "postal_operator": "Bưu điện Việt Nam",
            "tracking_number": "EE123456789VN",
        },
    )
    assert (posted.status_code, posted["Location"]) == (302, url(dossier) + "?method=post")
    dossier.refresh_from_db()
    assert (dossier.status, dossier.substate) == (Status.RESULT_READY, "posting")
    page = client.get(posted["Location"]).text
    assert "mã vận đơn EE123456789VN" in page
    assert 'name="step" value="delivered"' in page

    delivered = client.post(
        url(dossier),
        {"step": "delivered", "expected_revision": dossier.revision, "delivered_on": "03/03/2026", "receiver": "Mai"},
    )

    assert delivered.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.status, dossier.substate) == (Status.RETURNED, "")
    handover = ResultHandover.objects.get(dossier=dossier)
    assert (handover.method, handover.tracking_number, handover.receiver) == ("post", "EE123456789VN", "Mai")


def test_a_dossier_without_a_result_cannot_be_returned_here(client, prepared, people):
    dossier = prepared("in_processing")
    before = snapshot(dossier)
    client.force_login(people["desk"])
    page = client.get(url(dossier))
    assert page.status_code == 200
    assert "Hồ sơ chưa có kết quả để trả" in page.text
    assert client.post(url(dossier), counter_post(dossier)).status_code == 400
    assert snapshot(dossier) == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("citizen", 403), ("other_desk", 404), ("officer", 403), ("leader", 404), ("desk", 200)],
)
def test_who_may_open_the_return_screen(client, prepared, people, who, status):
    dossier = prepared("result_ready")
    if who != "anonymous":
        client.force_login(people[who])
    before = snapshot(dossier)
    assert client.get(url(dossier)).status_code == status
    if status != 200:
        assert client.post(url(dossier), counter_post(dossier)).status_code == status
        assert snapshot(dossier) == before


def test_the_desk_of_a_processing_agency_is_not_the_receiving_desk(client, prepared, people, agencies):
    dossier = prepared("result_ready")
    Dossier.objects.filter(pk=dossier.pk).update(processing_agency=agencies["000.00.32.H56"])
    client.force_login(people["other_desk"])  # sees the dossier (it is processed there), does not return it
    assert client.get(f"/dossiers/{dossier.code}/").status_code == 200
    assert client.get(url(dossier)).status_code == 404


def test_the_dossier_page_and_the_queue_link_to_the_return_screen(client, prepared, people):
    dossier = prepared("result_ready")
    client.force_login(people["desk"])
    detail = client.get(f"/dossiers/{dossier.code}/").text
    assert f'class="btn btn--primary" href="{url(dossier)}">Trả kết quả</a>' in detail
    assert f'href="{url(dossier)}?method=post"' in detail
    assert f'href="{url(dossier)}"' in client.get("/desk/").text
    # The generic action form sends the desk here.
    generic = client.get(f"/dossiers/{dossier.code}/actions/return_result/")
    assert (generic.status_code, generic["Location"]) == (302, url(dossier))


def test_the_return_screen_runs_a_fixed_number_of_queries(client, prepared, people, django_assert_num_queries):
    dossier = prepared("result_ready")
    client.force_login(people["desk"])
    client.get(url(dossier))  # warm the session
    # session, user, profile, the receiving-agency check, the reader's agency, the dossier with its relations and
    # prefetches (identities, documents, steps and their agencies, fees, events), the read log.
    with django_assert_num_queries(13):
        assert client.get(url(dossier)).status_code == 200


def test_a_posted_result_opens_on_its_delivery_whatever_the_registered_method(client, prepared, people):
    dossier = prepared("result_ready")
    assert dossier.return_method == ReturnMethod.COUNTER
    client.force_login(people["desk"])
    client.post(
        url(dossier),
        {
            "step": "post",
            "expected_revision": dossier.revision,
            "postal_operator": "VNPost",
            "tracking_number": "EE1VN",
        },
    )
    page = client.get(url(dossier)).text
    assert 'href="?method=post" aria-current="page"' in page
    assert 'name="step" value="delivered"' in page
