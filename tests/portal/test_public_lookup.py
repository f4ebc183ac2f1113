"""The public dossier lookup (/tra-cuu/): typed codes are normalised, bad input is refused clearly, never a 500."""

import pytest

from tests.dossiers.conftest import (  # noqa: F401 - fixtures used by name
    agencies,
    applicant_for,
    make_version,
    people,
    receive,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(receive):  # noqa: F811 - the imported fixture, by name
    return receive("2026-03-02 10:00")


@pytest.mark.parametrize("shape", [str.lower, lambda code: f"  {code} ", lambda code: f"\t{code.lower()}\n"])
def test_a_lower_case_or_padded_code_finds_the_dossier(client, dossier, shape):
    response = client.get("/tra-cuu/", {"ma": shape(dossier.code)})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<td>{dossier.code}</td>" in html
    assert f'value="{dossier.code}"' in html
    assert "Không tìm thấy" not in html


@pytest.mark.parametrize(
    "raw",
    ["\x00", "000.00.31.H56\x00-260302-0001", "<script>alert(1)</script>", "x" * 65, "mã hồ sơ", "a'b\"--", "%ff"],
)
def test_input_that_cannot_be_a_code_gets_a_clear_message(client, raw):
    response = client.get("/tra-cuu/", {"ma": raw})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Mã hồ sơ không hợp lệ" in html
    assert "<script>alert(1)</script>" not in html
    assert "\x00" not in html


def test_a_raw_nul_in_the_query_string_is_refused_not_a_500(client):
    response = client.get("/tra-cuu/?ma=%00")
    assert response.status_code == 400
    assert "Mã hồ sơ không hợp lệ" in response.content.decode()


def test_a_well_formed_unknown_code_says_not_found(client):
    response = client.get("/tra-cuu/", {"ma": " 000.00.31.h56-260302-9999 "})
    assert response.status_code == 200
    assert "Không tìm thấy hồ sơ có mã 000.00.31.H56-260302-9999." in response.content.decode()


def test_an_empty_box_shows_the_form_only(client):
    response = client.get("/tra-cuu/", {"ma": "   "})
    assert response.status_code == 200
    html = response.content.decode()
    assert "không hợp lệ" not in html
    assert "Không tìm thấy" not in html
