"""The official forms as PDF: each is rendered, its text extracted with pypdf and checked for the dossier's data,
the national header and correct Vietnamese; the register's rows come from one query whatever their number."""
# The fixtures live in printing_fixtures.py (the package conftest belongs to the dossier engine); pytest finds
# them through the import, and a test's parameter of the same name is how they are used, not a redefinition.
# ruff: noqa: F811

import io
import re
import shutil
import subprocess
import unicodedata
from decimal import Decimal

import pytest
import qrcode
from django.utils import translation
from pypdf import PdfReader
from qrcode.constants import ERROR_CORRECT_M

from agencies.models import OneStopDesk
from dossiers.models import DocumentForm, Dossier, DossierDocument, DossierEvent, FeeLine
from dossiers.printing import FORM_KEYS, FormUnavailable, lookup_url, render_form
from dossiers.workflow import Status
from procedures.models import ProcedureVersion
from tests.dossiers.conftest import advance
from tests.dossiers.printing_fixtures import (  # noqa: F401  (pytest fixtures)
    BEFORE_CODE,
    COMMUNE,
    COMMUNE_CODE,
    EARLY_CODE,
    EIGHT_MORE,
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


def assert_lines(text: str, lines: list[str]) -> None:
    """The form's key lines, each found after the one before it (the text in reading order)."""
    position = 0
    for line in lines:
        found = text.find(line, position)
        assert found >= 0, f"{line!r} not found after: …{text[max(0, position - 80) : position + 160]}…"
        position = found + len(line)


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def assert_size(pdf: bytes, expected: tuple[float, float]) -> None:
    width, height = page_size(pdf)
    assert width == pytest.approx(expected[0], abs=1)
    assert height == pytest.approx(expected[1], abs=1)


def test_form_keys_are_the_seven_official_forms_numbered_once_the_handover_record_and_the_acknowledgement():
    assert list(FORM_KEYS) == [
        "receipt",
        "supplement",
        "refusal",
        "apology",
        "stop_notice",
        "control_sheet",
        "register",
        "handover",
        "acknowledgement",
    ]
    # The handover record and the online acknowledgement are ours, not forms of the circular: no "Mẫu số" line.
    assert [form.number for form in FORM_KEYS.values()] == ["01", "02", "03", "04", "05", "06", "07", "", ""]
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


def header_lines(key: str, *, issuer: list[str], place_date: str, number: str = "") -> list[str]:
    """The national header as printed: form number, issuing body, its number, motto, date line, title."""
    lines = [f"Mẫu số {FORM_KEYS[key].number} — Thông tư số 03/2025/TT-VPCP", *issuer]
    if number:
        lines.append(f"Số: {number}")
    return [*lines, MOTTO, SLOGAN, place_date, FORM_KEYS[key].title.upper()]


DESK_ISSUER = [CENTRE_NAME.upper(), "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"]


@pytest.mark.django_db
def test_receipt_carries_the_appointment_the_documents_the_register_line_and_a_qr_code(print_world, settings):
    settings.SITE_URL = "http://testserver.example"
    pdf = render_form("receipt", dossier=print_world.dossier)

    assert pdf.startswith(b"%PDF")
    assert_size(pdf, A5)
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert_form(text, "receipt", agency=CENTRE_NAME)
    assert_lines(
        text,
        [
            *header_lines("receipt", issuer=DESK_ISSUER, place_date="Thanh Hóa, ngày 02 tháng 3 năm 2026"),
            f"Mã hồ sơ: {MAIN_CODE}",
            "http://testserver.example/tra-cuu/",
            "Đường dây nóng: 1900.8198.",
            f"Bộ phận Tiếp nhận và Trả kết quả — {CENTRE_NAME}",
            "Tiếp nhận hồ sơ của: Nguyễn Thị Lan",
            "Địa chỉ: 12 Trần Phú, phường Hạc Thành, tỉnh Thanh Hóa",
            "Số điện thoại: 0912345678 Email: lan.nguyen@example.vn",
            "Giấy tờ định danh: Căn cước / số định danh cá nhân: 038190001234",
            "Nội dung yêu cầu giải quyết: Cấp Phiếu lý lịch tư pháp số 1 để bổ sung hồ sơ xin việc",
            "1. Thành phần hồ sơ nộp gồm: TT Tên giấy tờ Hình thức Số lượng",
            "1 Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp Bản chính 1",
            "2 Bản sao Căn cước của người yêu cầu Bản sao chứng thực 1",
            "2. Số lượng hồ sơ: 01 bộ",
            "3. Thời gian giải quyết hồ sơ theo quy định là: 10 ngày",
            "4. Thời gian nhận hồ sơ: 08 giờ 15 phút, ngày 02/03/2026",
            "5. Thời gian trả kết quả giải quyết hồ sơ: 08 giờ 15 phút, ngày 16/03/2026",
            "6. Đăng ký nhận kết quả tại: Nhận trực tiếp tại Bộ phận Một cửa",
            "Hình thức thu phí, lệ phí: Thu trước — Phí cung cấp thông tin lý lịch tư pháp: 200.000 đồng",
            "Vào Sổ theo dõi hồ sơ, Quyển số 1, Số thứ tự 27",
            "NGƯỜI NỘP HỒ SƠ (Ký và ghi rõ họ tên) Nguyễn Thị Lan",
            "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lê Thị Hoa",
        ],
    )
    # The request content is the summary, not the procedure's name again.
    assert JUDICIAL_RECORD_NAME not in text
    assert "Tổng cộng" not in text  # one fee line: no total to repeat it

    images = PdfReader(io.BytesIO(pdf)).pages[0].images
    assert len(images) == 1
    assert_qr_encodes(images[0].image, f"http://testserver.example/tra-cuu/?ma={MAIN_CODE}")


@pytest.mark.django_db
def test_receipt_with_ten_documents_stays_on_one_a5_page(print_world):
    for name in EIGHT_MORE:
        DossierDocument.objects.create(dossier=print_world.dossier, name=name, form=DocumentForm.COPY)
    FeeLine.objects.create(dossier=print_world.dossier, name="Lệ phí cấp bản sao", amount=5000)
    pdf = render_form("receipt", dossier=print_world.dossier)

    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert_lines(
        text,
        [
            "9 Sơ yếu lý lịch có xác nhận của Ủy ban nhân dân cấp xã nơi cư trú Bản sao 1",
            "10 Hai ảnh 4 x 6 cm Bản sao 1",
            "Tổng cộng: 205.000 đồng",
            "Vào Sổ theo dõi hồ sơ, Quyển số 1, Số thứ tự 27",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lê Thị Hoa",
        ],
    )


@pytest.mark.django_db
def test_a_long_receipt_keeps_its_signatures_with_the_block_before_them(print_world):
    for n in range(3):
        for name in EIGHT_MORE:
            DossierDocument.objects.create(dossier=print_world.dossier, name=f"{name} ({n + 1})")
    reader = PdfReader(io.BytesIO(render_form("receipt", dossier=print_world.dossier)))

    assert len(reader.pages) == 2
    last = re.sub(r"\s+", " ", unicodedata.normalize("NFC", reader.pages[-1].extract_text()))
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in last
    assert_lines(last, ["2. Số lượng hồ sơ: 01 bộ", "Vào Sổ theo dõi hồ sơ", "NGƯỜI NỘP HỒ SƠ"])


@pytest.mark.django_db
def test_receipt_for_a_representative_and_without_frozen_duration_or_desk(print_world):
    """A dossier tied to no desk prints its receiving agency's desk; the duration falls back to the version;
    a dossier never entered in a register shows the blanks to fill by hand."""
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
    pdf = render_form("receipt", dossier=dossier)
    text = pdf_text(pdf)

    assert page_count(pdf) == 1
    assert_form(text, "receipt", agency="Ủy ban nhân dân phường Hạc Thành")
    assert_lines(
        text,
        [
            "Hạc Thành, ngày 02 tháng 3 năm 2026",
            "Tiếp nhận hồ sơ của: Nguyễn Thị Lan",
            "Chủ hồ sơ: Bùi Văn An; địa chỉ chủ hồ sơ: 7 Lý Thường Kiệt, phường Hàm Rồng",
            "Nội dung yêu cầu giải quyết: Đăng ký lại khai sinh",
            "Không có thành phần hồ sơ kèm theo",
            "2. Số lượng hồ sơ: 02 bộ",
            "theo quy định là: 05 ngày làm việc",
            "Vào Sổ theo dõi hồ sơ, Quyển số ……………, Số thứ tự ……………",
        ],
    )
    assert text.count("Đăng ký lại khai sinh") == 1


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
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert_form(text, "supplement", agency=CENTRE_NAME)
    assert_lines(
        text,
        [
            *header_lines(
                "supplement", issuer=DESK_ISSUER, number="12/HDHS", place_date="Thanh Hóa, ngày 03 tháng 3 năm 2026"
            ),
            "Hồ sơ của: Nguyễn Thị Lan",
            f"Mã hồ sơ: {MAIN_CODE}",
            "Số điện thoại: 0912345678 Email: lan.nguyen@example.vn",
            "Nội dung yêu cầu giải quyết: Cấp Phiếu lý lịch tư pháp số 1 để bổ sung hồ sơ xin việc",
            "Thời gian nhận hồ sơ: 08 giờ 15 phút, ngày 02/03/2026",
            "Sau khi kiểm tra (khi thẩm định)",
            # The table: every column filled, the free-text item tied to the component it names.
            "1 Bản sao Căn cước của người yêu cầu Bản sao chứng thực, 1 bản Bản sao bị mờ",
            "nộp bản sao chứng thực rõ nét.",
            "2 Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp Bản chính, 1 bản Ghi đầy đủ nơi cư trú",
            "tại mục 7 của Tờ khai.",
            "Lý do: Thành phần hồ sơ chưa hợp lệ",
            "Căn cứ pháp lý: Điều 45 Luật Lý lịch tư pháp số 28/2009/QH12",
            "Thời hạn bổ sung, hoàn thiện hồ sơ: trước 17 giờ 00 phút, ngày 24/03/2026.",
            "liên hệ với Lê Thị Hoa, số điện thoại 0237.3.868.686",
            "/tra-cuu/",
            "NGƯỜI HƯỚNG DẪN (Ký và ghi rõ họ tên) Lê Thị Hoa",
        ],
    )


@pytest.mark.django_db
def test_supplement_request_at_intake_prints_its_number_and_the_submission_moment(receive, submitted, people):
    """Through the engine: the desk asks an online dossier for more (T4); the form gets the next number and,
    the dossier never having been received, the moment the desk got it online."""
    receive("2026-03-02 08:00")
    dossier = advance(
        submitted("2026-03-02 07:40"),
        (
            "request_supplement_intake",
            "desk",
            {
                "note": "Thiếu giấy tờ",
                "items": [{"document": "Giấy tờ tùy thân", "content": "Nộp bản sao rõ nét"}],
            },
        ),
        people=people,
        when="2026-03-02 10:00",
    )
    text = pdf_text(render_form("supplement", dossier=dossier))
    assert_lines(
        text,
        [
            "Số: 1/HDHS",
            "ngày 02 tháng 3 năm 2026",
            "Nội dung yêu cầu giải quyết: Đăng ký kết hôn",
            "Thời gian nhận hồ sơ: 07 giờ 40 phút, ngày 02/03/2026",
            "Sau khi kiểm tra (khi tiếp nhận)",
            "1 Giấy tờ tùy thân Bản sao, 1 bản Nộp bản sao rõ nét",
        ],
    )


@pytest.mark.django_db
def test_refusal_states_the_reasons_and_legal_basis_of_the_refuse_event(print_world, refused_dossier):
    pdf = render_form("refusal", dossier=refused_dossier)

    assert_size(pdf, A5)
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert_form(text, "refusal", agency=CENTRE_NAME)
    assert_lines(
        text,
        [
            *header_lines(
                "refusal", issuer=DESK_ISSUER, number="3/TCHS", place_date="Thanh Hóa, ngày 02 tháng 3 năm 2026"
            ),
            "Tiếp nhận hồ sơ của: Trần Văn Hùng",
            f"Mã hồ sơ: {REFUSED_CODE}",
            "Địa chỉ: 45 Bà Triệu, phường Hàm Rồng",
            "Nội dung yêu cầu giải quyết: Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
            "không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
            "thuộc thẩm quyền của Ủy ban nhân dân cấp xã nơi có công trình",
            "Căn cứ pháp lý: Khoản 3 Điều 103 Luật Xây dựng số 50/2014/QH13",
            "Thời gian từ chối: 10 giờ 05 phút, ngày 02/03/2026.",
            "NGƯỜI NỘP HỒ SƠ (Ký và ghi rõ họ tên) Trần Văn Hùng",
            "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lê Thị Hoa",
        ],
    )


@pytest.mark.django_db
def test_apology_is_issued_by_the_processing_body_with_the_new_return_time(print_world):
    pdf = render_form("apology", dossier=print_world.dossier)

    assert_size(pdf, A5)
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert_form(text, "apology", agency="Sở Tư pháp tỉnh Thanh Hóa")
    assert_lines(
        text,
        [
            *header_lines(
                "apology",
                issuer=["ỦY BAN NHÂN DÂN TỈNH THANH HÓA", "SỞ TƯ PHÁP TỈNH THANH HÓA"],
                number="5/XL",
                place_date="Thanh Hóa, ngày 13 tháng 3 năm 2026",
            ),
            "Kính gửi: Ông/Bà Nguyễn Thị Lan",
            "Ngày 02/03/2026, Sở Tư pháp tỉnh Thanh Hóa tiếp nhận giải quyết hồ sơ đề nghị Cấp Phiếu lý lịch tư pháp "
            "số 1 để bổ sung hồ sơ xin việc của Ông/Bà.",
            f"Mã hồ sơ: {MAIN_CODE}",
            "Thời gian hẹn trả kết quả giải quyết hồ sơ: 08 giờ 15 phút, ngày 12/03/2026",
            "lý do: Cơ quan phối hợp chưa có kết quả xác minh",
            "xin lỗi Ông/Bà",
            "sẽ được trả vào 10 giờ 00 phút, ngày 18/03/2026",
            "28 Đại lộ Lê Lợi, phường Hạc Thành",
            "Nơi nhận:",
            "Ủy ban nhân dân tỉnh Thanh Hóa (để báo cáo)",
            "Lưu: VT.",
            "GIÁM ĐỐC (Ký, ghi rõ họ tên và đóng dấu) Trần Quốc Bảo",
        ],
    )


@pytest.mark.django_db
def test_stop_notice_gives_the_request_and_the_fee_refund(print_world, withdrawn_dossier):
    pdf = render_form("stop_notice", dossier=withdrawn_dossier)

    assert_size(pdf, A5)
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert_form(text, "stop_notice", agency=CENTRE_NAME)
    assert_lines(
        text,
        [
            *header_lines(
                "stop_notice",
                issuer=DESK_ISSUER,
                number="4/TB-DGQ",
                place_date="Thanh Hóa, ngày 04 tháng 3 năm 2026",
            ),
            "Kính gửi: Ông/Bà Lê Minh Tuấn",
            f"- Mã hồ sơ: {WITHDRAWN_CODE}",
            f"- Thủ tục hành chính: {JUDICIAL_RECORD_NAME}",
            "- Thời gian nhận hồ sơ: 09 giờ 00 phút, ngày 03/03/2026",
            "Ngày 04/03/2026, Ông/Bà có yêu cầu dừng giải quyết hồ sơ",
            "Cổng Dịch vụ công quốc gia",
            "Điều 21 Nghị định số 118/2025/NĐ-CP",
            "Hoàn trả phí, lệ phí: Có; số tiền hoàn trả: 200.000 đồng; lý do: Hồ sơ chưa được chuyển",
            "NGƯỜI TIẾP NHẬN HỒ SƠ (Ký và ghi rõ họ tên) Lê Thị Hoa",
        ],
    )


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
def test_control_sheet_starts_with_the_desk_handing_over_to_the_processing_body(print_world):
    pdf = render_form("control_sheet", dossier=print_world.dossier, now=at("2026-03-06 10:00"))

    assert_size(pdf, A5)
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert_form(text, "control_sheet", agency=CENTRE_NAME)
    assert_lines(
        text,
        [
            *header_lines("control_sheet", issuer=DESK_ISSUER, place_date="Thanh Hóa, ngày 06 tháng 3 năm 2026"),
            f"Mã hồ sơ: {MAIN_CODE}",
            "(Kèm theo hồ sơ của: Nguyễn Thị Lan)",
            f"Thủ tục hành chính: {JUDICIAL_RECORD_NAME}",
            "Thời gian nhận hồ sơ: 08 giờ 15 phút, ngày 02/03/2026",
            "Thời gian hẹn trả kết quả: 08 giờ 15 phút, ngày 16/03/2026",
            "Cơ quan (bộ phận) giải quyết hồ sơ: Sở Tư pháp tỉnh Thanh Hóa",
            "Cơ quan phối hợp giải quyết hồ sơ: Công an tỉnh Thanh Hóa",
            "TÊN CƠ QUAN",
            "KẾT QUẢ GIẢI QUYẾT HỒ SƠ (Trước hạn/ đúng hạn/ quá hạn) GHI CHÚ",
            # First block: the desk hands the dossier to the processing body (never to itself).
            "SỞ TƯ PHÁP TỈNH THANH HÓA 1. Giao: Bộ phận Tiếp nhận và Trả kết quả (Lê Thị Hoa) "
            "2. Nhận: Sở Tư pháp tỉnh Thanh Hóa (Trần Quốc Bảo)",
            "14 giờ 00 phút, ngày 02/03/2026 Người giao Người nhận Trước hạn Phân công thụ lý; hạn bước: 03/03/2026",
            "SỞ TƯ PHÁP TỈNH THANH HÓA 1. Giao: Sở Tư pháp tỉnh Thanh Hóa (Trần Quốc Bảo) "
            "2. Nhận: Sở Tư pháp tỉnh Thanh Hóa (Nguyễn Văn Minh)",
            "16 giờ 30 phút, ngày 02/03/2026 Người giao Người nhận Quá hạn Tra cứu, xác minh; hạn bước: 05/03/2026",
            "CÔNG AN TỈNH THANH HÓA 1. Giao: Sở Tư pháp tỉnh Thanh Hóa (Nguyễn Văn Minh) "
            "2. Nhận: Công an tỉnh Thanh Hóa",
            "09 giờ 00 phút, ngày 06/03/2026 Người giao Người nhận Xác minh thông tin nhân thân",
        ],
    )
    # pypdf drops the space where a table heading wraps after its comma.
    assert re.search("THỜI GIAN GIAO, ?NHẬN ?HỒ SƠ", text)
    assert text.count("1. Giao:") == 3
    assert "Tiếp nhận hồ sơ;" not in text  # the desk's intake step is no handover
    assert "Giao: Bộ phận Tiếp nhận và Trả kết quả (Lê Thị Hoa) 2. Nhận: Trung tâm" not in text


@pytest.mark.django_db
def test_control_sheet_ends_back_at_the_desk_once_the_result_exists(print_world, register_dossiers):
    pdf = render_form("control_sheet", dossier=register_dossiers["returned"], now=at("2026-03-10 10:00"))

    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert_lines(
        text,
        [
            "Thanh Hóa, ngày 10 tháng 3 năm 2026",
            f"Mã hồ sơ: {EARLY_CODE}",
            "SỞ TƯ PHÁP TỈNH THANH HÓA 1. Giao: Bộ phận Tiếp nhận và Trả kết quả (Lê Thị Hoa) "
            "2. Nhận: Sở Tư pháp tỉnh Thanh Hóa (Nguyễn Văn Minh)",
            "09 giờ 10 phút, ngày 02/03/2026 Người giao Người nhận Trước hạn Tra cứu, xác minh",
            f"{CENTRE_NAME.upper()} 1. Giao: Sở Tư pháp tỉnh Thanh Hóa (Nguyễn Văn Minh) "
            "2. Nhận: Bộ phận Tiếp nhận và Trả kết quả",
            "15 giờ 00 phút, ngày 06/03/2026 Người giao Người nhận Trước hạn "
            "Trả kết quả về Bộ phận Tiếp nhận và Trả kết quả",
        ],
    )
    assert text.count("1. Giao:") == 2


def word_boxes(pdf: bytes) -> list[tuple[str, float, float, float]]:
    """(word, xMin, xMax, yMin) of the first page, from poppler's `pdftotext -bbox`."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>'
    return [(w, float(x0), float(x1), float(y0)) for x0, y0, x1, w in re.findall(pattern, html)]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
@pytest.mark.django_db
def test_a_long_agency_name_wraps_in_its_own_column(print_world):
    """The issuing body's name wraps left of the motto, with a clear gutter, instead of running into it."""
    agency = print_world.desk.agency
    agency.name = "Trung tâm Phục vụ hành chính công và Xúc tiến đầu tư, thương mại, du lịch tỉnh Thanh Hóa"
    agency.save()
    pdf = render_form("control_sheet", dossier=print_world.dossier, now=at("2026-03-06 10:00"))
    words = word_boxes(pdf)
    motto_left = next(x0 for w, x0, _x1, _y in words if w == "CỘNG")
    title_top = next(y for w, _x0, _x1, y in words if w == "PHIẾU")
    issuer = [(w, x1) for w, x0, x1, y in words if y < title_top and x0 < motto_left and w.isupper()]

    assert {"XÚC", "THƯƠNG", "LỊCH", "BỘ", "PHẬN"} <= {w.strip(",") for w, _x1 in issuer}
    assert max(x1 for _w, x1 in issuer) < motto_left - 10
    assert page_count(pdf) == 2  # the longer header pushes the last handover over; its heading repeats
    assert pdf_text(pdf).count("TÊN CƠ QUAN") == 2


@pytest.mark.django_db
def test_register_lists_the_desks_dossiers_of_the_period_in_one_query(
    print_world, register_dossiers, django_assert_max_num_queries
):
    desk = OneStopDesk.objects.get(pk=print_world.desk.pk)
    # desk → agency, the dossiers with their joins and register lines, their steps: three, whatever the rows.
    with django_assert_max_num_queries(3):
        pdf = render_form("register", desk=desk, period=PERIOD, now=at("2026-03-10 16:00"))

    assert_size(pdf, A4_LANDSCAPE)
    assert page_count(pdf) == 1
    text = pdf_text(pdf)
    assert_form(text, "register", agency=CENTRE_NAME)
    assert_lines(
        text,
        [
            *header_lines("register", issuer=DESK_ISSUER, place_date="Thanh Hóa, ngày 10 tháng 3 năm 2026"),
            "Quyển số 1 — Từ ngày 02/03/2026 đến ngày 03/03/2026",
            "TT Mã hồ sơ Tên thủ tục hành chính",
            "Cơ quan chủ trì giải quyết",
            "Trả kết quả Ghi chú (1) (2)",
            # Ordered by receipt; TT is the dossier's number in the desk's book.
            f"26 {EARLY_CODE} {JUDICIAL_RECORD_NAME} 1 Phạm Thu Hà 3 Lê Hoàn, phường Hạc Thành ĐT: 0911000111",
            "Sở Tư pháp tỉnh Thanh Hóa 06 giờ 45 phút, ngày 02/03/2026 06 giờ 45 phút, ngày 12/03/2026 "
            "09 giờ 10 phút, ngày 02/03/2026 15 giờ 00 phút, ngày 06/03/2026 08 giờ 30 phút, ngày 09/03/2026 Trước hạn",
            f"27 {MAIN_CODE} {JUDICIAL_RECORD_NAME} 1 Nguyễn Thị Lan",
            # Forwarded at 14:00, not at the desk's own intake step of 08:15.
            "08 giờ 15 phút, ngày 02/03/2026 08 giờ 15 phút, ngày 16/03/2026 14 giờ 00 phút, ngày 02/03/2026 "
            "Đang xử lý; Hẹn lại: 18/03/2026",
            f"41 {WITHDRAWN_CODE}",
            "Rút hồ sơ (dừng theo yêu cầu)",
        ],
    )
    for code in (OUTSIDE_CODE, BEFORE_CODE, COMMUNE_CODE, REFUSED_CODE):
        assert code not in text

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


def test_a_free_text_supplement_item_is_tied_to_the_one_component_it_names():
    from dossiers.models import DossierDocument as Doc
    from dossiers.printing import _supplement_items

    documents = [
        Doc(name="Tờ khai đăng ký kết hôn", form="original", count=1),
        Doc(name="Bản sao Giấy khai sinh của bên nam", form="copy", count=1),
        Doc(name="Bản sao Giấy khai sinh của bên nữ", form="certified", count=2),
    ]
    rows = _supplement_items(
        [
            "Ký đủ hai bên vào Tờ khai.",
            "Bản sao Giấy khai sinh của bên nữ bị mờ.",
            "Bản sao Giấy khai sinh thiếu dấu.",  # names both copies equally: left for the officer to say
            "Nộp thêm ảnh.",
            {"document": "Giấy xác nhận tình trạng hôn nhân", "quantity": 1, "content": "Còn hạn"},
        ],
        documents,
    )
    assert [(r["document"], r["form"], r["quantity"]) for r in rows] == [
        ("Tờ khai đăng ký kết hôn", "Bản chính", "1"),
        ("Bản sao Giấy khai sinh của bên nữ", "Bản sao chứng thực", "2"),
        ("", "", ""),
        ("", "", ""),
        ("Giấy xác nhận tình trạng hôn nhân", "", "1"),
    ]
    assert rows[0]["content"] == "Ký đủ hai bên vào Tờ khai."
