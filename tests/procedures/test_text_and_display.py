import datetime as dt
from decimal import Decimal

import pytest

from procedures.display import fee_summary, time_limit_text, vnd
from procedures.models import ProcedureFee, ProcedureVersion
from procedures.text import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("ĐĂNG KÝ KHAI SINH", "dang ky khai sinh"),
        ("  dang   ky\tkhai\nsinh ", "dang ky khai sinh"),
        ("Cấp Phiếu lý lịch tư pháp", "cap phieu ly lich tu phap"),
        ("Chứng thực hợp đồng, giao dịch", "chung thuc hop dong, giao dich"),
        ("1.001193", "1.001193"),
        ("", ""),
    ],
)
def test_fold_is_lower_case_accent_free_and_collapses_whitespace(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0 đồng"), (2000, "2.000 đồng"), (200000, "200.000 đồng"), (1250000, "1.250.000 đồng")],
)
def test_vnd_uses_dots_between_thousands(amount, text):
    assert vnd(amount) == text


def _version(**kwargs) -> ProcedureVersion:
    return ProcedureVersion(**{"time_unit": "working_days", "time_value": None, "cutoff_time": None, **kwargs})


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"time_value": Decimal("5.00")}, "05 ngày làm việc"),
        ({"time_value": Decimal("12")}, "12 ngày làm việc"),
        ({"time_value": Decimal("0.5")}, "0,5 ngày làm việc"),
        ({"time_unit": "working_hours", "time_value": Decimal("4")}, "4 giờ làm việc"),
        ({"time_unit": "calendar_days", "time_value": Decimal("10")}, "10 ngày"),
        (
            {"time_unit": "same_day", "cutoff_time": dt.time(15, 0)},
            "Trong ngày; sau 15:00 trả trong ngày làm việc tiếp theo",
        ),
        ({"time_unit": "same_day"}, "Trong ngày"),
        (
            {
                "time_unit": "mixed",
                "time_parts": [{"unit": "calendar_days", "value": 15}, {"unit": "working_days", "value": 8}],
            },
            "15 ngày + 08 ngày làm việc",
        ),
        ({"time_unit": "none"}, "Không quy định thời hạn"),
        (
            {"time_value": Decimal("3"), "cutoff_time": dt.time(15, 0)},
            "03 ngày làm việc; hồ sơ nhận sau 15:00 được tính từ ngày làm việc tiếp theo",
        ),
    ],
)
def test_time_limit_in_words(kwargs, text):
    assert time_limit_text(_version(**kwargs)) == text


@pytest.mark.parametrize(
    ("amounts", "description", "text"),
    [
        ([], "", "Không thu phí, lệ phí"),
        ([], "Theo Nghị quyết của HĐND tỉnh", "Xem chi tiết"),
        ([0], "", "Miễn phí, lệ phí"),
        ([200000], "", "200.000 đồng"),
        ([200000, 100000], "", "100.000 – 200.000 đồng"),
        ([0, 8000], "", "0 – 8.000 đồng"),
    ],
)
def test_fee_summary(amounts, description, text):
    fees = [ProcedureFee(name="x", amount=a) for a in amounts]
    assert fee_summary(fees, description) == text
