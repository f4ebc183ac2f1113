"""The walk-in intake screen (T2): the desk receives a counter or postal dossier in one page."""

import subprocess

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import services
from dossiers.errors import DossierRefused
from dossiers.models import (
    Applicant,
    ApplicantIdentity,
    CodeCounter,
    DocumentNumber,
    Dossier,
    DossierFile,
    FeeMode,
    PaymentState,
    RegisterEntry,
    ReturnMethod,
    SupplementRequest,
)
from dossiers.workflow import Status
from tests.dossiers.conftest import COMMUNE, advance, at
from tests.dossiers.files_fixtures import exe_bytes, files_media, jpeg_bytes, pdf_bytes, stored_files  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/desk/intake/"
NOW = at("2026-03-03 09:00")
KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def version(make_version):
    return make_version(fee=50000)


RECEIPT_NO = "0001234"


def post_data(version, **overrides):
    """The form as the desk sends it: every document ticked, the first fee line ticked and, for "thu trước", the
    payment of that line."""
    first, second = version.documents.order_by("order")
    fee = version.fees.order_by("order", "pk").first()
    payment = {"fees": [str(fee.pk)], "amount": str(fee.amount), "payment_method": "cash", "receipt_number": RECEIPT_NO}
    data = {
        **(payment if fee is not None else {}),
        "procedure": version.procedure.code,
        "client_key": KEY,
        "id_type": "cccd",
        "id_number": "038190009999",
        "kind": "1",
        "name": "Nguyễn Văn An",
        "phone": "0912000111",
        "email": "an@example.vn",
        "address": "5 Trần Phú, phường Hạc Thành",
        "representative_name": "",
        "representative_id": "",
        "fee_mode": FeeMode.BEFORE,
        "return_method": ReturnMethod.COUNTER,
        "channel": "1",
        "summary": "Đăng ký kết hôn cho công dân",
        "sets_count": "1",
        f"doc_{first.pk}_checked": "on",
        f"doc_{first.pk}_form": "original",
        f"doc_{first.pk}_count": "1",
        f"doc_{second.pk}_checked": "on",
        f"doc_{second.pk}_form": "certified",
        f"doc_{second.pk}_count": "2",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def nothing_saved():
    return not Applicant.objects.exists() and not Dossier.objects.exists() and not CodeCounter.objects.exists()


# --- Access ----------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/desk/intake/")


@pytest.mark.parametrize("who", ["citizen", "officer", "head", "leader", "admin"])
def test_only_the_desk_may_receive(client, people, version, who):
    client.force_login(people[who])
    assert client.get(URL, {"procedure": version.procedure.code}).status_code == 403
    assert client.post(URL, post_data(version)).status_code == 403
    assert not Dossier.objects.exists()
    assert not Applicant.objects.exists()


def test_the_desk_of_another_agency_cannot_receive_this_agency_s_procedure(client, people, version):
    client.force_login(people["other_desk"])
    page = client.get(URL, {"procedure": version.procedure.code})
    assert page.status_code == 400
    assert "không thuộc thẩm quyền tiếp nhận của" in page.text
    response = client.post(URL, post_data(version))
    assert response.status_code == 400
    assert "không thuộc thẩm quyền tiếp nhận của" in response.text
    assert nothing_saved()


def test_an_unknown_procedure_is_refused_by_name(client, people, version):
    client.force_login(people["desk"])
    response = client.post(URL, post_data(version, procedure="9.999999"))
    assert response.status_code == 400
    assert "Không tìm thấy thủ tục đang có hiệu lực có mã “9.999999”" in response.text
    assert nothing_saved()


# --- Step 1: the procedure ---------------------------------------------------------------------------------


def test_the_pick_lists_the_agency_s_procedures_searched_without_accents(client, people, make_version, agencies):
    mine = make_version()
    other = make_version()
    other.agencies.set([agencies["000.00.32.H56"]])
    client.force_login(people["desk"])
    page = client.get(URL).text
    assert f'value="{mine.procedure.code}"' in page
    assert f'value="{other.procedure.code}"' not in page
    assert f'value="{mine.procedure.code}"' in client.get(URL, {"q": "ket hon"}).text
    assert f'value="{mine.procedure.code}"' not in client.get(URL, {"q": "khai sinh"}).text


def test_the_form_shows_the_checklist_fees_with_total_and_a_fresh_client_key(client, people, make_version):
    version = make_version(fee=50000)
    copy = version.fees.create(name="Phí sao lục", amount=8000, order=2)
    client.force_login(people["desk"])
    first = client.get(URL, {"procedure": version.procedure.code})
    assert first.status_code == 200
    page = first.text
    assert "Tờ khai đăng ký kết hôn" in page
    assert "Giấy tờ tùy thân" in page
    assert "Lệ phí: <strong>50.000 đồng</strong>" in page
    assert "Phí sao lục: <strong>8.000 đồng</strong>" in page
    # The lines are not summed: the first (the catalogue's main fee) starts ticked, the desk ticks what else applies.
    assert "58.000 đồng" not in page
    assert "data-fee-total>50.000 đồng</strong>" in page
    assert f'name="fees" value="{copy.pk}" data-amount="8000">' in page
    # The declared labels of T2 and of collect_fee (dossiers/workflow.py).
    labels = ("Hình thức thu phí, lệ phí", "Hình thức nhận kết quả", "Kênh nộp hồ sơ", "Số lượng hồ sơ (bộ)")
    for label in (*labels, "Phí, lệ phí áp dụng", "Số tiền đã thu (đồng)", "Hình thức thanh toán", "Số biên lai"):
        assert label in page
    key = first.context["form"].initial["client_key"]
    assert len(key) == 32
    assert client.get(URL, {"procedure": version.procedure.code}).context["form"].initial["client_key"] != key


# --- Step 2: the applicant lookup ------------------------------------------------------------------------


def test_a_known_id_number_prefills_the_applicant(client, people, version, applicant_for):
    applicant_for(name="Hoàng Thị Mai")
    client.force_login(people["desk"])
    response = client.get(URL, {"procedure": version.procedure.code, "id_type": "cccd", "id_number": "038190001234"})
    form = response.context["form"]
    assert form["name"].value() == "Hoàng Thị Mai"
    assert form["phone"].value() == "0912345678"
    assert form["address"].value() == "12 Lê Hoàn, phường Hạc Thành"
    assert form["id_number"].value() == "038190001234"
    assert "Đã tìm thấy chủ hồ sơ" in response.text
    assert 'name="name" value="Hoàng Thị Mai" maxlength="255" autofocus required id="id_name"' in response.text


def test_an_unknown_id_number_says_so_and_keeps_the_number(client, people, version):
    client.force_login(people["desk"])
    response = client.get(URL, {"procedure": version.procedure.code, "id_type": "cccd", "id_number": "038190000000"})
    assert response.context["form"]["id_number"].value() == "038190000000"
    assert response.context["form"]["name"].value() is None
    assert "Chưa có chủ hồ sơ với số giấy tờ này" in response.text


def test_a_malformed_id_number_in_the_lookup_says_why(client, people, version):
    client.force_login(people["desk"])
    response = client.get(URL, {"procedure": version.procedure.code, "id_type": "cccd", "id_number": "0381"})
    assert response.status_code == 200
    assert "Số định danh cá nhân gồm đúng 12 chữ số." in response.text
    assert "Chưa có chủ hồ sơ" not in response.text


# --- Receiving -----------------------------------------------------------------------------------------


def test_receive_creates_the_dossier_and_points_to_the_receipt(client, people, version):
    client.force_login(people["desk"])
    response = client.post(URL, post_data(version, fee_mode=FeeMode.AFTER, sets_count="2"))
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{dossier.code}/"
    assert dossier.code.startswith(f"{COMMUNE}-260303-")
    assert dossier.status == Status.RECEIVED
    assert dossier.received_at == NOW
    assert dossier.client_key == KEY
    assert (dossier.fee_mode, dossier.sets_count, dossier.channel) == (FeeMode.AFTER, 2, 1)
    assert dossier.summary == "Đăng ký kết hôn cho công dân"
    assert dossier.applicant.name == "Nguyễn Văn An"
    identity = ApplicantIdentity.objects.get(applicant=dossier.applicant)
    assert (identity.doc_type, identity.number) == ("cccd", "038190009999")
    rows = {d.name: (d.checked, d.form, d.count) for d in dossier.documents.all()}
    assert rows == {"Tờ khai đăng ký kết hôn": (True, "original", 1), "Giấy tờ tùy thân": (True, "certified", 2)}
    page = client.get(response["Location"]).text
    assert f'href="/dossiers/{dossier.code}/forms/receipt.pdf" target="_blank"' in page
    assert f"Đã tiếp nhận hồ sơ {dossier.code}." in page


def test_a_citizen_s_personal_id_links_the_dossier_to_their_account(client, people, version):
    client.force_login(people["desk"])
    client.post(URL, post_data(version, id_number="038190001234", name="Hoàng Thị Mai"))
    assert Dossier.objects.get().owner == people["citizen"]


def test_a_representative_and_a_postal_return_are_kept(client, people, version):
    client.force_login(people["desk"])
    data = post_data(
        version,
        representative_name="Trần Văn Bình",
        representative_id="038190007777",
        return_method=ReturnMethod.POST,
        channel="3",
    )
    assert client.post(URL, data).status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.representative.name == "Trần Văn Bình"
    assert dossier.representative.identities.get().number == "038190007777"
    assert (dossier.return_method, dossier.channel) == (ReturnMethod.POST, 3)


def test_a_double_submit_creates_one_dossier(client, people, version):
    client.force_login(people["desk"])
    first = client.post(URL, post_data(version))
    second = client.post(URL, post_data(version))
    dossier = Dossier.objects.get()
    assert first["Location"] == second["Location"] == f"/dossiers/{dossier.code}/"
    assert Applicant.objects.count() == 1
    assert CodeCounter.objects.get().last == 1
    assert "đã được ghi nhận trước đó, không tạo hồ sơ mới" in client.get(second["Location"]).text


def test_a_concurrent_double_submit_is_settled_by_the_engine_s_client_key(client, people, version, monkeypatch):
    """Both requests passed the early look-up (the second arrived before the first committed): the unique client
    key makes the engine return the first dossier, and the second request's applicant is rolled back."""
    client.force_login(people["desk"])
    first = client.post(URL, post_data(version))
    monkeypatch.setattr("desk.views_intake._replayed", lambda request, agency: None)
    second = client.post(URL, post_data(version, name="Nguyễn Văn An (lần 2)"))
    assert second["Location"] == first["Location"]
    assert Dossier.objects.count() == 1
    assert list(Applicant.objects.values_list("name", flat=True)) == ["Nguyễn Văn An"]
    assert CodeCounter.objects.get().last == 1


def test_the_nav_links_to_intake_for_the_desk_only(client, people):
    client.force_login(people["desk"])
    assert 'href="/desk/intake/"' in client.get("/").text
    client.force_login(people["officer"])
    assert 'href="/desk/intake/"' not in client.get("/").text


def test_a_new_client_key_receives_a_second_dossier(client, people, version):
    client.force_login(people["desk"])
    client.post(URL, post_data(version))
    client.post(URL, post_data(version, client_key="f" * 32))
    assert Dossier.objects.count() == 2


# --- Scans ---------------------------------------------------------------------------------------------


def test_scans_are_stored_on_their_document(client, people, version, files_media):  # noqa: F811
    client.force_login(people["desk"])
    first, second = version.documents.order_by("order")
    data = post_data(version)
    data[f"doc_{first.pk}_files"] = [
        SimpleUploadedFile("to-khai.pdf", pdf_bytes()),
        SimpleUploadedFile("trang-2.jpg", jpeg_bytes()),
    ]
    data[f"doc_{second.pk}_files"] = SimpleUploadedFile("cccd.pdf", pdf_bytes())
    assert client.post(URL, data).status_code == 302
    files = {(f.original_name, f.document.name, f.content_type) for f in DossierFile.objects.select_related("document")}
    assert files == {
        ("to-khai.pdf", "Tờ khai đăng ký kết hôn", "application/pdf"),
        ("trang-2.jpg", "Tờ khai đăng ký kết hôn", "image/jpeg"),
        ("cccd.pdf", "Giấy tờ tùy thân", "application/pdf"),
    }
    assert len(stored_files(files_media)) == 3


def test_a_refused_scan_refuses_the_whole_intake_and_names_the_file(client, people, version, files_media):  # noqa: F811
    client.force_login(people["desk"])
    first, second = version.documents.order_by("order")
    data = post_data(version)
    data[f"doc_{first.pk}_files"] = SimpleUploadedFile("to-khai.pdf", pdf_bytes())
    data[f"doc_{second.pk}_files"] = SimpleUploadedFile("virus.pdf", exe_bytes())
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "Tệp “virus.pdf” không đúng định dạng cho phép" in response.text
    assert nothing_saved()
    assert not DossierFile.objects.exists()
    assert stored_files(files_media) == []


def test_a_scan_over_the_size_limit_is_refused(client, people, version, files_media, settings):  # noqa: F811
    settings.DOSSIER_MAX_FILE_BYTES = 100
    client.force_login(people["desk"])
    first = version.documents.order_by("order").first()
    data = post_data(version)
    data[f"doc_{first.pk}_files"] = SimpleUploadedFile("to-khai.pdf", pdf_bytes() + b"0" * 200)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "Tệp “to-khai.pdf”" in response.text
    assert "vượt quá dung lượng tối đa" in response.text
    assert nothing_saved()
    assert stored_files(files_media) == []


def test_scans_over_the_dossier_total_are_refused_before_anything_is_written(
    client,
    people,
    version,
    files_media,  # noqa: F811
    settings,
):
    settings.DOSSIER_MAX_TOTAL_BYTES = len(pdf_bytes()) + 10
    client.force_login(people["desk"])
    first, second = version.documents.order_by("order")
    data = post_data(version)
    data[f"doc_{first.pk}_files"] = SimpleUploadedFile("a.pdf", pdf_bytes())
    data[f"doc_{second.pk}_files"] = SimpleUploadedFile("b.pdf", pdf_bytes())
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "Tổng dung lượng các bản quét vượt quá" in response.text
    assert nothing_saved()
    assert stored_files(files_media) == []


# --- Bad input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Cần nhập họ tên hoặc tên tổ chức của chủ hồ sơ."),
        ({"name": "   "}, "Cần nhập họ tên hoặc tên tổ chức của chủ hồ sơ."),
        ({"id_number": "12345"}, "Số định danh cá nhân gồm đúng 12 chữ số."),
        ({"id_number": ""}, "Cần nhập số giấy tờ của chủ hồ sơ."),
        ({"email": "not-an-email"}, "Địa chỉ thư điện tử không hợp lệ."),
        ({"sets_count": "0"}, "Số lượng hồ sơ ít nhất là 1 bộ."),
        ({"summary": "x" * 1001}, "Nội dung yêu cầu giải quyết không quá 1000 ký tự."),
        ({"representative_id": "038190007777"}, "Cần nhập họ tên người đại diện."),
        ({"return_method": ReturnMethod.POST, "address": ""}, "cần nhập địa chỉ của chủ hồ sơ"),
        ({"channel": "2"}, "Hãy chọn một lựa chọn hợp lệ"),
    ],
)
def test_bad_input_rerenders_with_the_error_and_saves_nothing(client, people, version, overrides, message):
    client.force_login(people["desk"])
    response = client.post(URL, post_data(version, **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert response.context["form"]["client_key"].value() == KEY  # the same form, so a corrected resubmit is one
    assert nothing_saved()


def test_no_document_ticked_is_refused(client, people, version):
    client.force_login(people["desk"])
    first, second = version.documents.order_by("order")
    data = post_data(version)
    del data[f"doc_{first.pk}_checked"], data[f"doc_{second.pk}_checked"]
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "Chưa đánh dấu thành phần hồ sơ nào đã nhận." in response.text
    assert nothing_saved()


def test_a_mandatory_document_not_ticked_is_refused_on_its_row(client, people, version):
    client.force_login(people["desk"])
    second = version.documents.order_by("order").last()
    data = post_data(version)
    del data[f"doc_{second.pk}_checked"]
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "Hồ sơ chưa đủ thành phần bắt buộc (1 giấy tờ)" in response.text
    errors = response.context["form"].errors
    assert errors[f"doc_{second.pk}_checked"] == ["Giấy tờ bắt buộc chưa được đánh dấu đã nhận."]
    assert nothing_saved()


def test_an_optional_document_may_be_left_unticked(client, people, version):
    second = version.documents.order_by("order").last()
    second.mandatory = False
    second.save()
    client.force_login(people["desk"])
    data = post_data(version)
    del data[f"doc_{second.pk}_checked"]
    assert client.post(URL, data).status_code == 302
    assert Dossier.objects.get().documents.get(required_document=second).checked is False


def test_the_error_sits_next_to_its_field(client, people, version):
    client.force_login(people["desk"])
    page = client.post(URL, post_data(version, name="")).text
    field = page.split('for="id_name"')[1].split("</div>")[0]
    assert 'class="field__error" role="alert">Cần nhập họ tên' in field


# --- The fee at the counter: "thu trước" recorded with the receipt, "thu sau" left pending ---------------------


def birth_version(make_version):
    """Alternative and optional lines, as the catalogue's birth registration lists them."""
    version = make_version()
    on_time = version.fees.create(name="Lệ phí đăng ký khai sinh (đúng hạn)", amount=0, order=1)
    late = version.fees.create(name="Lệ phí đăng ký khai sinh quá hạn", amount=8000, order=2)
    copy = version.fees.create(name="Phí cấp bản sao Giấy khai sinh (nếu yêu cầu)", amount=8000, order=3)
    return version, on_time, late, copy


def test_the_amount_due_is_shown_with_the_payment_fields(client, people, make_version):
    version = make_version(fee=16000)
    client.force_login(people["desk"])
    response = client.get(URL, {"procedure": version.procedure.code})
    page = response.text
    assert 'Số tiền phải nộp: <strong class="intake__total" data-fee-total>16.000 đồng</strong>' in page
    form = response.context["form"]
    assert (form["amount"].value(), form["payment_method"].value(), form["fee_mode"].value()) == (
        16000,
        "cash",
        "before",
    )
    # "Không thu phí" is not a mode for a procedure with a fee: a line that does not apply is left unticked.
    assert [value for value, _label in form.fields["fee_mode"].choices] == ["before", "after", "exempt"]
    block = page.split("data-fee-payment")[1].split("</fieldset>")[0]
    assert not block.startswith(" hidden")
    for method in ("Tiền mặt", "Chuyển khoản", "Thẻ ngân hàng"):
        assert method in block


def test_a_free_procedure_shows_no_fee_block_and_collects_nothing(client, people, make_version):
    version = make_version(fee=0)
    version.fees.create(name="Lệ phí", amount=0)
    client.force_login(people["desk"])
    response = client.get(URL, {"procedure": version.procedure.code})
    assert "Thủ tục không thu phí, lệ phí." in response.text
    for name in ("fees", "amount", "receipt_number", "payment_method"):
        assert f'name="{name}"' not in response.text
    assert '<input type="hidden" name="fee_mode" value="none"' in response.text
    assert client.post(URL, post_data(version, fee_mode="none")).status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.fee_mode, dossier.payment_state) == (FeeMode.NONE, PaymentState.NOT_REQUIRED)
    assert not dossier.events.filter(action="collect_fee").exists()


def test_thu_truoc_records_the_fee_with_the_receipt_number_when_the_dossier_is_received(client, people, version):
    """Received and paid in one request; that it is one transaction is the next test's: a refused fee keeps nothing."""
    client.force_login(people["desk"])
    response = client.post(URL, post_data(version, payment_method="transfer"))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.status, dossier.fee_mode, dossier.payment_state) == (
        Status.RECEIVED,
        FeeMode.BEFORE,
        PaymentState.PAID,
    )
    assert [(line.name, line.amount) for line in dossier.fee_lines.all()] == [("Lệ phí", 50000)]
    received, paid = dossier.events.order_by("id")
    assert (received.action, paid.action) == ("receive_counter", "collect_fee")
    assert paid.data == {
        "amount": 50000,
        "payment_method": "transfer",
        "receipt_number": RECEIPT_NO,
        "fee_mode": "before",
    }
    assert paid.actor == people["desk"]
    page = client.get(response["Location"]).text
    assert "Thu trước — đã thu 50.000 đồng (chuyển khoản), biên lai số 0001234" in page
    assert "Thu phí, lệ phí khi tiếp nhận hồ sơ: 50.000 đồng, biên lai số 0001234." in page  # the history
    text = pdf_text(client, dossier.code, "receipt")
    assert "Hình thức thu phí, lệ phí: Thu trước" in text
    assert "Đã thu 50.000 đồng (chuyển khoản), biên lai số 0001234" in text


def test_a_wrong_amount_is_refused_by_the_engine_and_nothing_is_saved(client, people, version):
    client.force_login(people["desk"])
    response = client.post(URL, post_data(version, amount="40000"))
    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [
        "Số tiền thu phải bằng tổng phí, lệ phí phải nộp: 50.000 đồng."
    ]
    assert nothing_saved()
    # The same form, corrected, is received once with the first number of the day (the refused one gave it back).
    assert response.context["form"]["client_key"].value() == KEY
    assert client.post(URL, post_data(version)).status_code == 302
    assert Dossier.objects.get().code.endswith("-0001")
    assert Dossier.objects.get().payment_state == PaymentState.PAID


def test_the_service_rolls_back_the_dossier_when_the_fee_is_refused(people, version):
    from desk.services import intake_receive

    with pytest.raises(DossierRefused) as refused:
        intake_receive(
            actor=people["desk"],
            procedure_version=version,
            applicant=services.ApplicantData(kind=1, name="Nguyễn Văn An", identities=[("cccd", "038190009999")]),
            representative=None,
            documents=[],
            scans=[],
            client_key=KEY,
            fee_mode=FeeMode.BEFORE,
            payment={"amount": 5000, "payment_method": "cash", "receipt_number": RECEIPT_NO},
        )
    assert (refused.value.code, refused.value.field) == ("amount_mismatch", "amount")
    assert nothing_saved()


@pytest.mark.parametrize(
    ("missing", "label"),
    [
        ("receipt_number", "Số biên lai"),
        ("amount", "Số tiền đã thu (đồng)"),
        ("payment_method", "Hình thức thanh toán"),
    ],
)
def test_thu_truoc_without_its_payment_saves_nothing(client, people, version, missing, label):
    client.force_login(people["desk"])
    response = client.post(URL, post_data(version, **{missing: None}))
    assert response.status_code == 400
    assert response.context["form"].errors[missing] == [f"Cần nhập “{label}”."]
    assert nothing_saved()


def test_a_double_submit_records_the_dossier_and_its_fee_once(client, people, version, monkeypatch):
    client.force_login(people["desk"])
    first = client.post(URL, post_data(version))
    again = client.post(URL, post_data(version))
    monkeypatch.setattr("desk.views_intake._replayed", lambda request, agency: None)
    concurrent = client.post(URL, post_data(version, receipt_number="0009999"))
    dossier = Dossier.objects.get()
    assert first["Location"] == again["Location"] == concurrent["Location"] == f"/dossiers/{dossier.code}/"
    assert dossier.events.filter(action="collect_fee").count() == 1
    assert dossier.events.get(action="collect_fee").data["receipt_number"] == RECEIPT_NO
    assert Applicant.objects.count() == 1


def test_thu_sau_leaves_the_fee_pending_for_the_return(client, people, version):
    client.force_login(people["desk"])
    assert client.post(URL, post_data(version, fee_mode=FeeMode.AFTER)).status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.fee_mode, dossier.payment_state) == (FeeMode.AFTER, PaymentState.PENDING)
    assert [(line.name, line.amount) for line in dossier.fee_lines.all()] == [("Lệ phí", 50000)]
    # The payment fields the page still sent are not a payment.
    assert not dossier.events.filter(action="collect_fee").exists()


def test_an_exempt_applicant_pays_nothing(client, people, version):
    client.force_login(people["desk"])
    assert client.post(URL, post_data(version, fee_mode=FeeMode.EXEMPT, receipt_number="")).status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.fee_mode, dossier.payment_state) == (FeeMode.EXEMPT, PaymentState.NOT_REQUIRED)
    assert not dossier.events.filter(action="collect_fee").exists()


def test_the_desk_picks_the_applicable_fee_line_instead_of_summing_the_alternatives(client, people, make_version):
    version, on_time, late, copy = birth_version(make_version)
    client.force_login(people["desk"])
    page = client.get(URL, {"procedure": version.procedure.code}).text
    assert f'name="fees" value="{on_time.pk}" data-amount="0" checked>' in page
    assert "16.000 đồng" not in page
    # Registered late, with a copy: 16.000 đồng collected.
    data = post_data(version, fees=[str(late.pk), str(copy.pk)], amount="16000")
    assert client.post(URL, data).status_code == 302
    dossier = Dossier.objects.get()
    assert [line.name for line in dossier.fee_lines.order_by("id")] == [late.name, copy.name]
    assert dossier.payment_state == PaymentState.PAID
    assert dossier.events.get(action="collect_fee").data["amount"] == 16000


def test_a_free_line_ticked_alone_receives_without_a_payment(client, people, make_version):
    version, on_time, _late, _copy = birth_version(make_version)
    client.force_login(people["desk"])
    data = post_data(version, fees=[str(on_time.pk)], amount=None, receipt_number=None)
    assert client.post(URL, data).status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.fee_mode, dossier.payment_state) == (FeeMode.NONE, PaymentState.NOT_REQUIRED)
    assert [line.name for line in dossier.fee_lines.all()] == [on_time.name]


def test_the_engine_refuses_a_fee_line_of_another_procedure(people, version, make_version, applicant_for):
    other = make_version(fee=1000).fees.get()
    with pytest.raises(DossierRefused) as refused:
        services.dossier_receive_counter(
            actor=people["desk"],
            procedure_version=version,
            applicant=applicant_for(people["citizen"]),
            fees=[other.pk],
        )
    assert refused.value.field == "fees"
    assert "chỉ chọn các khoản phí, lệ phí của thủ tục này" in refused.value.message
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("fee_mode", "fees", "expected"),
    [
        (FeeMode.BEFORE, None, (FeeMode.BEFORE, PaymentState.PENDING, 50000)),  # until collect_fee
        (FeeMode.AFTER, None, (FeeMode.AFTER, PaymentState.PENDING, 50000)),
        (FeeMode.EXEMPT, None, (FeeMode.EXEMPT, PaymentState.NOT_REQUIRED, 50000)),
        (FeeMode.NONE, None, (FeeMode.NONE, PaymentState.NOT_REQUIRED, 50000)),  # was pending with nobody to collect
        (FeeMode.BEFORE, [], (FeeMode.NONE, PaymentState.NOT_REQUIRED, 0)),  # no line applies
    ],
)
def test_the_engine_s_payment_state_follows_the_fee_mode(people, version, applicant_for, fee_mode, fees, expected):
    dossier = services.dossier_receive_counter(
        actor=people["desk"],
        procedure_version=version,
        applicant=applicant_for(people["citizen"]),
        fee_mode=fee_mode,
        fees=fees,
    )
    total = sum(line.amount for line in dossier.fee_lines.all())
    assert (dossier.fee_mode, dossier.payment_state, total) == expected


def test_an_incomplete_dossier_keeps_its_fee_for_when_it_is_received(client, people, version):
    client.force_login(people["desk"])
    assert client.post(URL, incomplete(version)).status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.status, dossier.fee_mode, dossier.payment_state) == (
        Status.SUPPLEMENT_REQUESTED,
        FeeMode.BEFORE,
        PaymentState.PENDING,
    )
    assert not dossier.events.filter(action="collect_fee").exists()


# --- Channels: postal (3); an online submission is never entered here -----------------------------------------


def test_a_postal_dossier_goes_end_to_end_and_its_result_is_returned_by_post(client, people, version):
    client.force_login(people["desk"])
    page = client.get(URL, {"procedure": version.procedure.code}).text
    assert 'src="/static/js/intake.js"' in page  # the channel's default return method (postal → post)
    data = post_data(version, channel="3", return_method=ReturnMethod.POST)
    assert client.post(URL, data).status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.channel, dossier.return_method, dossier.payment_state) == (3, ReturnMethod.POST, "paid")
    assert dossier.applicant.address == "5 Trần Phú, phường Hạc Thành"
    assert dossier.events.get(action="receive_counter").data["channel"] == 3
    text = pdf_text(client, dossier.code, "receipt")
    assert "Đăng ký nhận kết quả tại: Qua dịch vụ bưu chính công ích" in text
    dossier = advance(
        dossier,
        ("forward", "desk", {}),
        ("issue_result", "head", {"number": "15/QĐ-UBND"}),
        ("post_result", "desk", {"postal_operator": "Bưu điện Việt Nam", "tracking_number": "EB123456789VN"}),
        people=people,
        when="2026-03-04 10:00",
    )
    returned = services.dossier_transition(
        dossier=dossier,
        action="return_result",
        actor=people["desk"],
        now=at("2026-03-05 10:00"),
        delivered_on=at("2026-03-05 10:00").date(),
    )
    assert (returned.status, returned.handovers.get().method) == (Status.RETURNED, ReturnMethod.POST)


def test_the_channel_help_says_an_assisted_online_submission_is_not_entered_here(client, people, version):
    client.force_login(people["desk"])
    page = client.get(URL, {"procedure": version.procedure.code}).text
    assert "Hồ sơ giấy nộp tại quầy là hồ sơ trực tiếp, kể cả khi cán bộ nhập thông tin giúp người nộp." in page
    assert "được tiếp nhận tại hàng chờ hồ sơ trực tuyến" in page
    # Only the counter and the post: channel 2 belongs to the applicant's own online submission (T1, then T3).
    assert response_channels(client, version) == ["1", "3"]


def response_channels(client, version):
    form = client.get(URL, {"procedure": version.procedure.code}).context["form"]
    return [str(value) for value, _label in form.fields["channel"].choices]


# --- Query count -----------------------------------------------------------------------------------------


def test_the_intake_page_query_count_does_not_grow_with_dossiers(
    client, people, version, receive, django_assert_num_queries
):
    client.force_login(people["desk"])
    params = {"procedure": version.procedure.code}
    client.get(URL, params)  # warm the session
    with django_assert_num_queries(7):
        assert client.get(URL, params).status_code == 200
    for hour in range(8, 13):
        receive(f"2026-03-02 {hour:02d}:00", version=version)
    with django_assert_num_queries(7):
        assert client.get(URL, params).status_code == 200


# --- The two other outcomes: incomplete (form 02) and not receivable (form 03) ----------------------------------


def pdf_text(client, code, key):
    response = client.get(f"/dossiers/{code}/forms/{key}.pdf")
    assert response.status_code == 200
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True)
    return " ".join(text.stdout.decode().split())


def incomplete(version, **overrides):
    """Only the first document handed in: the second is what the applicant must bring."""
    second = version.documents.order_by("order").last()
    fields = {
        "outcome": "supplement",
        "supplement_note": "Hồ sơ chưa đầy đủ thành phần",
        "supplement_legal_basis": "Điều 15 Nghị định 118/2025/NĐ-CP",
        "supplement_extra": "Tờ khai đăng ký kết hôn: ghi đủ nơi cư trú\nTờ khai đăng ký kết hôn: ghi đủ nơi cư trú",
        f"missing_{second.pk}": "Bản sao có chứng thực",
    }
    data = post_data(version, **{**fields, **overrides})
    del data[f"doc_{second.pk}_checked"]
    return data


def test_the_form_offers_the_three_outcomes_and_never_submits_on_enter(client, people, version):
    client.force_login(people["desk"])
    page = client.get(URL, {"procedure": version.procedure.code}).text
    for value in ("receive", "supplement", "refuse"):
        assert f'name="outcome" value="{value}"' in page
    assert "Hồ sơ chưa đầy đủ" in page
    assert "Không đủ điều kiện tiếp nhận" in page
    # Each field once (the page is one form), and the intake form's first submit button is a disabled one: Enter in a
    # field sends nothing.
    assert page.count('name="name"') == 1
    assert page.count('name="outcome"') == 3
    form = page.split('id="intake-form"')[1]
    assert form.index("disabled hidden") < form.index('name="outcome"')
    assert 'src="/static/js/checklist.js"' in page


def test_an_incomplete_dossier_gets_a_code_and_the_one_supplement_request(client, people, version):
    client.force_login(people["desk"])
    response = client.post(URL, incomplete(version))
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{dossier.code}/"
    assert dossier.code.startswith(f"{COMMUNE}-260303-")
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert (dossier.received_at, dossier.current_due_at, dossier.submitted_at) == (None, None, NOW)
    request = SupplementRequest.objects.get(dossier=dossier)
    assert request.stage == "intake"
    assert [(i["document"], i["content"]) for i in request.items] == [
        ("Giấy tờ tùy thân", "Bản sao có chứng thực"),
        ("Tờ khai đăng ký kết hôn", "ghi đủ nơi cư trú"),
    ]
    assert request.applicant_deadline > NOW
    assert DocumentNumber.objects.get(dossier=dossier).text == "1/HDHS"
    assert {d.name: d.checked for d in dossier.documents.all()} == {
        "Tờ khai đăng ký kết hôn": True,
        "Giấy tờ tùy thân": False,
    }
    event = dossier.events.get()
    assert (event.action, event.from_status, event.to_status) == (
        "request_supplement_counter",
        "",
        Status.SUPPLEMENT_REQUESTED,
    )
    page = client.get(response["Location"]).text
    assert f'href="/dossiers/{dossier.code}/forms/supplement.pdf" target="_blank"' in page
    text = pdf_text(client, dossier.code, "supplement")
    assert "PHIẾU YÊU CẦU BỔ SUNG" in text.upper()
    for words in ("Giấy tờ tùy thân", "Bản sao có chứng thực", "Tờ khai đăng ký kết hôn", "ghi đủ nơi cư trú"):
        assert words in text
    assert text.count("ghi đủ nơi cư trú") == 1
    assert "Điều 15 Nghị định 118/2025/NĐ-CP" in text


def test_when_the_applicant_comes_back_the_supplement_is_accepted_and_the_clock_starts_then(client, people, version):
    client.force_login(people["desk"])
    client.post(URL, incomplete(version))
    dossier = Dossier.objects.get()
    back = at("2026-03-10 14:00")
    dossier = services.dossier_transition(dossier=dossier, action="accept_supplement", actor=people["desk"], now=back)
    assert dossier.status == Status.RECEIVED
    assert dossier.received_at == back
    assert dossier.current_due_at > back
    assert RegisterEntry.objects.filter(dossier=dossier).exists()


def test_the_supplement_items_default_to_the_unticked_required_documents(client, people, version):
    client.force_login(people["desk"])
    second = version.documents.order_by("order").last()
    data = incomplete(version, supplement_extra="", **{f"missing_{second.pk}": ""})
    assert client.post(URL, data).status_code == 302
    items = SupplementRequest.objects.get().items
    assert items == [
        {
            "document": "Giấy tờ tùy thân",
            "content": "Chưa có trong hồ sơ, cần nộp bổ sung.",
            "form": "certified",
            "count": 2,
        }
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"supplement_note": " "}, "supplement_note", "Cần nêu rõ lý do yêu cầu bổ sung."),
        ({"outcome": "sideways"}, None, "Kết quả kiểm tra hồ sơ không hợp lệ."),
    ],
)
def test_a_supplement_without_its_reason_saves_nothing(client, people, version, overrides, field, message):
    client.force_login(people["desk"])
    response = client.post(URL, incomplete(version, **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert response.context["form"].errors[field or "__all__"] == [message]
    assert nothing_saved()


def test_a_supplement_with_everything_handed_in_and_nothing_to_add_is_refused(client, people, version):
    client.force_login(people["desk"])
    response = client.post(URL, post_data(version, outcome="supplement", supplement_note="Thiếu"))
    assert response.status_code == 400
    assert "Chưa có nội dung cần bổ sung" in response.text
    assert nothing_saved()


def test_a_dossier_that_cannot_be_received_is_refused_with_form_03(client, people, version):
    client.force_login(people["desk"])
    first, second = version.documents.order_by("order")
    data = post_data(
        version,
        outcome="refuse",
        refusal_note="Thủ tục không thuộc thẩm quyền giải quyết của UBND phường",
        refusal_legal_basis="Khoản 2 Điều 9 Nghị định 118/2025/NĐ-CP",
        return_method=ReturnMethod.POST,
        address="",
    )
    del data[f"doc_{first.pk}_checked"], data[f"doc_{second.pk}_checked"]
    response = client.post(URL, data)
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert dossier.status == Status.REFUSED
    assert dossier.refused_at == NOW
    assert dossier.received_at is None
    assert not dossier.fee_lines.exists()
    assert DocumentNumber.objects.get(dossier=dossier).text == "1/TCHS"
    event = dossier.events.get()
    assert (event.action, event.note) == ("refuse_counter", "Thủ tục không thuộc thẩm quyền giải quyết của UBND phường")
    assert f'href="/dossiers/{dossier.code}/forms/refusal.pdf" target="_blank"' in client.get(response["Location"]).text
    text = pdf_text(client, dossier.code, "refusal")
    assert "Thủ tục không thuộc thẩm quyền giải quyết của UBND phường" in text
    assert "Khoản 2 Điều 9 Nghị định 118/2025/NĐ-CP" in text
    assert dossier.code in text


def test_a_refusal_without_reasons_saves_nothing(client, people, version):
    client.force_login(people["desk"])
    response = client.post(URL, post_data(version, outcome="refuse", refusal_note=""))
    assert response.status_code == 400
    assert response.context["form"].errors["refusal_note"] == ["Cần nêu rõ lý do không tiếp nhận hồ sơ."]
    assert nothing_saved()


@pytest.mark.parametrize("outcome", ["supplement", "refuse"])
def test_a_double_submit_of_either_outcome_creates_one_dossier_and_one_numbered_form(client, people, version, outcome):
    client.force_login(people["desk"])
    data = incomplete(version) if outcome == "supplement" else post_data(version, outcome="refuse", refusal_note="x")
    first = client.post(URL, data)
    second = client.post(URL, data)
    dossier = Dossier.objects.get()
    assert first["Location"] == second["Location"] == f"/dossiers/{dossier.code}/"
    assert DocumentNumber.objects.count() == 1
    assert SupplementRequest.objects.count() == (1 if outcome == "supplement" else 0)
    assert CodeCounter.objects.get().last == 1
    page = client.get(second["Location"]).text
    assert "đã được ghi nhận trước đó, không tạo hồ sơ mới" in page
    key = "supplement" if outcome == "supplement" else "refusal"
    assert f'href="/dossiers/{dossier.code}/forms/{key}.pdf"' in page


def test_a_concurrent_double_submit_of_a_refusal_is_settled_by_the_client_key(client, people, version, monkeypatch):
    client.force_login(people["desk"])
    data = post_data(version, outcome="refuse", refusal_note="Không đủ điều kiện")
    first = client.post(URL, data)
    monkeypatch.setattr("desk.views_intake._replayed", lambda request, agency: None)
    second = client.post(URL, {**data, "name": "Nguyễn Văn An (lần 2)"})
    assert second["Location"] == first["Location"]
    assert Dossier.objects.count() == 1
    assert list(Applicant.objects.values_list("name", flat=True)) == ["Nguyễn Văn An"]
    assert DocumentNumber.objects.count() == 1


def test_the_procedure_pick_query_count_does_not_grow_with_dossiers_or_procedures(
    client, people, version, make_version, receive, django_assert_num_queries
):
    client.force_login(people["desk"])
    client.get(URL)  # warm the session
    with django_assert_num_queries(PICK_QUERIES):
        assert client.get(URL, {"q": "kết hôn"}).status_code == 200
    for hour in range(8, 12):
        receive(f"2026-03-02 {hour:02d}:00", version=make_version())
    with django_assert_num_queries(PICK_QUERIES):
        response = client.get(URL, {"q": "kết hôn"})
    assert response.content.decode().count("Đăng ký kết hôn") >= 5


# Session, user, staff profile, agency; whether a procedure's name matches the search, the matching procedures.
PICK_QUERIES = 6
