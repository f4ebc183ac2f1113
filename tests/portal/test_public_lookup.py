"""The public dossier lookup (/tra-cuu/): typed codes are normalised, bad input is refused clearly, never a 500."""

import datetime as dt

import pytest
import time_machine

from dossiers.models import Applicant
from tests.dossiers.conftest import (  # noqa: F401 - fixtures used by name
    agencies,
    applicant_for,
    at,
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


# --- The limit per client (portal.ratelimit) --------------------------------------------------------------------

UNKNOWN = "000.00.31.H56-260302-9999"


def _lookups(client, count, **extra):
    return [client.get("/tra-cuu/", {"ma": UNKNOWN}, **extra).status_code for _ in range(count)]


def test_the_21st_lookup_in_ten_minutes_is_refused_with_when_to_try_again(client, db):
    # 10:03 in Hà Nội: the window runs 10:00–10:10, so the client may try again at 10:10, in 7 minutes.
    with time_machine.travel(at("2026-03-02 10:03"), tick=False):
        assert _lookups(client, 20) == [200] * 20
        response = client.get("/tra-cuu/", {"ma": UNKNOWN})
    assert response.status_code == 429
    assert response["Retry-After"] == "420"
    html = response.content.decode()
    assert "Bạn đã tra cứu quá 20 lần trong 10 phút." in html
    assert "Vui lòng thử lại sau 7 phút (từ 10:10 02/03/2026)." in html
    assert "Không tìm thấy" not in html  # nothing was looked up


def test_the_limit_lifts_when_the_window_ends(client, db):
    with time_machine.travel(at("2026-03-02 10:09") + dt.timedelta(seconds=59), tick=False):
        _lookups(client, 20)
        assert _lookups(client, 1) == [429]
    with time_machine.travel(at("2026-03-02 10:10"), tick=False):
        assert _lookups(client, 20) == [200] * 20
        assert _lookups(client, 1) == [429]


def test_the_limit_counts_each_client_address_apart(client, db):
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        assert _lookups(client, 21, REMOTE_ADDR="203.0.113.5")[-1] == 429
        assert _lookups(client, 1, REMOTE_ADDR="203.0.113.6") == [200]


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client, db, settings):
    settings.TRUSTED_PROXY = ["10.0.0.2"]
    proxied = {"REMOTE_ADDR": "10.0.0.2"}
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        assert _lookups(client, 20, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxied) == [200] * 20
        # A client cannot escape its count by forging earlier hops: the proxy's own hop is the one counted.
        assert _lookups(client, 1, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5", **proxied) == [429]
        assert _lookups(client, 1, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxied) == [200]


def test_an_untrusted_forwarded_header_is_ignored(client, db):
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        for hop in range(21):
            status = client.get(
                "/tra-cuu/", {"ma": UNKNOWN}, REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=f"198.51.100.{hop}"
            ).status_code
    assert status == 429


def test_the_empty_form_is_not_counted(client, db):
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        for _ in range(25):
            assert client.get("/tra-cuu/").status_code == 200
        assert _lookups(client, 20) == [200] * 20


def test_the_limit_is_a_setting(client, db, settings):
    settings.PUBLIC_LOOKUP_LIMIT = 2
    settings.PUBLIC_LOOKUP_WINDOW = 60
    with time_machine.travel(at("2026-03-02 10:00") + dt.timedelta(seconds=30), tick=False):
        assert _lookups(client, 3) == [200, 200, 429]
        assert "thử lại sau 1 phút (từ 10:01 02/03/2026)" in client.get("/tra-cuu/", {"ma": UNKNOWN}).text


# --- Nothing personal: initials only ------------------------------------------------------------------------------


def test_the_lookup_shows_upper_case_initials_and_nothing_else_of_the_applicant(client, people, receive, make_version):  # noqa: F811
    dossier = receive("2026-03-02 10:00")
    Applicant.objects.filter(pk=dossier.applicant_id).update(name="nguyễn văn an")
    html = client.get("/tra-cuu/", {"ma": dossier.code}).content.decode()
    assert "<td>N. V. A.</td>" in html
    for personal in ("nguyễn văn an", "038190001234", "0912345678", "mai@example.vn", "Lê Hoàn", "Hoàng Thị Mai"):
        assert personal not in html
