"""Actions on a dossier from the staff's screens: the form is the transition's declaration, the engine decides."""

import pytest
import time_machine

from dossiers.models import Dossier, DossierEvent
from dossiers.workflow import Status
from tests.dossiers.conftest import OTHER_COMMUNE, advance, at
from tests.dossiers.transition_cases import snapshot

pytestmark = pytest.mark.django_db

NOW = at("2026-03-03 09:00")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def url(dossier, action):
    return f"/dossiers/{dossier.code}/actions/{action}/"


def test_the_dossier_page_offers_the_engine_s_actions_with_the_main_path_highlighted(client, prepared, people):
    dossier = prepared("received")
    client.force_login(people["desk"])
    page = client.get(f"/dossiers/{dossier.code}/").text
    for action in ("forward", "refuse", "withdraw"):
        assert url(dossier, action) in page
    assert url(dossier, "receive") not in page
    # The highlighted next step is the main path, never a refusal.
    assert f'class="btn btn--primary" href="{url(dossier, "forward")}"' in page
    assert f'class="btn btn--ghost" href="{url(dossier, "refuse")}"' in page


def test_the_form_asks_for_what_the_table_declares_and_the_post_forwards_the_dossier(client, prepared, people):
    dossier = prepared("received")
    client.force_login(people["desk"])

    form = client.get(url(dossier, "forward"))
    assert form.status_code == 200
    for name in ("agency", "handler", "note"):
        assert f'name="{name}"' in form.text
    # Handlers on offer are the desk's own colleagues, not every account in the province.
    assert f'value="{people["officer"].pk}"' in form.text
    assert f'value="{people["other_officer"].pk}"' not in form.text

    done = client.post(
        url(dossier, "forward"), {"expected_revision": dossier.revision, "handler": people["officer"].pk}
    )

    assert done.status_code == 302
    assert done["Location"] == f"/dossiers/{dossier.code}/"
    dossier.refresh_from_db()
    assert dossier.status == Status.IN_PROCESSING
    assert dossier.current_handler == people["officer"]
    assert DossierEvent.objects.filter(dossier=dossier, action="forward", actor=people["desk"]).count() == 1


def test_a_refusal_without_reason_is_shown_on_its_field_and_changes_nothing(client, prepared, people):
    dossier = prepared("received")
    before = snapshot(dossier)
    client.force_login(people["desk"])

    response = client.post(url(dossier, "refuse"), {"expected_revision": dossier.revision, "note": "  "})

    assert response.status_code == 400
    assert "Cần nhập “Lý do”." in response.text
    assert "field--error" in response.text
    assert snapshot(dossier) == before


def test_the_engine_s_refusal_is_shown_on_the_field_it_names(client, prepared, people):
    dossier = prepared("received")
    before = snapshot(dossier)
    client.force_login(people["citizen"])  # a citizen never reaches the form
    assert client.post(url(dossier, "withdraw"), {"request_channel": "counter"}).status_code == 403
    client.force_login(people["desk"])

    response = client.post(
        url(dossier, "withdraw"),
        {"expected_revision": dossier.revision, "request_date": "04/03/2026", "request_channel": "counter"},
    )

    assert response.status_code == 400
    assert "Ngày nhận đề nghị rút hồ sơ không được sau ngày hôm nay." in response.text
    assert snapshot(dossier) == before


def test_a_done_action_offers_the_paper_it_produces(client, prepared, people):
    dossier = prepared("received")
    client.force_login(people["desk"])
    response = client.post(
        url(dossier, "refuse"),
        {"expected_revision": dossier.revision, "note": "Không thuộc thẩm quyền", "legal_basis": "Điều 11"},
        follow=True,
    )
    assert f"/dossiers/{dossier.code}/forms/refusal.pdf" in response.text
    assert Dossier.objects.get(pk=dossier.pk).status == Status.REFUSED


def test_a_stale_page_gets_409_saying_who_changed_the_dossier(client, prepared, people):
    dossier = prepared("received")
    shown = dossier.revision
    advance(dossier, ("forward", "desk", {}), people=people, when="2026-03-03 08:30")
    client.force_login(people["desk"])

    response = client.post(url(dossier, "refuse"), {"expected_revision": shown, "note": "Sai thẩm quyền"})

    assert response.status_code == 409
    assert "thay đổi lúc 08:30 03/03/2026" in response.text
    assert Dossier.objects.get(pk=dossier.pk).status == Status.IN_PROCESSING


@pytest.mark.parametrize(
    ("who", "status"),
    # A leader sees figures, not dossiers to act on (docs/domain.md §2).
    [("anonymous", 302), ("citizen", 403), ("other_desk", 404), ("leader", 403), ("desk", 200)],
)
def test_who_may_open_an_action(client, prepared, people, who, status):
    dossier = prepared("received")
    if who != "anonymous":
        client.force_login(people[who])
    before = snapshot(dossier)
    assert client.get(url(dossier, "forward")).status_code == status
    if status != 200:
        assert client.post(url(dossier, "forward"), {"expected_revision": dossier.revision}).status_code == status
        assert snapshot(dossier) == before


@pytest.mark.parametrize("action", ["receive_counter", "no_such_action", "submit"])
def test_an_action_that_is_not_offered_here_is_not_found(client, prepared, people, action):
    dossier = prepared("received")
    client.force_login(people["desk"])
    assert client.get(url(dossier, action)).status_code == 404


def test_the_action_page_runs_a_fixed_number_of_queries(client, prepared, people, django_assert_num_queries):
    dossier = prepared("received")
    client.force_login(people["desk"])
    client.get(url(dossier, "forward"))  # warm the session
    # session, user and profile, the dossier with its relations and prefetches, the read log, the scope check,
    # the agency and handler choices: the same whatever the number of dossiers.
    with django_assert_num_queries(15):
        assert client.get(url(dossier, "forward")).status_code == 200


def test_an_officer_s_assign_form_offers_only_themself(client, prepared, people):
    dossier = prepared("in_processing")
    client.force_login(people["officer"])
    form = client.get(url(dossier, "assign")).text
    assert f'value="{people["officer"].pk}" selected' in form
    assert f'value="{people["head"].pk}"' not in form

    client.post(url(dossier, "assign"), {"expected_revision": dossier.revision, "handler": people["officer"].pk})

    assert Dossier.objects.get(pk=dossier.pk).current_handler == people["officer"]


def test_a_step_form_offers_the_units_staff_and_refuses_a_handler_of_another_unit(client, prepared, people, agencies):
    dossier = prepared("in_processing")
    client.force_login(people["officer"])
    form = client.get(url(dossier, "step")).text
    # An officer hands the next step to anyone of the units the dossier passed through ("Trình ký" to the head),
    # named with their role and unit; the desk is no step's handler, a unit it never reached is not listed.
    assert f'value="{people["head"].pk}">Head — Lãnh đạo' in form
    assert f'value="{people["desk"].pk}"' not in form
    assert f'value="{people["other_officer"].pk}"' not in form
    other = agencies[OTHER_COMMUNE]

    refused = client.post(
        url(dossier, "step"),
        {"expected_revision": dossier.revision, "agency": other.pk, "handler": people["head"].pk},
    )

    assert refused.status_code == 400
    assert f"Cán bộ xử lý phải thuộc cơ quan, đơn vị “{other}” của bước này." in refused.text
    assert not DossierEvent.objects.filter(dossier=dossier, action="step").exists()
    signed = client.post(
        url(dossier, "step"), {"expected_revision": dossier.revision, "name": "Trình ký", "handler": people["head"].pk}
    )
    assert signed.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.current_step.name, dossier.current_handler) == ("Trình ký", people["head"])


def test_the_apology_screen_says_by_when_it_must_be_issued(client, prepared, people):
    dossier = prepared("in_processing")  # due 16/03/2026 08:00; the apology by 13/03/2026
    client.force_login(people["head"])
    page = client.get(url(dossier, "apologise")).text
    assert "08:00 16/03/2026" in page
    assert "Hạn gửi văn bản xin lỗi" in page
    assert "13/03/2026" in page


def test_the_staff_page_says_who_holds_the_dossier_and_what_each_event_was(client, prepared, people):
    dossier = prepared("in_processing")
    client.force_login(people["officer"])
    page = client.get(f"/dossiers/{dossier.code}/").text
    step = dossier.current_step
    assert "Bước đang xử lý" in page
    assert step.name in page
    assert step.agency.name in page
    # Each event by its action and its actor, not only the status it led to.
    assert "<td>Chuyển xử lý</td>" in page
    assert f"<td>{people['desk'].full_name}</td>" in page


def test_the_applicant_sees_neither_the_current_holder_nor_who_acted(client, prepared, people):
    dossier = prepared("in_processing")
    client.force_login(people["citizen"])
    response = client.get(f"/dossiers/{dossier.code}/")
    assert response.status_code == 200  # their own dossier
    page = response.text
    assert dossier.procedure_version.name in page
    assert "Bước đang xử lý" not in page
    assert "Người thực hiện" not in page
    assert people["desk"].full_name not in page


def test_a_step_note_stays_with_the_staff_and_only_the_message_reaches_the_applicant(client, prepared, people):
    dossier = prepared("in_processing")
    client.force_login(people["officer"])
    response = client.post(
        url(dossier, "step"),
        {
            "expected_revision": dossier.revision,
            "step_result": "pass",
            "note": "Hồ sơ gốc lưu tủ 3, đã gọi điện xác minh với trưởng thôn",
            "name": "Trình ký",
            "message": "Hồ sơ đã thẩm định xong, đang trình lãnh đạo ký.",
        },
    )
    assert response.status_code == 302
    event = DossierEvent.objects.filter(dossier=dossier).latest("id")
    assert event.visible_to_citizen
    assert event.data["message"] == "Hồ sơ đã thẩm định xong, đang trình lãnh đạo ký."
    assert event.data["step_result"] == "pass"
    staff_page = client.get(f"/dossiers/{dossier.code}/").text
    assert "Hồ sơ gốc lưu tủ 3" in staff_page
    assert "Đạt yêu cầu" in staff_page

    client.force_login(people["citizen"])
    page = client.get(f"/dossiers/{dossier.code}/").text
    assert "Hồ sơ đã thẩm định xong, đang trình lãnh đạo ký." in page
    assert "Hồ sơ gốc lưu tủ 3" not in page


def test_a_step_without_a_message_is_off_the_applicant_s_timeline(client, prepared, people):
    dossier = prepared("in_processing")
    client.force_login(people["officer"])
    note = "Chuyển tổ thẩm định nội bộ"
    response = client.post(url(dossier, "step"), {"expected_revision": dossier.revision, "note": note})
    assert response.status_code == 302
    assert not DossierEvent.objects.filter(dossier=dossier).latest("id").visible_to_citizen
    client.force_login(people["citizen"])
    assert note not in client.get(f"/dossiers/{dossier.code}/").text


def test_forwarding_shows_the_applicant_the_new_status_but_not_the_desk_s_note(client, prepared, people):
    dossier = prepared("received")
    client.force_login(people["desk"])
    note = "Giao chị Hà bộ phận tư pháp, ưu tiên"
    assert (
        client.post(url(dossier, "forward"), {"expected_revision": dossier.revision, "note": note}).status_code == 302
    )
    event = DossierEvent.objects.filter(dossier=dossier).latest("id")
    assert event.visible_to_citizen
    client.force_login(people["citizen"])
    page = client.get(f"/dossiers/{dossier.code}/").text
    assert "Đang xử lý" in page
    assert note not in page
