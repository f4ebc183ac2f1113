"""Catalogue search: whole words, all of them, ranked — exact name, name starting with the query, the phrase in the
name, every word in the name, then (when no name matches, or asked) every word anywhere in the search text."""

import importlib

import pytest
from django.apps import apps

from procedures.content import DocumentData
from procedures.models import ProcedureVersion
from procedures.selectors import procedure_search
from tests.procedures.factories import publish
from tests.procedures.test_views import LIST, get_page, names

pytestmark = pytest.mark.django_db


def doc(name: str) -> tuple[DocumentData, ...]:
    return (DocumentData(name=name),)


@pytest.fixture
def certifying():
    """Two procedures named for chứng thực, one that only asks for a certified copy, and decoys with one word."""
    publish("1.000001", name="Chứng thực chữ ký", field_code="CT")
    publish("1.000002", name="Chứng thực di chúc", field_code="CT")
    publish(
        "1.000003", name="Đăng ký kết hôn", field_code="HT", documents=doc("Bản sao có chứng thực giấy tờ tùy thân")
    )
    publish("1.000004", name="Cấp Giấy chứng nhận quyền sử dụng đất", field_code="DD")  # "chung" only
    publish("1.000005", name="Thực hiện trợ cấp xã hội hằng tháng", field_code="XH")  # "thuc" only
    publish("1.000006", name="Cấp chứng chỉ hành nghề thú y", field_code="YT")  # "chung", and "thu" is not "thuc"


def test_chung_thuc_lists_the_procedures_named_so_and_nothing_with_one_word_only(client, certifying):
    assert names(get_page(client, LIST, {"q": "chung thuc"})) == ["Chứng thực chữ ký", "Chứng thực di chúc"]


def test_asked_to_look_everywhere_it_adds_the_texts_holding_both_words_after_the_names(client, certifying):
    found = names(get_page(client, LIST, {"q": "chứng thực", "everywhere": "on"}))
    assert found == ["Chứng thực chữ ký", "Chứng thực di chúc", "Đăng ký kết hôn"]
    for version in procedure_search(query="chung thuc", everywhere=True):
        assert {" chung ", " thuc "} <= {f" {w} " for w in version.search_text.split()}


def test_the_narrowed_list_offers_the_wider_search_once(client, certifying):
    narrowed = get_page(client, LIST, {"q": "chung thuc"}).content.decode()
    assert "Chỉ liệt kê các thủ tục có tên chứa đủ các từ đã nhập." in narrowed
    assert 'href="?q=chung+thuc&amp;everywhere=on"' in narrowed
    wide = get_page(client, LIST, {"q": "chung thuc", "everywhere": "on"}).content.decode()
    assert "Chỉ liệt kê" not in wide


def test_with_no_name_matching_the_words_found_in_the_text_are_listed(client, certifying):
    response = get_page(client, LIST, {"q": "giay to tuy than"})
    assert names(response) == ["Đăng ký kết hôn"]
    assert "Chỉ liệt kê" not in response.content.decode()


def test_the_name_test_respects_the_filters(client, certifying):
    # Within field HT no name holds both words, so the procedure that asks for a certified copy is listed.
    assert names(get_page(client, LIST, {"q": "chung thuc", "field": "HT"})) == ["Đăng ký kết hôn"]


@pytest.mark.parametrize("query", ["an", "AN", "ân"])
def test_a_word_matches_whole_words_only(client, db, query):
    publish("1.000011", name="Cấp bản sao trích lục hộ tịch")  # "ban", "an" only inside a word
    publish("1.000012", name="Cấp giấy chứng nhận an toàn thực phẩm")
    assert names(get_page(client, LIST, {"q": query})) == ["Cấp giấy chứng nhận an toàn thực phẩm"]


@pytest.fixture
def births():
    for code, name in [
        ("1.000021", "Đăng ký lại khai sinh"),
        ("1.000022", "Liên thông thủ tục về đăng ký khai sinh, đăng ký thường trú"),
        ("1.000023", "Đăng ký khai sinh có yếu tố nước ngoài"),
        ("1.000024", "Đăng ký khai sinh"),
        ("1.000025", "Khai sinh, đăng ký cho trẻ em bị bỏ rơi (sinh sống ký túc)"),
    ]:
        publish(code, name=name)
    publish("1.000026", name="Đăng ký thường trú", documents=doc("Giấy khai sinh; tờ khai đăng ký"))


@pytest.mark.parametrize("query", ["dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "  Đăng ký  khai sinh. "])
def test_ranking_exact_then_start_then_phrase_then_words(client, births, query):
    assert names(get_page(client, LIST, {"q": query})) == [
        "Đăng ký khai sinh",  # the exact name
        "Đăng ký khai sinh có yếu tố nước ngoài",  # starts with it
        "Liên thông thủ tục về đăng ký khai sinh, đăng ký thường trú",  # the phrase, after a comma too
        "Đăng ký lại khai sinh",  # every word in the name (shorter first)
        "Khai sinh, đăng ký cho trẻ em bị bỏ rơi (sinh sống ký túc)",
    ]
    ranks = [v.rank for v in procedure_search(query=query, everywhere=True)]
    assert ranks == [0, 1, 2, 3, 3, 4]  # the text-only match comes last when asked for


@pytest.mark.parametrize(
    ("params", "queries"),
    [
        # Field and agency choices, "does a name match", the count, the page, its fees.
        ({"q": "dang ky khai sinh"}, 6),
        # Asked to look everywhere: no name test.
        ({"q": "dang ky khai sinh", "everywhere": "on"}, 5),
        # No name matches, nothing found: no page, no fees.
        ({"q": "ho chieu"}, 4),
    ],
)
def test_the_list_page_query_count(client, births, django_assert_num_queries, params, queries):
    with django_assert_num_queries(queries):
        get_page(client, LIST, params)


def test_the_columns_are_refolded_by_the_migration(db):
    version = publish("1.000031", name="Chứng thực (bản sao), di chúc.", documents=doc("Tờ khai."))
    assert version.search_name == "chung thuc ban sao di chuc"
    assert version.search_text.startswith(" 1.000031 chung thuc ban sao di chuc ")
    assert version.search_text.endswith(" ")
    # As stored before 0006: fold() only, punctuation kept, no padding.
    ProcedureVersion.objects.filter(pk=version.pk).update(
        search_name="chung thuc (ban sao), di chuc.", search_text="1.000031 chung thuc (ban sao), di chuc. to khai."
    )
    importlib.import_module("procedures.migrations.0006_search").refold(apps, None)
    version.refresh_from_db()
    assert version.search_name == "chung thuc ban sao di chuc"
    assert version.search_text == " 1.000031 chung thuc ban sao di chuc to khai "


def test_the_api_searches_the_same_way(client, certifying):
    codes = [r["code"] for r in client.get("/api/v1/procedures/", {"q": "chung thuc"}).json()["results"]]
    assert codes == ["1.000001", "1.000002"]
    body = client.get("/api/v1/procedures/", {"q": "chung thuc", "everywhere": "true"}).json()
    assert [r["code"] for r in body["results"]] == ["1.000001", "1.000002", "1.000003"]
