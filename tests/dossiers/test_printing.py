"""The official forms as PDF: each is rendered, its text extracted with pypdf and checked for the dossier's data,
the national header and correct Vietnamese; the register's rows come from one query whatever their number."""
# The fixtures live in printing_fixtures.py (the package conftest belongs to the dossier engine); pytest finds
# them through the import, and a test's parameter of the same name is how they are used, not a redefinition.
# ruff: noqa: F811

import io
import re
import unicodedata
from decimal import Decimal

import pytest
import qrcode
from django.utils import translation
from pypdf import PdfReader
from qrcode.constants import ERROR_CORRECT_M

from agencies.models import OneStopDesk
from dossiers.models import Dossier, DossierEvent
from dossiers.printing import FORM_KEYS, FormUnavailable, lookup_url, render_form
from dossiers.workflow import Status
from procedures.models import ProcedureVersion
from tests.dossiers.printing_fixtures import (  # noqa: F401  (pytest fixtures)
    BEFORE_CODE,
    COMMUNE,
    COMMUNE_CODE,
    EARLY_CODE,
    MAIN_CODE,
    OUTSIDE_CODE,
    REFUSED_CODE,
    WITHDRAWN_CODE,
    at,
    make_applicant,
    make_received,
    print_world,
    refused_dossier,
    register_dossiers,
    withdrawn_dossier,
)

A5 = (419.53, 595.28)
A4_LANDSCAPE = (841.89, 595.28)
MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
SLOGAN = "Độc lập - Tự do - Hạnh phúc"
CENTRE_NAME = "Trung tâm Phục vụ hành chính công tỉnh Thanh Hóa"
JUDICIAL_RECORD_NAME = "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
PERIOD = (at("2026-03-02 12:00").date(), at("2026-03-03 12:00").date())


def pdf_text(pdf: bytes) -> str:
    """All pages' text, NFC, whitespace collapsed to single spaces (lines wrap where the layout wants)."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def page_size(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width), float(box.height)


def assert_form(text: str, key: str, *, agency: str) -> None:
    """What every form carries: its title, the motto, the issuing body, and no broken template variable."""
    assert pdf_text_ok(text)
    assert FORM_KEYS[key].title.upper() in text
    assert f"Mẫu số {FORM_KEYS[key].number}" in text
    assert MOTTO in text
    assert SLOGAN in text
    assert agency.upper() in text


def pdf_text_ok(text: str) -> bool:
    return text and "INVALID_TEMPLATE_VARIABLE" not in text and "None" not in text


def assert_size(pdf: bytes, expected: tuple[float, float]) -> None:
    width, height = page_size(pdf)
    assert width == pytest.approx(expected[0], abs=1)
    assert height == pytest.approx(expected[1], abs=1)


def test_form_keys_are_the_seven_official_forms_numbered_once():
    assert list(FORM_KEYS) == [
        "receipt",
        "supplement",
        "refusal",
        "apology",
        "stop_notice",
        "control_sheet",
        "register",
    ]
    assert [form.number for form in FORM_KEYS.values()] == ["01", "02", "03", "04", "05", "06", "07"]
    assert FORM_KEYS["register"].page.startswith("A4")
    assert all(form.page.startswith("A5") for key, form in FORM_KEYS.items() if key != "register")


def assert_qr_encodes(image, text: str) -> None:
    """The embedded picture is, module for module, the QR code of `text` (no decoder needed)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=1, border=1)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    assert image.width == image.height
    scale = image.width // len(matrix)
    assert scale * len(matrix) == image.width
    pixels = image.convert("L")
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            assert (pixels.getpixel((x * scale + scale // 2, y * scale + scale // 2)) < 128) == dark


@pytest.mark.django_db
def test_receipt_carries_the_appointment_the_documents_and_a_qr_code(print_world, settings):
    settings.SITE_URL = "http://testserver.example"
    pdf = render_form("receipt", dossier=print_world.dossier)

    assert pdf.startswith(b"%PDF")
    assert_size(pdf, A5)
    text = pdf_text(pdf)
    assert_form(text, "receipt", agency=CENTRE_NAME)
    assert "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ" in text
    assert "Thanh Hóa, ngày 02 tháng 03 năm 2026" in text
    assert f"Mã hồ sơ: {MAIN_CODE}" in text
    assert f"Bộ phận Tiếp nhận và Trả kết quả — {CENTRE_NAME}" in text
    assert "Tiếp nhận hồ sơ của: Nguyễn Thị Lan" in text
    assert "12 Trần Phú, phường Hạc Thành, tỉnh Thanh Hóa" in text
    assert "0912345678" in text
    assert "lan.nguyen@example.vn" in text
    assert "Căn cước / số định danh cá nhân: 038190001234" in text
    assert JUDICIAL_RECORD_NAME in text
    assert "Cấp Phiếu lý lịch tư pháp số 1 để bổ sung hồ sơ xin việc" in text
    assert "1. Thành phần hồ sơ nộp gồm:" in text
    assert "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp Bản chính 1" in text
    assert "Bản sao Căn cước của người yêu cầu Bản sao chứng thực 1" in text
    assert "2. Số lượng hồ sơ: 01 bộ" in text
    assert "3. Thời gian giải quyết hồ sơ theo quy định là: 10 ngày" in text
    assert "4. Thời gian nhận hồ sơ: 08 giờ 15 phút, ngày 02/03/2026" in text
    assert "5. Thời gian trả kết quả giải quyết hồ sơ: 08 giờ 15 phút, ngày 16/03/2026" in text
    assert "6. Đăng ký nhận kết quả tại: Nhận trực tiếp tại Bộ phận Một cửa" in text
    assert "Hình thức thu phí, lệ phí: Thu trước" in text
    assert "Phí cung cấp thông tin lý lịch tư pháp: 200.000 đồng" in text
    assert "Tổng cộng: 200.000 đồng" in text
    assert "NGƯỜI NỘP HỒ SƠ" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert text.count("(Ký và ghi rõ họ tên)") == 2
    assert "Lê Thị Hoa" in text
    assert "1900.8198" in text
    assert "http://testserver.example/tra-cuu/" in text

    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1
    assert_qr_encodes(images[0].image, f"http://testserver.example/tra-cuu/?ma={MAIN_CODE}")


@pytest.mark.django_db
def test_receipt_for_a_representative_and_without_frozen_duration_or_desk(print_world):
    """A dossier tied to no desk prints its receiving agency's desk; the duration falls back to the version."""
    version = ProcedureVersion.objects.get(procedure__code="1.004884")
    owner = make_applicant("Bùi Văn An", address="7 Lý Thường Kiệt, phường Hàm Rồng", phone="0912000111")
    dossier = make_received(
        print_world,
        code="000.00.31.H56-260302-0007",
        received="2026-03-02 09:05",
        applicant=owner,
        representative=print_world.applicant,
        procedure_version=version,
        receiving_agency=print_world.agencies[COMMUNE],
        processing_agency=print_world.agencies[COMMUNE],
        desk=None,
        duration_unit="",
        duration_value=None,
        sets_count=2,
    )
    text = pdf_text(render_form("receipt", dossier=dossier))

    assert_form(text, "receipt", agency="Ủy ban nhân dân phường Hạc Thành")
    assert "Hạc Thành, ngày 02 tháng 03 năm 2026" in text
    assert "Tiếp nhận hồ sơ của: Nguyễn Thị Lan" in text
    assert "Chủ hồ sơ: Bùi Văn An; địa chỉ chủ hồ sơ: 7 Lý Thường Kiệt, phường Hàm Rồng" in text
    assert "Đăng ký lại khai sinh" in text
    assert "2. Số lượng hồ sơ: 02 bộ" in text
    assert "theo quy định là: 05 ngày làm việc" in text
    assert "Không có thành phần hồ sơ kèm theo" in text


@pytest.mark.django_db
def test_forms_stay_vietnamese_when_the_reader_uses_english(print_world):
    with translation.override("en"):
        text = pdf_text(render_form("receipt", dossier=print_world.dossier))
        assert translation.get_language() == "en"
    assert "Bản chính" in text
    assert "Thu trước" in text
    assert "10 ngày" in text


@pytest.mark.django_db
def test_supplement_request_lists_every_item_with_reason_deadline_and_contact(print_world):
    pdf = render_form("supplement", dossier=print_world.dossier)

    assert_size(pdf, A5)
    text = pdf_text(pdf)
    assert_form(text, "supplement", agency=CENTRE_NAME)
    assert "Số: ……/HDHS" in text
    assert "Thanh Hóa, ngày 03 tháng 03 năm 2026" in text
    assert f"Mã hồ sơ: {MAIN_CODE}" in text
    assert "Hồ sơ của: Nguyễn Thị Lan" in text
    assert "0912345678" in text
    assert "lan.nguyen@example.vn" in text
    assert JUDICIAL_RECORD_NAME in text
    assert "08 giờ 15 phút, ngày 02/03/2026" in text
    assert "Sau khi kiểm tra (khi thẩm định)" in text
    assert "Bản sao Căn cước của người yêu cầu Bản sao chứng thực, 1 bản" in text
    assert "không đọc được số định danh cá nhân; nộp bản sao chứng thực rõ nét." in text
    assert "Ghi đầy đủ nơi cư trú từ đủ 14 tuổi trở lên tại mục 7 của Tờ khai." in text
    assert "Lý do: Thành phần hồ sơ chưa hợp lệ" in text
    assert "Căn cứ pháp lý: Điều 45 Luật Lý lịch tư pháp số 28/2009/QH12" in text
    assert "trước 17 giờ 00 phút, ngày 24/03/2026" in text
    assert "liên hệ với Lê Thị Hoa, số điện thoại 0237.3.868.686" in text
    assert "NGƯỜI HƯỚNG DẪN" in text
    assert "/tra-cuu/" in text


@pytest.mark.django_db
def test_refusal_states_the_reasons_and_legal_basis_of_the_refuse_event(print_world, refused_dossier):
    pdf = render_form("refusal", dossier=refused_dossier)

    assert_size(pdf, A5)
    text = pdf_text(pdf)
    assert_form(text, "refusal", agency=CENTRE_NAME)
    assert "Thanh Hóa, ngày 02 tháng 03 năm 2026" in text
    assert f"Mã hồ sơ: {REFUSED_CODE}" in text
    assert "Tiếp nhận hồ sơ của: Trần Văn Hùng" in text
    assert "45 Bà Triệu, phường Hàm Rồng" in text
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" in text
    assert "không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:" in text
    assert "thuộc thẩm quyền của Ủy ban nhân dân cấp xã nơi có công trình" in text
    assert "Căn cứ pháp lý: Khoản 3 Điều 103 Luật Xây dựng số 50/2014/QH13" in text
    assert "10 giờ 05 phút, ngày 02/03/2026" in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
    assert "Lê Thị Hoa" in text


@pytest.mark.django_db
def test_apology_is_issued_by_the_processing_body_with_the_new_return_time(print_world):
    pdf = render_form("apology", dossier=print_world.dossier)

    assert_size(pdf, A5)
    text = pdf_text(pdf)
    assert_form(text, "apology", agency="Sở Tư pháp tỉnh Thanh Hóa")
    assert "ỦY BAN NHÂN DÂN TỈNH THANH HÓA" in text
    assert "Thanh Hóa, ngày 13 tháng 03 năm 2026" in text
    assert "Kính gửi: Ông/Bà Nguyễn Thị Lan" in text
    assert "Ngày 02/03/2026, Sở Tư pháp tỉnh Thanh Hóa tiếp nhận" in text
    assert JUDICIAL_RECORD_NAME in text
    assert f"Mã hồ sơ: {MAIN_CODE}" in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 08 giờ 15 phút, ngày 12/03/2026" in text
    assert "lý do: Cơ quan phối hợp chưa có kết quả xác minh" in text
    assert "xin lỗi Ông/Bà" in text
    assert "sẽ được trả vào 10 giờ 00 phút, ngày 18/03/2026" in text
    assert "28 Đại lộ Lê Lợi, phường Hạc Thành" in text
    assert "GIÁM ĐỐC" in text
    assert "Trần Quốc Bảo" in text
    assert "Nơi nhận:" in text
    assert "Ủy ban nhân dân tỉnh Thanh Hóa (để báo cáo)" in text
    assert "Lưu: VT." in text


@pytest.mark.django_db
def test_stop_notice_gives_the_request_and_the_fee_refund(print_world, withdrawn_dossier):
    pdf = render_form("stop_notice", dossier=withdrawn_dossier)

    assert_size(pdf, A5)
    text = pdf_text(pdf)
    assert_form(text, "stop_notice", agency=CENTRE_NAME)
    assert "Thanh Hóa, ngày 04 tháng 03 năm 2026" in text
    assert "Kính gửi: Ông/Bà Lê Minh Tuấn" in text
    assert f"Mã hồ sơ: {WITHDRAWN_CODE}" in text
    assert JUDICIAL_RECORD_NAME in text
    assert "Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 03/03/2026" in text
    assert "Ngày 04/03/2026, Ông/Bà có yêu cầu dừng giải quyết hồ sơ" in text
    assert "Cổng Dịch vụ công quốc gia" in text
    assert "Điều 21 Nghị định số 118/2025/NĐ-CP" in text
    assert "Hoàn trả phí, lệ phí: Có; số tiền hoàn trả: 200.000 đồng; lý do: Hồ sơ chưa được chuyển" in text
    assert "Lê Thị Hoa" in text


@pytest.mark.django_db
def test_stop_notice_without_refund(print_world, withdrawn_dossier):
    DossierEvent.objects.create(
        dossier=withdrawn_dossier,
        action="withdraw",
        at=at("2026-03-05 08:00"),
        to_status=Status.WITHDRAWN,
        data={"request_channel": 3, "fee_refunded": False},
    )
    text = pdf_text(render_form("stop_notice", dossier=withdrawn_dossier))
    assert "Qua dịch vụ bưu chính công ích" in text
    assert "Hoàn trả phí, lệ phí: Không." in text


@pytest.mark.django_db
def test_control_sheet_has_one_block_per_handover(print_world):
    pdf = render_form("control_sheet", dossier=print_world.dossier, now=at("2026-03-06 10:00"))

    assert_size(pdf, A5)
    text = pdf_text(pdf)
    assert_form(text, "control_sheet", agency=CENTRE_NAME)
    assert "Thanh Hóa, ngày 06 tháng 03 năm 2026" in text
    assert f"Mã hồ sơ: {MAIN_CODE}" in text
    assert "(Kèm theo hồ sơ của: Nguyễn Thị Lan)" in text
    assert JUDICIAL_RECORD_NAME in text
    assert "Thời gian nhận hồ sơ: 08 giờ 15 phút, ngày 02/03/2026" in text
    assert "Thời gian hẹn trả kết quả: 08 giờ 15 phút, ngày 16/03/2026" in text
    assert "Cơ quan (bộ phận) giải quyết hồ sơ: Sở Tư pháp tỉnh Thanh Hóa" in text
    assert "Cơ quan phối hợp giải quyết hồ sơ: Công an tỉnh Thanh Hóa" in text
    # pypdf drops the space where a table heading wraps after its comma.
    assert re.search("THỜI GIAN GIAO, ?NHẬN HỒ SƠ", text)
    assert "KẾT QUẢ GIẢI QUYẾT HỒ SƠ" in text
    assert "SỞ TƯ PHÁP TỈNH THANH HÓA 1. Giao: Bộ phận Tiếp nhận và Trả kết quả (Lê Thị Hoa)" in text
    assert "2. Nhận: Sở Tư pháp tỉnh Thanh Hóa (Trần Quốc Bảo)" in text
    assert (
        "1. Giao: Sở Tư pháp tỉnh Thanh Hóa (Trần Quốc Bảo) 2. Nhận: Sở Tư pháp tỉnh Thanh Hóa (Nguyễn Văn Minh)"
    ) in text
    assert "CÔNG AN TỈNH THANH HÓA 1. Giao: Sở Tư pháp tỉnh Thanh Hóa (Nguyễn Văn Minh)" in text
    assert "2. Nhận: Công an tỉnh Thanh Hóa" in text
    assert "Tra cứu, xác minh; hạn bước: 05/03/2026" in text
    assert "14 giờ 00 phút, ngày 02/03/2026" in text
    assert "09 giờ 00 phút, ngày 06/03/2026" in text
    assert "Trước hạn" in text
    assert "Quá hạn" in text


@pytest.mark.django_db
def test_register_lists_the_desks_dossiers_of_the_period_in_one_query(
    print_world, register_dossiers, django_assert_max_num_queries
):
    desk = OneStopDesk.objects.get(pk=print_world.desk.pk)
    # desk → agency, the dossiers with their joins, their steps: three, whatever the number of rows.
    with django_assert_max_num_queries(3):
        pdf = render_form("register", desk=desk, period=PERIOD, now=at("2026-03-10 16:00"))

    assert_size(pdf, A4_LANDSCAPE)
    text = pdf_text(pdf)
    assert_form(text, "register", agency=CENTRE_NAME)
    assert "Thanh Hóa, ngày 10 tháng 03 năm 2026" in text
    assert "Từ ngày 02/03/2026 đến ngày 03/03/2026" in text
    for heading in ("Mã hồ sơ", "Tên thủ tục hành chính", "Cơ quan chủ trì giải quyết", "Trả kết quả"):
        assert heading in text
    for dossier in register_dossiers["inside"]:
        assert dossier.code in text
        assert dossier.applicant.name in text
    for code in (OUTSIDE_CODE, BEFORE_CODE, COMMUNE_CODE, REFUSED_CODE):
        assert code not in text
    # Ordered by receipt: 06:45 and 08:15 on 02/03, then 09:00 on 03/03.
    positions = [text.index(code) for code in (EARLY_CODE, MAIN_CODE, WITHDRAWN_CODE)]
    assert positions == sorted(positions)
    assert "06 giờ 45 phút, ngày 02/03/2026" in text  # received
    assert "09 giờ 10 phút, ngày 02/03/2026" in text  # forwarded: first step
    assert "15 giờ 00 phút, ngày 06/03/2026" in text  # result received
    assert "08 giờ 30 phút, ngày 09/03/2026" in text  # returned
    assert JUDICIAL_RECORD_NAME in text
    assert "Sở Tư pháp tỉnh Thanh Hóa" in text
    assert "Rút hồ sơ (dừng theo yêu cầu)" in text

    for n in range(5):
        make_received(
            print_world,
            code=f"000.00.06.H56-260303-{n + 10:04d}",
            received=f"2026-03-03 1{n}:00",
            applicant=print_world.applicant,
        )
    desk = OneStopDesk.objects.get(pk=print_world.desk.pk)
    with django_assert_max_num_queries(3):
        text = pdf_text(render_form("register", desk=desk, period=PERIOD))
    assert "000.00.06.H56-260303-0014" in text


@pytest.mark.django_db
def test_empty_register_says_so(print_world):
    day = at("2026-01-05 12:00").date()
    text = pdf_text(render_form("register", desk=print_world.desk, period=(day, day)))
    assert "Không có hồ sơ được tiếp nhận trong thời gian này." in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "which", "message"),
    [
        ("apology", "withdrawn", "văn bản xin lỗi"),
        ("supplement", "withdrawn", "yêu cầu bổ sung"),
        ("refusal", "main", "chưa bị từ chối"),
        ("stop_notice", "main", "yêu cầu dừng"),
        ("receipt", "refused", "chưa được tiếp nhận"),
    ],
)
def test_a_form_without_its_data_is_unavailable(print_world, withdrawn_dossier, refused_dossier, key, which, message):
    dossier = {"main": print_world.dossier, "withdrawn": withdrawn_dossier, "refused": refused_dossier}[which]
    with pytest.raises(FormUnavailable, match=message) as caught:
        render_form(key, dossier=dossier)
    assert isinstance(caught.value, ValueError)


@pytest.mark.django_db
def test_register_with_a_reversed_period_is_unavailable(print_world):
    with pytest.raises(FormUnavailable, match="Khoảng thời gian"):
        render_form("register", desk=print_world.desk, period=(PERIOD[1], PERIOD[0]))


def test_render_form_rejects_unknown_keys_and_missing_arguments():
    with pytest.raises(ValueError, match="Unknown form key"):
        render_form("invoice", dossier=Dossier())
    with pytest.raises(TypeError, match="dossier="):
        render_form("receipt")
    with pytest.raises(TypeError, match="period="):
        render_form("register", desk=OneStopDesk())


def test_lookup_url_points_to_the_public_lookup(settings):
    settings.SITE_URL = "https://dichvucong.thanhhoa.gov.vn"
    assert lookup_url(MAIN_CODE) == f"https://dichvucong.thanhhoa.gov.vn/tra-cuu/?ma={MAIN_CODE}"


def test_duration_value_is_written_like_the_announcing_decisions():
    from dossiers.printing import duration_text

    dossier = Dossier(duration_unit="working_days", duration_value=Decimal("5"))
    assert duration_text(dossier) == "05 ngày làm việc"
    dossier = Dossier(duration_unit="working_hours", duration_value=Decimal("8"))
    assert duration_text(dossier) == "8 giờ làm việc"
