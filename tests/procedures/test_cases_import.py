"""Cases (trường hợp) in the catalogue file: which documents and fee lines apply only to one case."""

import datetime as dt

import pytest
from django.core.management import CommandError

from procedures.content import content_hash, version_content
from procedures.importer import catalogue_parse, catalogue_read
from procedures.models import ProcedureVersion
from tests.procedures.conftest import SMALL
from tests.procedures.test_importer import run_import

pytestmark = pytest.mark.django_db

# 1.001193 of the small catalogue as imported before cases existed: the hash an existing database holds.
BIRTH_HASH_WITHOUT_CASES = "1a70d52fec9f98e358ecc448e7c85d280f18d878acb30a299a2723991610b101"


def _birth_with_cases(catalogue: dict) -> dict:
    """1.001193 with two fee alternatives, one per case, referred to by name and by index."""
    record = catalogue["procedures"][0]
    record["fees"] = [
        {"name": "Lệ phí đăng ký khai sinh (đúng hạn)", "amount": 0},
        {"name": "Lệ phí đăng ký khai sinh quá hạn", "amount": 8000},
    ]
    record["cases"] = [
        {"name": "Đúng hạn", "description": "Trong 60 ngày kể từ ngày sinh", "fees": [0]},
        {"name": "Quá hạn", "fees": ["Lệ phí đăng ký khai sinh quá hạn"], "documents": ["Giấy chứng sinh"]},
    ]
    record["effective_from"] = "2026-01-01"
    return catalogue


def test_a_file_without_cases_keeps_the_hash_it_was_imported_with():
    record = catalogue_parse(catalogue_read(SMALL)).records[0]
    assert record.code == "1.001193"
    assert record.data.cases == ()
    assert content_hash(record.data, effective_from=record.effective_from) == BIRTH_HASH_WITHOUT_CASES


def test_cases_are_imported_with_their_documents_and_fees(small_catalogue, write_catalogue):
    run_import(write_catalogue(_birth_with_cases(small_catalogue)))

    version = ProcedureVersion.objects.get(procedure__code="1.001193")
    on_time, late = version.cases.all()
    assert (on_time.name, on_time.description, late.name) == ("Đúng hạn", "Trong 60 ngày kể từ ngày sinh", "Quá hạn")
    assert {f.name: f.case for f in version.fees.all()} == {
        "Lệ phí đăng ký khai sinh (đúng hạn)": on_time,
        "Lệ phí đăng ký khai sinh quá hạn": late,
    }
    assert {d.name: d.case for d in version.documents.all()} == {
        "Tờ khai đăng ký khai sinh": None,
        "Giấy chứng sinh": late,
    }


def test_the_stored_cases_give_back_the_imported_hash(small_catalogue, write_catalogue):
    path = write_catalogue(_birth_with_cases(small_catalogue))
    run_import(path)
    version = ProcedureVersion.objects.get(procedure__code="1.001193")

    assert version.content_hash != BIRTH_HASH_WITHOUT_CASES
    assert content_hash(version_content(version), effective_from=version.effective_from) == version.content_hash
    assert "unchanged 5" in run_import(path)


def test_adding_cases_publishes_a_new_version(imported, small_catalogue, write_catalogue):
    output = run_import(write_catalogue(_birth_with_cases(small_catalogue)))

    assert "new versions 1, unchanged 4" in output
    v1, v2 = ProcedureVersion.objects.filter(procedure__code="1.001193").order_by("number")
    assert (v1.cases.count(), v2.cases.count()) == (0, 2)
    assert v1.effective_to == dt.date(2025, 12, 31)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ({"name": "X", "fees": ["Lệ phí sao y"]}, 'field "cases[0].fees[0]": no fee line named "Lệ phí sao y"'),
        ({"name": "X", "documents": [7]}, 'field "cases[0].documents[0]": no document at index 7 in "documents"'),
        ({"name": "X", "fees": [True]}, 'field "cases[0].fees[0]": must be a name or a 0-based index'),
        ({"fees": [0]}, 'field "cases[0].name": required field missing'),
        ({"name": "X", "fees": 0}, 'field "cases[0].fees": must be a list'),
    ],
)
def test_a_bad_case_is_refused_by_record_and_field(db, small_catalogue, write_catalogue, case, expected):
    small_catalogue["procedures"][0]["cases"] = [case]

    with pytest.raises(CommandError) as refused:
        run_import(write_catalogue(small_catalogue))

    assert f"Record #1 (1.001193), {expected}" in str(refused.value)
    assert not ProcedureVersion.objects.exists()


def test_the_vietnamese_message_names_the_unknown_fee(db, small_catalogue, write_catalogue):
    small_catalogue["procedures"][0]["cases"] = [{"name": "X", "fees": ["Lệ phí cấp bản sao"]}]

    with pytest.raises(CommandError) as refused:
        run_import(write_catalogue(small_catalogue))

    assert (
        'Bản ghi #1 (1.001193), trường "cases[0].fees[0]": không có khoản phí, lệ phí tên "Lệ phí cấp bản sao" '
        'trong "fees"'
    ) in str(refused.value)


def test_a_fee_line_belongs_to_one_case_at_most(db, small_catalogue, write_catalogue):
    small_catalogue["procedures"][0]["cases"] = [{"name": "A", "fees": [0]}, {"name": "B", "fees": [0]}]

    with pytest.raises(CommandError, match=r'"cases\[1\]\.fees\[0\]": already in cases\[0\]'):
        run_import(write_catalogue(small_catalogue))


def test_two_cases_may_not_share_a_name(db, small_catalogue, write_catalogue):
    small_catalogue["procedures"][0]["cases"] = [{"name": "A"}, {"name": "A"}]

    with pytest.raises(CommandError, match=r'"cases\[1\]\.name": duplicate case "A"'):
        run_import(write_catalogue(small_catalogue))


def test_a_name_shared_by_two_fee_lines_needs_the_index(db, small_catalogue, write_catalogue):
    record = small_catalogue["procedures"][0]
    record["fees"] = [{"name": "Lệ phí", "amount": 0}, {"name": "Lệ phí", "amount": 8000}]
    record["cases"] = [{"name": "A", "fees": ["Lệ phí"]}]

    with pytest.raises(CommandError, match='several fee lines named "Lệ phí": use the index'):
        run_import(write_catalogue(small_catalogue))


@pytest.mark.parametrize(
    ("code", "on_time_name", "late_name"),
    [
        ("1.001193", "Đăng ký khai sinh đúng hạn (trong 60 ngày kể từ ngày sinh)", "Đăng ký khai sinh quá hạn"),
        ("1.000656", "Đăng ký khai tử đúng hạn (trong 15 ngày kể từ ngày chết)", "Đăng ký khai tử quá hạn"),
    ],
)
def test_the_shipped_catalogue_splits_on_time_and_late_registration(seeded, code, on_time_name, late_name):
    version = ProcedureVersion.objects.get(procedure__code=code)

    on_time, late = version.cases.all()
    assert (on_time.name, late.name) == (on_time_name, late_name)
    # The 0 đ and 8.000 đ alternatives, then the copy fee of every case.
    assert [(f.amount, f.case) for f in version.fees.all()] == [(0, on_time), (8000, late), (8000, None)]
    assert not version.documents.filter(case__isnull=False).exists()
    assert content_hash(version_content(version), effective_from=version.effective_from) == version.content_hash
