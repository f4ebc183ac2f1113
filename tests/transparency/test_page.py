"""The public page /cong-khai/: anonymous, searchable without accents, filtered, no personal data, fixed queries."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from agencies.models import Agency
from tests.dossiers.conftest import COMMUNE, at
from tests.transparency.world import TODAY
from transparency.services import public_figures_rebuild

pytestmark = pytest.mark.django_db
URL = reverse("transparency:home")


@pytest.fixture
def published(world):
    public_figures_rebuild(today=dt.date.fromisoformat(TODAY), now=at(f"{TODAY} 01:30"))
    with time_machine.travel(at(f"{TODAY} 09:00"), tick=False):
        yield world


def text(response) -> str:
    return response.content.decode()


def test_before_the_first_rebuild_the_page_says_so(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    assert "Số liệu chưa được tính" in text(response)


def test_an_anonymous_visitor_sees_the_figures_and_the_period(client, published):
    response = client.get(URL)
    assert response.status_code == 200
    body = text(response)
    assert "Số liệu 12 tháng gần nhất, từ ngày 01/06/2025 đến hết ngày 31/05/2026." in body
    assert "Đăng ký kết hôn" in body
    assert "83,3 %" in body  # on time
    assert "3 ngày" in body  # median
    assert "25,6 ngày" in body  # 90th percentile
    assert "10 ngày làm việc" in body  # the legal time from the catalogue
    # The small procedure (four dossiers) is not published, and the page says why.
    assert "Chứng thực chữ ký" not in body
    assert "dưới 5 hồ sơ đã giải quyết" in body


def test_no_personal_data_and_no_dossier_on_the_page(client, published):
    body = text(client.get(URL)) + text(client.get(URL, {"view": "agency"}))
    for secret in ("Hoàng Thị Mai", "038190001234", "0912345678", "Lê Hoàn", "mai@example.vn"):
        assert secret not in body
    for dossier in published.dossiers:
        assert dossier.code not in body


def test_search_by_name_ignores_accents_and_case(client, published):
    for query in ("ket hon", "KẾT HÔN", "dang ky ket  hon", "Đăng ký kết hôn"):
        response = client.get(URL, {"q": query})
        assert response.status_code == 200
        assert "Đăng ký kết hôn" in text(response), query
        assert "1 dòng số liệu" in text(response)


def test_search_by_code_and_nothing_found(client, published):
    code = published.version.procedure.code
    assert "Đăng ký kết hôn" in text(client.get(URL, {"q": code}))
    response = client.get(URL, {"q": "khai sinh"})
    assert response.status_code == 200
    assert "Không có số liệu phù hợp" in text(response)
    # "hon" alone is a whole word of the name; "ho" is not (whole words only, like the catalogue).
    assert "Đăng ký kết hôn" not in text(client.get(URL, {"q": "ho"}))


def test_filters_by_agency_and_level(client, published, agencies):
    commune = agencies[COMMUNE]
    assert "Đăng ký kết hôn" in text(client.get(URL, {"agency": commune.e_identifier, "level": commune.level}))
    response = client.get(URL, {"level": "department"})  # no department has figures: not offered, refused
    assert response.status_code == 400
    assert "Cấp cơ quan: giá trị không hợp lệ, đã bỏ qua." in text(response)


def test_the_agency_view_lists_each_agency_across_its_procedures(client, published, agencies):
    response = client.get(URL, {"view": "agency", "sort": "on_time"})
    assert response.status_code == 200
    body = text(response)
    assert agencies[COMMUNE].name in body
    assert "90,0 %" in body  # ten dossiers, nine on time: the small procedure counts here
    assert "1 cơ quan có số liệu" in body


def test_bad_parameters_give_a_message_never_an_error(client, published):
    refused = [
        {"agency": "NOT.AN.AGENCY"},
        {"level": "<script>"},
        {"sort": "drop table"},
        {"view": "everything"},
        {"q": "x" * 500},
        {"agency": "\x00"},
    ]
    for params in refused:
        response = client.get(URL, params)
        assert response.status_code == 400, params
        assert "giá trị không hợp lệ, đã bỏ qua" in text(response)
        assert "Đăng ký kết hôn" in text(response)  # the valid rest still lists
    for page in ("abc", "999", "-1"):
        response = client.get(URL, {"page": page})
        assert response.status_code == 200, page
        assert "Đăng ký kết hôn" in text(response)


def test_sorting_orders_the_rows(client, published, make_version, receive, people):
    from tests.dossiers.conftest import advance
    from tests.transparency.world import FORWARD, RESULT

    quick = make_version()
    quick.name = "Cấp bản sao trích lục"
    quick.save()
    for day in ("09", "10", "11", "12", "13"):
        advance(
            receive(f"2026-03-{day} 09:00", version=quick), FORWARD, RESULT, people=people, when=f"2026-03-{day} 10:00"
        )
    public_figures_rebuild(today=dt.date.fromisoformat(TODAY))
    by_name = text(client.get(URL))
    assert by_name.index("Cấp bản sao trích lục") < by_name.index("Đăng ký kết hôn")
    by_on_time = text(client.get(URL, {"sort": "on_time"}))
    assert by_on_time.index("Cấp bản sao trích lục") < by_on_time.index("Đăng ký kết hôn")  # 100 % before 83,3 %
    fast = text(client.get(URL, {"sort": "fast"}))
    assert fast.index("Cấp bản sao trích lục") < fast.index("Đăng ký kết hôn")  # 0 days before 3


def test_the_page_reads_a_fixed_number_of_queries(client, published, django_assert_num_queries):
    # The refresh mark, the province row, the agencies of the filter, the count and the page.
    with django_assert_num_queries(5):
        assert client.get(URL, {"q": "ket hon", "sort": "fast"}).status_code == 200
    with django_assert_num_queries(5):
        assert client.get(URL, {"view": "agency"}).status_code == 200


def test_the_procedure_page_shows_its_line_of_figures(client, published):
    code = published.version.procedure.code
    response = client.get(reverse("procedures:detail", args=[code]))
    assert response.status_code == 200
    assert "83,3 % hồ sơ đúng hạn, thường giải quyết trong 3 ngày làm việc" in text(response)
    small = client.get(reverse("procedures:detail", args=[published.small.procedure.code]))
    assert "hồ sơ đúng hạn" not in text(small)


def test_an_agency_no_longer_published_is_a_refused_filter(client, published):
    other = Agency.objects.exclude(e_identifier=COMMUNE).first()
    response = client.get(URL, {"agency": other.e_identifier})
    assert response.status_code == 400
    assert "Cơ quan giải quyết: giá trị không hợp lệ, đã bỏ qua." in text(response)
