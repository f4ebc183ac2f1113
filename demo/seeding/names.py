"""What the generator draws from: shares and weights, Vietnamese names, streets, enterprises, ID province codes
and the stock reasons written on dossiers; the weighted draw over them.
"""

from __future__ import annotations

import bisect
import functools
import random

from dossiers.workflow import Status as S
from procedures.text import fold

CENTRE = "000.00.06.H56"  # the provincial service centre: receives at the counter for provincial bodies

# Share of each status in per cent; every status gets at least one dossier once N ≥ 11.
STATUS_SHARES: dict[str, int] = {
    S.RETURNED: 55, S.IN_PROCESSING: 12, S.RESULT_READY: 7, S.SUPPLEMENT_REQUESTED: 5, S.RECEIVED: 4,
    S.SUBMITTED: 4, S.DRAFT: 3, S.REFUSED: 3, S.WITHDRAWN: 3, S.AWAITING_FINANCIAL_OBLIGATION: 2, S.STOPPED: 2,
}  # fmt: skip
ONLINE_SHARE, POSTAL_SHARE = 0.65, 0.03  # of all dossiers; the rest at the counter (channels 2, 3, 1 of §3.1)
INTAKE_SUPPLEMENT_SHARE = 0.4  # of supplement requests: asked at intake (online only), the rest at appraisal
CITIZEN_DOSSIERS = 20  # linked to the demo `citizen` account
WINDOW_DAYS = 365
LATE_SHARE = 0.05  # completed dossiers finished after their due date on purpose (a few more arise from dates)
OVERDUE_SHARE = 0.12  # dossiers in processing already past their due date
APOLOGY_SHARE = 0.4  # late dossiers whose processing body sent an apology in time (§5.10)
SUPPLEMENT_BASIS = "Điều 11 Nghị định 118/2025/NĐ-CP"

# Weight of a procedure in the draw: commune civil status (HT) and certification (CT) make most of the volume.
CODE_WEIGHTS = {
    "2.000815": 60, "1.001193": 30, "2.000884": 20, "2.000635": 15, "1.010041": 14, "1.000894": 10,
    "1.004194": 10, "1.004873": 10, "1.000656": 8, "1.004222": 8,
}  # fmt: skip
FIELD_WEIGHTS = {"HT": 10, "CT": 12, "CUTRU": 6, "LLTP": 4, "HKD": 3, "DD": 2, "XD": 2, "BTXH": 2, "DKDN": 2}
ENTERPRISE_SHARE = {"DKDN": 0.3, "DD": 0.2, "XD": 0.2, "CT": 0.08}  # by field; 2 % elsewhere


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _words(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(w.strip() for w in text.split(sep) if w.strip())


def _weighted(text: str) -> tuple[tuple[str, ...], list[float]]:
    """("Nguyễn", "Lê" …) and cumulative weights from "Nguyễn 31, Lê 11, …"."""
    pairs = [item.rsplit(" ", 1) for item in _words(text, ",")]
    return tuple(name for name, _w in pairs), _cumulative(float(w) for _n, w in pairs)


FAMILY_NAMES = _weighted(
    "Nguyễn 31, Lê 11, Trần 10, Phạm 7, Hoàng 5, Phan 4, Vũ 4, Trịnh 3, Đặng 2, Bùi 2, Đỗ 2, Hồ 1.5, Ngô 1.5, "
    "Dương 1, Võ 1, Huỳnh 1, Đinh 1, Mai 1, Lương 0.7, Lý 0.5, Cao 0.5, Tống 0.3"
)
MIDDLE = {
    "m": _words("Văn Văn Văn Đức Minh Quang Hữu Công Xuân Thanh Ngọc Tiến Duy Mạnh Trọng Anh Quốc Đình Bá Hoàng"),
    "f": _words("Thị Thị Thị Thị Ngọc Thu Thanh Minh Hồng Phương Kim Bảo Khánh Thùy Diệu Mai Hải"),
}
GIVEN = {
    "m": _words(
        "Hùng Dũng Nam Minh Tuấn Hải Long Phong Thắng Cường Quân Sơn Trung Đức Khánh Hiếu Thành Bình An Huy Kiên "
        "Tùng Việt Vinh Lâm Hoàng Nghĩa Toàn Đạt Khoa Phúc Lộc Tài Quyết Chiến Hưng"
    ),
    "f": _words(
        "Lan Hương Hoa Mai Linh Trang Thảo Ngọc Hà Huyền Yến Nhung Hằng Thủy Phương Anh Vy Giang Loan Dung Oanh "
        "Hạnh Nga Chi Quỳnh Trâm Hiền Thu Vân Nhàn Lý My Ngân Uyên"
    ),
}
ENTERPRISE_FORMS = _words("Công ty TNHH, Công ty TNHH MTV, Công ty Cổ phần, Doanh nghiệp tư nhân, Hợp tác xã", ",")
ENTERPRISE_TRADES = _words(
    "Thương mại và Dịch vụ, Xây dựng, Đầu tư và Phát triển, Vận tải, Nông sản, Thực phẩm, Công nghệ, Du lịch, "
    "Vật liệu xây dựng, Cơ khí, Dược phẩm",
    ",",
)
ENTERPRISE_BRANDS = _words(
    "Hoàng Long, Minh Phát, Thành Đạt, Phú Quý, An Khang, Hưng Thịnh, Đông Á, Sông Mã, Lam Sơn, Hàm Rồng, "
    "Việt Tiến, Trường Thịnh, Tân Phát, Nghi Sơn, Đại Việt, Bình Minh, Thiên Phú, Hồng Đức",
    ",",
)
STREETS = _words(
    "Lê Hoàn, Trần Phú, Phan Chu Trinh, Lê Lai, Quang Trung, Bà Triệu, Nguyễn Trãi, Đào Duy Từ, Lý Thường Kiệt, "
    "Tống Duy Tân, Lê Thánh Tông, Hải Thượng Lãn Ông, Trường Thi, Nam Ngạn, Dương Đình Nghệ, Đình Hương, Lê Lợi",
    ",",
)
# Province codes opening a 12-digit personal identification number (Thanh Hóa 038 first).
ID_PROVINCES = _weighted("038 86, 001 3, 040 3, 037 2, 036 2, 079 2, 031 1, 042 1")

REFUSAL_REASONS = (
    "Hồ sơ không thuộc thẩm quyền giải quyết của cơ quan tiếp nhận.",
    "Người yêu cầu không thuộc đối tượng được giải quyết theo quy định.",
    "Hồ sơ trùng với hồ sơ đã được tiếp nhận, đang giải quyết.",
    "Giấy tờ trong hồ sơ không còn giá trị sử dụng.",
)
SUPPLEMENT_REASONS = (
    "Hồ sơ còn thiếu giấy tờ theo quy định.",
    "Thông tin kê khai trên tờ khai chưa đầy đủ, chưa khớp với giấy tờ kèm theo.",
    "Bản sao chưa được chứng thực hoặc không đọc được.",
)
SUPPLEMENT_FIXES = (  # "Nội dung cần bổ sung, hoàn thiện" of the supplement request (Mẫu 02)
    "Bản sao có chứng thực.",
    "Ký, ghi rõ họ tên.",
    "Nộp bản chính để đối chiếu.",
    "Kê khai lại đầy đủ, đúng mẫu.",
    "Tải lên bản chụp rõ nét, đủ các trang.",
)
WITHDRAW_REASONS = (
    "Người yêu cầu đề nghị rút hồ sơ để bổ sung giấy tờ.",
    "Người yêu cầu không còn nhu cầu giải quyết.",
    "Người yêu cầu nộp nhầm thủ tục.",
)
STOP_REASONS = (
    "Sau thẩm định, hồ sơ không đủ điều kiện giải quyết theo quy định.",
    "Kết quả xác minh không phù hợp với nội dung đề nghị.",
)
APOLOGY_REASONS = (
    "Hồ sơ cần xác minh thêm thông tin tại cơ quan có liên quan.",
    "Cần lấy ý kiến của cơ quan phối hợp, chưa nhận được văn bản trả lời.",
)
OBLIGATION_NOTE = "Chuyển thông tin để cơ quan thuế xác định nghĩa vụ tài chính."


@functools.cache
def _fold(text: str) -> str:
    return fold(text)


def _pick(rng: random.Random, items, cumulative: list[float]):
    """What `rng.choices(items, cum_weights=cumulative)[0]` draws, without its overhead."""
    return items[bisect.bisect(cumulative, rng.random() * cumulative[-1], 0, len(items) - 1)]
