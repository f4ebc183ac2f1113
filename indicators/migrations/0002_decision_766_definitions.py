"""The Decision 766/QĐ-TTg indicators as observed on the national portal (docs/domain.md §9.1), loaded as the version
in force from 1 July 2025 (docs/indicators.md says why). A later change is a new row added in the admin."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

FROM = dt.date(2025, 7, 1)
OBSERVED = "Công thức tái dựng từ điểm công bố trên Cổng Dịch vụ công quốc gia (phụ lục pháp lý chưa đối chiếu)."

# code, metric, group, group max, order, name, max, formula, variables (name → meaning), note
DEFINITIONS = [
    (
        "1.1", "PUBLISH_ON_TIME", 1, 18, 1, "Công bố thủ tục hành chính đúng hạn", 6,
        "min(6, 6 * announced_on_time / announced)",
        {"announced_on_time": "TTHC công bố đúng hạn", "announced": "TTHC được công bố"},
        OBSERVED,
    ),
    (
        "1.2", "PUBLIC_UPDATE_ON_TIME", 1, 18, 2, "Cập nhật, công khai thủ tục hành chính đúng hạn", 4,
        "min(4, 4 * updated_on_time / updated)",
        {"updated_on_time": "TTHC cập nhật, công khai đúng hạn", "updated": "TTHC phải cập nhật, công khai"},
        OBSERVED,
    ),
    (
        "1.3", "PUBLIC_CONTENT_FULL", 1, 18, 3, "Công khai thủ tục hành chính đầy đủ nội dung", 2,
        "min(2, 2 * published_full / published)",
        {"published_full": "TTHC công khai đầy đủ nội dung", "published": "TTHC công khai"},
        OBSERVED,
    ),
    (
        "1.4", "DOSSIER_SYNC", 1, 18, 4, "Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia", 6,
        "min(6, 6 * synced / received)",
        {"synced": "Hồ sơ đã đồng bộ", "received": "Hồ sơ tiếp nhận trong kỳ"},
        OBSERVED,
    ),
    (
        "2.1", "", 2, 20, 1, "Hồ sơ giải quyết trước hạn, đúng hạn", 20,
        "min(20, 20 * handled_on_time / handled)",
        {
            "handled_on_time": "Hồ sơ trước hạn, đúng hạn, rút, đang giải quyết chưa quá hạn, chờ bổ sung",
            "handled": "Hồ sơ phải giải quyết trong kỳ (tiếp nhận mới và kỳ trước chuyển sang)",
        },
        OBSERVED,
    ),
    (
        "3.1", "", 3, 22, 1, "Thủ tục cung cấp dịch vụ công trực tuyến (A)", 2,
        "min(2, 2 * services_online / services / 0.8)",
        {"services_online": "Dịch vụ công trực tuyến toàn trình, một phần", "services": "TTHC thuộc thẩm quyền"},
        OBSERVED + " Đạt tối đa khi tỷ lệ A ≥ 80 %.",
    ),
    (
        "3.2", "", 3, 22, 2, "Dịch vụ công trực tuyến có phát sinh hồ sơ (B)", 4,
        "min(4, 4 * services_online_used / services_online)",
        {
            "services_online_used": "Dịch vụ công trực tuyến có hồ sơ trực tuyến trong kỳ",
            "services_online": "Dịch vụ công trực tuyến được cung cấp",
        },
        OBSERVED,
    ),
    (
        "3.3", "", 3, 22, 3, "Hồ sơ nộp trực tuyến (C)", 6,
        "min(6, 6 * online / received / 0.5)",
        {"online": "Hồ sơ trực tuyến", "received": "Hồ sơ tiếp nhận trong kỳ"},
        OBSERVED + " Đạt tối đa khi tỷ lệ C ≥ 50 %.",
    ),
    (
        "3.5", "", 3, 22, 4, "Thủ tục có thu phí, lệ phí có phát sinh hồ sơ (R)", 2,
        "min(2, 2.5 * fee_services_used / fee_services)",
        {"fee_services_used": "Thủ tục có phí có hồ sơ trong kỳ", "fee_services": "Thủ tục có thu phí, lệ phí"},
        OBSERVED + " Giới hạn 2 điểm do hệ thống đặt (thiết kế).",
    ),
    (
        "3.5b", "", 3, 22, 5, "Thủ tục có thu phí, lệ phí có thanh toán trực tuyến (Q)", 2,
        "min(2, 2.5 * fee_services_paid_online / fee_services)",
        {
            "fee_services_paid_online": "Thủ tục có phí có hồ sơ thanh toán trực tuyến",
            "fee_services": "Thủ tục có thu phí, lệ phí",
        },
        OBSERVED,
    ),
    (
        "3.6", "", 3, 22, 6, "Hồ sơ thanh toán trực tuyến (P)", 6,
        "min(6, 6 * paid_online / with_obligation)",
        {"paid_online": "Hồ sơ thanh toán trực tuyến", "with_obligation": "Hồ sơ có nghĩa vụ tài chính"},
        OBSERVED,
    ),
    (
        "4.1", "ORIGINAL_RESULT_AVAILABLE", 4, 22, 1, "Hồ sơ có kết quả điện tử", 6,
        "min(6, 6 * e_result / decided)",
        {"e_result": "Hồ sơ có kết quả điện tử ký số", "decided": "Hồ sơ có kết quả trong kỳ"},
        OBSERVED,
    ),
    (
        "4.2", "SO_HOA_GIAY_TO_GIAI_QUYET", 4, 22, 2, "Hồ sơ có thành phần được số hóa", 4,
        "min(4, 4 * digitised / received)",
        {"digitised": "Hồ sơ có thành phần số hóa", "received": "Hồ sơ tiếp nhận trong kỳ"},
        OBSERVED,
    ),
    (
        "4.2b", "ELECTRONIC_CERTIFIED_COPY", 4, 22, 3, "Cung cấp bản sao điện tử có chứng thực", 2,
        "min(2, 2 * certified_copies / certified_copy_requests)",
        {
            "certified_copies": "Bản sao điện tử được chứng thực",
            "certified_copy_requests": "Yêu cầu chứng thực bản sao điện tử",
        },
        OBSERVED,
    ),
    (
        "4.3", "REUSED_DIGITIZED_DATA", 4, 22, 4, "Hồ sơ tái sử dụng dữ liệu đã số hóa", 2,
        "min(2, 2 * reused / received / 0.8)",
        {"reused": "Hồ sơ tái sử dụng dữ liệu số hóa", "received": "Hồ sơ tiếp nhận trong kỳ"},
        OBSERVED + " Đạt tối đa khi tỷ lệ ≥ 80 %.",
    ),
    (
        "4.4", "SYNCED_WITH_DVCQG_PERSONAL_STORAGE", 4, 22, 5, "Hồ sơ đồng bộ kho dữ liệu cá nhân", 4,
        "min(4, 4 * synced_personal_store / received)",
        {"synced_personal_store": "Hồ sơ đồng bộ kho dữ liệu cá nhân", "received": "Hồ sơ tiếp nhận trong kỳ"},
        OBSERVED,
    ),
    (
        "4.5a", "CITIZEN_DATA_CONNECTED_FORMALITY", 4, 22, 6, "Thủ tục kết nối Cơ sở dữ liệu quốc gia về dân cư", 2,
        "min(2, 2 * services_population_db / services)",
        {"services_population_db": "TTHC kết nối CSDL dân cư", "services": "TTHC thuộc thẩm quyền"},
        OBSERVED,
    ),
    (
        "4.5b", "CITIZEN_DATA_CONNECTED_DOSSIER", 4, 22, 7, "Hồ sơ khai thác dữ liệu dân cư", 2,
        "min(2, 2 * dossiers_population_db / received)",
        {"dossiers_population_db": "Hồ sơ khai thác dữ liệu dân cư", "received": "Hồ sơ tiếp nhận trong kỳ"},
        OBSERVED,
    ),
    (
        "5.2", "PETITION_PROCESSING_ON_TIME", 5, 18, 1, "Phản ánh, kiến nghị được xử lý đúng hạn", 6,
        "6 if feedback == 0 else 6 * feedback_on_time / feedback",
        {"feedback_on_time": "PAKN xử lý đúng hạn", "feedback": "PAKN thuộc thẩm quyền tiếp nhận trong kỳ"},
        OBSERVED + " Không có phản ánh, kiến nghị: đạt 6 điểm.",
    ),
    (
        "5.3", "PETITION_HANDLING_SATISFACTION", 5, 18, 2, "Mức độ hài lòng về xử lý phản ánh, kiến nghị", 6,
        "6 if feedback == 0 else 6 * feedback_satisfied / feedback",
        {"feedback_satisfied": "PAKN người gửi hài lòng", "feedback": "PAKN tiếp nhận trong kỳ"},
        OBSERVED + " Không có phản ánh, kiến nghị: đạt 6 điểm.",
    ),
    (
        "5.4", "DOSSIER_RECEIVING_SATISFACTION", 5, 18, 3, "Mức độ hài lòng về tiếp nhận, giải quyết hồ sơ", 6,
        "0 if ratings == 0 else min(6, 6 * ratings_satisfied / ratings / 0.9)",
        {"ratings_satisfied": "Lượt đánh giá hài lòng, rất hài lòng", "ratings": "Lượt đánh giá trong kỳ"},
        OBSERVED + " Đạt tối đa khi ≥ 90 % hài lòng; không có đánh giá: 0 điểm.",
    ),
]


def load(apps, schema_editor):
    Definition = apps.get_model("indicators", "IndicatorDefinition")
    Definition.objects.bulk_create(
        [
            Definition(
                code=code,
                metric=metric,
                group=group,
                group_max=Decimal(group_max),
                order=order,
                name=name,
                max_points=Decimal(points),
                formula=formula,
                variables=variables,
                note=note,
                effective_from=FROM,
            )
            for code, metric, group, group_max, order, name, points, formula, variables, note in DEFINITIONS
        ]
    )


def unload(apps, schema_editor):
    Definition = apps.get_model("indicators", "IndicatorDefinition")
    Definition.objects.filter(effective_from=FROM, code__in=[row[0] for row in DEFINITIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
