"""The public catalogue through HTTP, as a citizen uses it."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Agency
from procedures.importer import DEFAULT_PATH
from procedures.models import Procedure
from procedures.services import procedure_abolish
from tests.procedures.factories import publish

pytestmark = pytest.mark.django_db

LIST = "/procedures/"
INVALID = "INVALID_TEMPLATE_VARIABLE"


def names(response) -> list[str]:
    return re.findall(r'class="proc-result__name"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def get_page(client, *args, **kwargs):
    response = client.get(*args, **kwargs)
    assert response.status_code == 200
    assert INVALID not in response.content.decode()
    return response


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh", "Đăng ký khai sinh"])
def test_search_puts_the_exact_procedure_first_whatever_the_accents_and_case(client, imported, query):
    found = names(get_page(client, LIST, {"q": query}))
    assert found[0] == "Đăng ký khai sinh"
    assert "Đăng ký lại khai sinh" in found
    assert any(name.startswith("Liên thông") for name in found)
    assert all("khai sinh" in name.lower() for name in found)


def test_words_found_in_documents_or_result_match_after_the_name(client, imported):
    # "phieu" is in the name of 2.000488 only; "bao hiem y te" only in the name of the interconnected group.
    assert names(get_page(client, LIST, {"q": "phieu ly lich"}))[0].startswith("Cấp Phiếu lý lịch tư pháp")
    found = names(get_page(client, LIST, {"q": "giay chung sinh"}))  # a document of 1.001193
    assert found == ["Đăng ký khai sinh"]


def test_search_by_code(client, imported):
    response = get_page(client, LIST, {"q": "2.000488"})
    assert names(response) == [
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam"
    ]
    assert "Tìm thấy 1 thủ tục" in response.content.decode()


def test_no_match_says_so(client, imported):
    response = get_page(client, LIST, {"q": "hộ chiếu ngoại giao"})
    assert names(response) == []
    assert "Tìm thấy 0 thủ tục" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"field": "LLTP"}, {"2.000488"}),
        ({"level": "department"}, {"2.000488"}),
        ({"online_mode": "none"}, {"1.013225"}),
        ({"online_mode": "partial", "q": "khai sinh"}, {"1.004884"}),
        ({"field": "HT", "online_mode": "full"}, {"1.001193", "2.000986"}),
        ({"agency": "000.00.10.H56"}, {"2.000488"}),
        ({"level": "no-such-level"}, {"1.001193", "1.004884", "2.000986", "2.000488", "1.013225"}),
    ],
)
def test_filters_narrow_the_results(client, small_catalogue, write_catalogue, params, expected):
    Agency.objects.create(e_identifier="000.00.10.H56", name="Sở Tư pháp tỉnh Thanh Hóa", level="department")
    call_command("import_procedures", str(write_catalogue(small_catalogue)), verbosity=0)
    response = get_page(client, LIST, params)
    codes = set(re.findall(r"Mã: <strong>([0-9A-Za-z.]+)</strong>", response.content.decode()))
    assert codes == expected


def test_filters_are_selects_filled_from_the_database(client, imported):
    html = get_page(client, LIST).content.decode()
    assert '<label for="id_field">' in html
    assert '<select name="field" id="id_field">' in html
    assert '<option value="LLTP">Lý lịch tư pháp</option>' in html
    assert '<option value="department">Sở, ban, ngành</option>' in html
    assert '<option value="none">Không trực tuyến</option>' in html


def test_abolished_procedures_leave_the_list_and_their_page(client, imported):
    procedure_abolish(procedure_code="1.013225", on=dt.date(2026, 1, 1))
    assert "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ" not in names(get_page(client, LIST))
    assert client.get("/procedures/1.013225/").status_code == 404


def test_pagination_keeps_the_query_string(client, db):
    for n in range(45):
        publish(f"9.{n:06d}", name=f"Cấp giấy xác nhận mẫu {n:02d}", field_code="TN")
    first = get_page(client, LIST, {"q": "xac nhan", "field": "TN"})
    html = first.content.decode()
    assert len(names(first)) == 20
    assert "Tìm thấy 45 thủ tục" in html
    assert 'aria-current="page">1<' in html
    assert 'href="?q=xac+nhan&amp;field=TN&amp;page=2"' in html

    last = get_page(client, LIST, {"q": "xac nhan", "field": "TN", "page": 3})
    assert len(names(last)) == 5
    assert 'aria-current="page">3<' in last.content.decode()
    # A page number out of range shows the last page rather than an error.
    assert len(names(get_page(client, LIST, {"q": "xac nhan", "page": 99}))) == 5


def test_list_page_query_count_does_not_grow_with_results(client, db, django_assert_max_num_queries):
    for n in range(25):
        publish(f"9.{n:06d}", name=f"Thủ tục {n:02d}", agencies=[])
    # Field and agency options, "does a name match", the count, the page, its fees.
    with django_assert_max_num_queries(6):
        response = get_page(client, LIST, {"q": "thu tuc"})
    assert len(names(response)) == 20


def test_list_shows_code_field_level_time_fee_and_online_mode(client, imported):
    html = get_page(client, LIST, {"q": "2.000488"}).content.decode()
    assert "Mã: <strong>2.000488</strong>" in html
    assert "Lý lịch tư pháp" in html
    assert "Cấp: Sở, ban, ngành" in html
    assert "10 ngày" in html
    assert "100.000 – 200.000 đồng" in html
    assert '<span class="badge badge--full">Toàn trình</span>' in html


def test_detail_shows_what_a_citizen_needs_to_prepare(client, imported, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # the sixth: its line of public figures (transparency_tags)
        response = get_page(client, reverse("procedures:detail", args=["1.001193"]))
    html = response.content.decode()
    assert "<h1>Đăng ký khai sinh</h1>" in html
    assert "Tờ khai đăng ký khai sinh" in html
    assert "Giấy chứng sinh" in html
    assert '<a href="https://example.gov.vn/mau/to-khai-khai-sinh.docx" rel="noopener">' in html
    assert "Trong ngày; sau 15:00 trả trong ngày làm việc tiếp theo" in html
    assert "0 đồng" in html
    assert "<strong>60/2014/QH13</strong> — Luật Hộ tịch (ngày 20/11/2014)" in html
    assert "Phiên bản 1, hiệu lực từ ngày 01/07/2025." in html
    assert "Bộ phận Một cửa của Ủy ban nhân dân cấp xã" in html
    assert "dichvucong.gov.vn" in html


def test_online_submission_button_leads_to_the_wizard_and_follows_the_feature_flag(client, imported, settings):
    """On by default now that the wizard exists (issue 9); the flag still hides it, and an offline procedure never
    gets it."""
    assert settings.ONLINE_SUBMISSION_ENABLED is True
    html = get_page(client, "/procedures/1.001193/").content.decode()
    assert 'href="/nop-ho-so/thu-tuc/1.001193/">Nộp hồ sơ trực tuyến</a>' in html
    assert "Cổng chưa mở chức năng" not in html
    assert "Nộp hồ sơ trực tuyến" not in get_page(client, "/procedures/1.013225/").content.decode()

    settings.ONLINE_SUBMISSION_ENABLED = False
    html = get_page(client, "/procedures/1.001193/").content.decode()
    assert "Nộp hồ sơ trực tuyến" not in html
    assert "Cổng chưa mở chức năng nộp hồ sơ trực tuyến" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("khai sinh " * 20 + "x", "Từ khóa tìm kiếm dài quá 200 ký tự"),
        ("khai\x00sinh", "Từ khóa tìm kiếm chứa ký tự không hợp lệ."),
    ],
)
def test_a_refused_query_lists_nothing_and_says_why(client, imported, query, message):
    response = client.get(LIST, {"q": query})
    assert response.status_code == 400
    html = response.content.decode()
    assert names(response) == []
    assert message in html
    assert 'role="alert"' in html
    assert "Tìm thấy" not in html
    assert INVALID not in html


def test_a_query_of_exactly_200_characters_is_searched(client, imported):
    query = ("khai sinh " * 20)[:200]
    assert len(query) == 200
    assert names(get_page(client, LIST, {"q": query}))[0] == "Đăng ký khai sinh"


def test_detail_formats_fees_and_calendar_days(client, imported):
    html = get_page(client, "/procedures/2.000488/").content.decode()
    assert "200.000 đồng" in html
    assert "100.000 đồng" in html
    assert "10 ngày" in html
    assert "Quy trình nội bộ" in html


def test_offline_procedure_says_to_file_at_the_desk(client, imported):
    html = get_page(client, "/procedures/1.013225/").content.decode()
    assert "Nộp hồ sơ trực tuyến" not in html
    assert "nộp hồ sơ trực tiếp tại Bộ phận Một cửa" in html


def test_detail_lists_linked_agencies(client, demo_agencies):
    publish("1.000100", name="Chứng thực chữ ký", agencies=["000.00.31.H56", "000.00.32.H56"])
    html = get_page(client, "/procedures/1.000100/").content.decode()
    assert "Ủy ban nhân dân phường Hạc Thành" in html
    assert "Ủy ban nhân dân phường Hàm Rồng" in html


@pytest.mark.parametrize("path", ["/procedures/9.999999/", "/procedures/1.001193.x/", "/procedures/abc/"])
def test_unknown_code_is_404(client, imported, path):
    assert client.get(path).status_code == 404


def test_home_page_features_in_force_procedures(client, imported):
    html = get_page(client, "/").content.decode()
    assert 'href="/procedures/1.001193/"' in html
    assert INVALID not in html


@pytest.mark.skipif(not DEFAULT_PATH.exists(), reason="procedures/data/catalogue.json is not written yet")
def test_every_shipped_procedure_page_renders(client, demo_agencies):
    call_command("import_procedures", verbosity=0)
    codes = list(Procedure.objects.in_force().values_list("code", flat=True))
    for code in codes:
        get_page(client, f"/procedures/{code}/")
    assert names(get_page(client, LIST, {"q": "khai sinh"}))[0] == "Đăng ký khai sinh"
