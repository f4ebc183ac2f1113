"""Hồ sơ của tôi (/ho-so-cua-toi/): the owner's dossiers newest first with what is expected of them now, drafts
apart, in a fixed number of queries; the old /dossiers/ list sends a citizen here."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from citizen import selectors
from dossiers import services
from dossiers.models import Dossier, FeeMode, ReturnMethod
from dossiers.workflow import Status
from tests.citizen.mine_helpers import NOW
from tests.dossiers.conftest import advance, at

pytestmark = pytest.mark.django_db

INVALID = "INVALID_TEMPLATE_VARIABLE"


def _page(client, user, path="/ho-so-cua-toi/"):
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    assert INVALID not in response.text
    return response.text


def test_newest_first_and_only_the_owners(client, people, receive, applicant_for, make_version, mine_now):
    first, second, third = (receive(f"2026-03-02 {h:02d}:00") for h in (8, 9, 10))
    theirs = services.dossier_receive_counter(
        actor=people["desk"],
        procedure_version=make_version(),
        applicant=applicant_for(people["other_citizen"], name="Trần Thị Lan"),
        now=at("2026-03-02 11:00"),
    )
    text = _page(client, people["citizen"])
    positions = [text.index(d.code) for d in (third, second, first)]
    assert positions == sorted(positions)
    assert theirs.code not in text


def test_the_old_list_sends_a_citizen_here_and_staff_keep_theirs(client, people):
    client.force_login(people["citizen"])
    assert client.get("/dossiers/")["Location"] == "/ho-so-cua-toi/"
    client.force_login(people["desk"])
    assert client.get("/dossiers/").status_code == 200
    assert client.get("/ho-so-cua-toi/").status_code == 403


def test_drafts_have_their_own_section_with_a_link_to_continue(
    client, people, make_version, applicant_for, agencies, receive, mine_now
):
    received = receive("2026-03-02 08:00")
    draft = services.dossier_draft_create(
        user=people["citizen"],
        procedure_version=make_version(),
        applicant=applicant_for(people["citizen"]),
        agency=agencies["000.00.31.H56"],
    )
    text = _page(client, people["citizen"])
    drafts, submitted = text.split("Hồ sơ đã nộp", 1)
    assert "Hồ sơ chưa nộp" in drafts
    assert f'href="/nop-ho-so/{draft.pk}/"' in drafts
    assert "Tiếp tục" in drafts
    assert received.code in submitted


def _expected(dossier) -> selectors.Expected:
    row = selectors.my_dossiers(user=dossier.owner).get(pk=dossier.pk)
    return selectors.expected_action(row, now=NOW)


@pytest.mark.parametrize(
    ("setup", "key", "label"),
    [
        ("received", "nothing", "Không cần làm gì, hồ sơ đang được giải quyết"),
        ("intake_supplement", "supplement", "Bổ sung hồ sơ"),
        ("result_ready_fee_after", "pay", "Nộp phí, lệ phí"),
        ("result_ready", "collect", "Nhận kết quả tại Bộ phận Một cửa"),
        ("returned", "rate", "Đánh giá mức độ hài lòng"),
    ],
)
def test_what_is_expected_now_follows_the_state(setup, key, label, prepared, client, people, mine_now):
    dossier = prepared(setup)
    expected = _expected(dossier)
    assert (expected.key, str(expected.label)) == (key, label)
    text = _page(client, people["citizen"])
    assert label in text
    if key == "supplement":
        assert f'href="/ho-so-cua-toi/{dossier.code}/bo-sung/"' in text
        deadline = dossier.supplement_request.applicant_deadline
        assert f"hạn {deadline.astimezone(NOW.tzinfo):%H:%M %d/%m/%Y}" in text
    if key == "pay":
        assert f'action="/ho-so-cua-toi/{dossier.code}/thanh-toan/"' in text
    if key == "rate":
        assert f'href="/danh-gia/{dossier.code}/"' in text


def test_a_result_to_be_returned_online_is_to_download(receive, people, mine_now):
    dossier = receive("2026-03-02 08:00", return_method=ReturnMethod.ONLINE)
    dossier = advance(dossier, ("forward", "desk", {}), ("issue_result", "head", {"number": "15/QĐ"}), people=people)
    assert _expected(dossier).key == "download"


def test_a_supplement_sent_or_late_asks_nothing_more(asked, people, mine_now):
    assert _expected(asked).key == "supplement"
    late = selectors.expected_action(
        selectors.my_dossiers(user=people["citizen"]).get(pk=asked.pk), now=at("2026-04-30 09:00")
    )
    assert (late.key, str(late.label)) == ("nothing", "Đã quá hạn bổ sung hồ sơ")
    services.dossier_transition(dossier=asked, action="supply_supplement", actor=people["citizen"], note="Đã gửi")
    sent = _expected(asked)
    assert (sent.key, str(sent.label)) == ("nothing", "Đã gửi bổ sung, chờ Bộ phận Một cửa kiểm tra")


def test_the_appointment_and_the_new_date_of_an_apology(client, prepared, people, mine_now):
    dossier = advance(
        prepared("in_processing"),
        ("apologise", "head", {"note": "Cần xác minh thêm", "new_due_at": at("2026-03-20 10:00")}),
        people=people,
    )
    text = _page(client, people["citizen"])
    assert f"{dossier.current_due_at.astimezone(NOW.tzinfo):%H:%M %d/%m/%Y}" in text
    assert "Hẹn lại (văn bản xin lỗi)" in text
    assert "10:00 20/03/2026" in text


def _rows(receive, prepared, people, n):
    """n dossiers in assorted states: received, asked to supplement, paying, apologised."""
    for i in range(n):
        kind = i % 4
        if kind == 0:
            receive("2026-03-02 08:00")
        elif kind == 1:
            prepared("intake_supplement")
        elif kind == 2:
            prepared("result_ready_fee_after")
        else:
            advance(
                prepared("in_processing"),
                ("apologise", "head", {"note": "Chậm", "new_due_at": at("2026-03-20 10:00")}),
                people=people,
            )


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


def test_the_list_costs_the_same_number_of_queries_for_twice_the_rows(client, receive, prepared, people, mine_now):
    client.force_login(people["citizen"])
    _rows(receive, prepared, people, 4)
    few = _queries(client, "/ho-so-cua-toi/")
    _rows(receive, prepared, people, 4)
    many = _queries(client, "/ho-so-cua-toi/")
    assert Dossier.objects.filter(owner=people["citizen"]).exclude(status=Status.DRAFT).count() == 8
    # session, user, the role check (no staff profile), page count, page rows (with the supplement request), drafts
    assert few == many == 6


def test_twenty_a_page(client, receive, make_version, people, mine_now):
    version = make_version()
    dossiers = [receive("2026-03-02 08:00", version=version) for _ in range(21)]
    client.force_login(people["citizen"])
    first = client.get("/ho-so-cua-toi/").text
    assert dossiers[-1].code in first
    assert dossiers[0].code not in first
    assert "Trang sau" in first
    second = client.get("/ho-so-cua-toi/?page=2").text
    assert dossiers[0].code in second
    assert "Hồ sơ chưa nộp" not in second


def test_fee_mode_after_is_payable_from_the_list(client, receive, make_version, people, mine_now):
    dossier = receive("2026-03-02 08:00", version=make_version(fee=16000), fee_mode=FeeMode.AFTER)
    text = _page(client, people["citizen"])
    assert f'action="/ho-so-cua-toi/{dossier.code}/thanh-toan/"' in text
