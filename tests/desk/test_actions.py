"""Actions on a dossier from the staff's screens: the form is the transition's declaration, the engine decides."""

import re

import pytest
import time_machine

from accounts.models import User
from accounts.roles import Role
from accounts.services import staff_assign
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
    [("anonymous", 302), ("citizen", 403), ("other_desk", 404), ("leader", 404), ("desk", 200)],
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
    # An officer hands the next step to the staff of the step's unit ("Trình ký" to the head); the desk is no step's
    # handler, another unit's staff are listed only once that unit is chosen.
    assert f'value="{people["head"].pk}"' in form
    assert f'value="{people["desk"].pk}"' not in form
    assert f'value="{people["other_officer"].pk}"' not in form
    other = agencies[OTHER_COMMUNE]

    refused = client.post(
        url(dossier, "step"),
        {"expected_revision": dossier.revision, "agency": other.pk, "handler": people["head"].pk},
    )

    assert refused.status_code == 400
    assert "Cán bộ xử lý phải thuộc cơ quan, đơn vị của bước xử lý." in refused.text
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
    response = client.get(f"/ho-so-cua-toi/{dossier.code}/")  # the citizen's own page
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
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/").text
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
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/").text
    assert "Đang xử lý" in page
    assert note not in page


# --- Who and where a dossier is handed to (T6 forward, T7 step, assign) ---------------------------------------------


def options(page: str, name: str) -> list[tuple[str, str]]:
    """The (value, label) of each option of the select named `name`, in order."""
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.search(r'<option value="([^"]*)"[^>]*selected', select).group(1)


def staff(username, full_name, role, agency):
    user = User.objects.create_user(username=username, password="x", full_name=full_name)
    staff_assign(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def named(people):
    """People with real names, at the commune (ours) and at the other commune."""
    ours, theirs = people["officer"].staff_profile.agency, people["other_officer"].staff_profile.agency
    return {
        "an": staff("an.nv", "Nguyễn Văn An", Role.OFFICER, ours),
        "binh": staff("binh.tt", "Trần Thị Bình", Role.HEAD, ours),
        "cuong": staff("cuong.lv", "Lê Văn Cường", Role.OFFICER, theirs),
        "ours": ours,
        "theirs": theirs,
    }


def test_the_forward_form_offers_the_processing_agency_s_officers_and_heads_by_name_and_role(
    client, prepared, people, named
):
    dossier = prepared("received")
    client.force_login(people["desk"])

    page = client.get(url(dossier, "forward")).text

    # The agency first, preset to the dossier's processing agency, in a group of its own at the top.
    assert page.index('name="agency"') < page.index('name="handler"')
    assert selected(page, "agency") == str(named["ours"].pk)
    assert options(page, "agency")[1] == (str(named["ours"].pk), named["ours"].name)
    assert '<optgroup label="Cơ quan của hồ sơ">' in page
    # Its heads then its officers, each by name and role: no desk officer, nobody from elsewhere, no username.
    handlers = [label for value, label in options(page, "handler") if value]
    assert handlers == [
        "Head — Lãnh đạo đơn vị (phê duyệt)",
        "Trần Thị Bình — Lãnh đạo đơn vị (phê duyệt)",
        "Nguyễn Văn An — Chuyên viên thụ lý",
        "Officer — Chuyên viên thụ lý",
    ]
    for outsider in ("desk", "other_officer", "other_head"):
        assert f'value="{people[outsider].pk}"' not in page.split('name="handler"')[1]
    assert "an.nv" not in page
    assert "binh.tt" not in page
    assert "data-handlers-refresh" in page
    assert "Cập nhật danh sách cán bộ" in page
    assert "js/action-handlers.js" in page


def test_an_inactive_account_is_not_offered(client, prepared, people, named):
    named["an"].is_active = False
    named["an"].save(update_fields=["is_active"])
    dossier = prepared("received")
    client.force_login(people["desk"])
    assert "Nguyễn Văn An" not in client.get(url(dossier, "forward")).text


def test_the_handler_list_is_the_chosen_agency_s_staff(client, prepared, people, named):
    dossier = prepared("received")
    client.force_login(people["desk"])

    page = client.get(url(dossier, "forward"), {"agency": named["theirs"].pk}).text

    assert selected(page, "agency") == str(named["theirs"].pk)
    assert [label for value, label in options(page, "handler") if value] == [
        "Head2 — Lãnh đạo đơn vị (phê duyệt)",
        "Lê Văn Cường — Chuyên viên thụ lý",
        "Officer2 — Chuyên viên thụ lý",
    ]
    # Anything else asked for falls back to the processing agency.
    for asked in ("999999", "x' OR 1=1", ""):
        assert selected(client.get(url(dossier, "forward"), {"agency": asked}).text, "agency") == str(named["ours"].pk)


def test_the_update_button_re_renders_the_form_with_the_new_agency_s_staff_and_does_nothing(
    client, prepared, people, named
):
    dossier = prepared("received")
    before = snapshot(dossier)
    client.force_login(people["desk"])

    response = client.post(
        url(dossier, "forward"),
        {
            "expected_revision": dossier.revision,
            "agency": named["theirs"].pk,
            "handler": named["an"].pk,  # chosen for the old agency: dropped
            "note": "Chuyển theo thẩm quyền",
            "refresh_handlers": "1",
        },
    )

    assert response.status_code == 200
    page = response.text
    assert selected(page, "agency") == str(named["theirs"].pk)
    assert "Lê Văn Cường — Chuyên viên thụ lý" in page
    assert "Nguyễn Văn An" not in page
    assert "Chuyển theo thẩm quyền</textarea>" in page  # what was typed stays
    assert "field--error" not in page
    assert 'role="alert"' not in page
    assert snapshot(dossier) == before
    assert not DossierEvent.objects.filter(dossier=dossier, action="forward").exists()


def test_a_dossier_is_forwarded_to_the_chosen_agency_s_officer(client, prepared, people, named):
    dossier = prepared("received")
    client.force_login(people["desk"])
    done = client.post(
        url(dossier, "forward"),
        {"expected_revision": dossier.revision, "agency": named["theirs"].pk, "handler": named["cuong"].pk},
    )
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.processing_agency, dossier.current_handler) == (named["theirs"], named["cuong"])


@pytest.mark.parametrize(
    ("stage", "action", "who", "message"),
    [
        ("received", "forward", "desk", "Cán bộ thụ lý phải thuộc cơ quan giải quyết hồ sơ."),
        ("in_processing", "step", "officer", "Cán bộ xử lý phải thuộc cơ quan, đơn vị của bước xử lý."),
        ("in_processing", "assign", "head", "Cán bộ được phân công phải thuộc cơ quan đang xử lý bước này."),
    ],
)
def test_a_forged_handler_from_another_agency_gets_the_engine_s_refusal_on_its_field(
    client, prepared, people, named, stage, action, who, message
):
    dossier = prepared(stage)
    before = snapshot(dossier)
    client.force_login(people[who])
    data = {"expected_revision": dossier.revision, "handler": named["cuong"].pk}
    if action != "assign":
        data["agency"] = named["ours"].pk

    response = client.post(url(dossier, action), data)

    assert response.status_code == 400
    handler_field = response.text.split('for="id_handler"')[1].split('<div class="field')[0]
    assert f'<p class="field__error" role="alert">{message}</p>' in handler_field
    assert snapshot(dossier) == before


def test_the_step_form_presets_the_current_step_s_agency_and_offers_its_head_to_an_officer(
    client, prepared, people, named
):
    dossier = prepared("in_processing")
    client.force_login(people["officer"])
    page = client.get(url(dossier, "step")).text
    assert selected(page, "agency") == str(dossier.current_step.agency_id)
    labels = [label for value, label in options(page, "handler") if value]
    assert "Trần Thị Bình — Lãnh đạo đơn vị (phê duyệt)" in labels  # an officer hands the file up to the head
    assert "Lê Văn Cường — Chuyên viên thụ lý" not in labels


def test_the_head_s_assign_form_offers_the_step_s_agency_staff_without_an_agency_choice(
    client, prepared, people, named
):
    dossier = prepared("in_processing")
    client.force_login(people["head"])
    page = client.get(url(dossier, "assign")).text
    assert 'name="agency"' not in page
    assert "Cập nhật danh sách cán bộ" not in page
    assert [label for value, label in options(page, "handler") if value] == [
        "Head — Lãnh đạo đơn vị (phê duyệt)",
        "Trần Thị Bình — Lãnh đạo đơn vị (phê duyệt)",
        "Nguyễn Văn An — Chuyên viên thụ lý",
        "Officer — Chuyên viên thụ lý",
    ]


def test_the_agency_list_has_the_dossier_s_agency_first_then_the_active_ones_by_level(client, prepared, people, named):
    named["theirs"].is_active = False
    named["theirs"].save(update_fields=["is_active"])
    dossier = prepared("received")
    client.force_login(people["desk"])
    page = client.get(url(dossier, "forward")).text
    values = [value for value, _label in options(page, "agency")]
    assert values[:2] == ["", str(named["ours"].pk)]
    assert values.count(str(named["ours"].pk)) == 1
    assert str(named["theirs"].pk) not in values
    groups = re.findall(r'<optgroup label="([^"]+)"', page)
    assert groups[0] == "Cơ quan của hồ sơ"
    assert "Cấp xã, phường, đặc khu" in groups


@pytest.mark.parametrize("action", ["forward", "assign"])
def test_the_form_s_queries_do_not_grow_with_the_staff_of_other_agencies(
    client, prepared, people, named, django_assert_num_queries, action
):
    dossier = prepared("received" if action == "forward" else "in_processing")
    who = people["desk"] if action == "forward" else people["head"]
    client.force_login(who)
    client.get(url(dossier, action))  # warm the session
    expected = {"forward": 15, "assign": 15}[action]
    with django_assert_num_queries(expected):
        first = client.get(url(dossier, action)).text

    for n in range(30):
        staff(f"xa.{n}", f"Cán bộ xã bên {n}", Role.OFFICER if n % 3 else Role.HEAD, named["theirs"])
    with django_assert_num_queries(expected):
        again = client.get(url(dossier, action)).text

    assert "Cán bộ xã bên" not in again
    assert options(again, "handler") == options(first, "handler")


@pytest.mark.parametrize(
    ("who", "stage", "status"),
    [
        ("anonymous", "received", 302),
        ("citizen", "received", 403),
        ("other_desk", "received", 404),
        ("leader", "received", 404),
        ("desk", "in_processing", 404),  # forwarding is not offered any more: no form to re-render
    ],
)
def test_the_update_button_and_the_agency_parameter_are_refused_like_the_form(
    client, prepared, people, named, who, stage, status
):
    dossier = prepared(stage)
    before = snapshot(dossier)
    if who != "anonymous":
        client.force_login(people[who])
    asked = {"agency": named["theirs"].pk}
    assert client.get(url(dossier, "forward"), asked).status_code == status
    refresh = {**asked, "expected_revision": dossier.revision, "refresh_handlers": "1"}
    response = client.post(url(dossier, "forward"), refresh)
    assert response.status_code == status
    assert "Lê Văn Cường" not in response.text
    assert snapshot(dossier) == before
