"""Withdrawing online (T14): a confirmation and an optional reason, the request dated today and "online"; refused
once a decision exists (Decree 118/2025 Art. 21); afterwards the stop notice (form 05) is offered."""

import datetime as dt

import pytest

from dossiers.models import DossierEvent
from dossiers.workflow import Status
from tests.citizen.mine_helpers import mine
from tests.dossiers.transition_cases import snapshot

pytestmark = pytest.mark.django_db


def test_the_owner_withdraws_and_is_offered_the_stop_notice(client, people, prepared, mine_now):
    dossier = prepared("received")
    client.force_login(people["citizen"])
    page = client.get(mine("withdraw", dossier)).text
    assert "Nghị định 118/2025/NĐ-CP, Điều 21" in page
    assert "INVALID_TEMPLATE_VARIABLE" not in page

    response = client.post(mine("withdraw", dossier), {"confirm": "on", "note": "Tôi nộp nhầm thủ tục"}, follow=True)

    assert response.redirect_chain == [(mine("withdraw", dossier), 302)]
    dossier.refresh_from_db()
    assert dossier.status == Status.WITHDRAWN
    event = DossierEvent.objects.filter(dossier=dossier).latest("id")
    assert (event.action, event.actor, event.note) == ("withdraw", people["citizen"], "Tôi nộp nhầm thủ tục")
    assert (event.data["request_channel"], event.data["request_date"]) == ("online", dt.date(2026, 3, 4).isoformat())
    notice = f"/dossiers/{dossier.code}/forms/stop_notice.pdf"
    assert f'href="{notice}"' in response.text
    pdf = client.get(notice)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    assert f'href="{notice}"' in client.get(mine("dossier", dossier)).text


def test_a_reason_is_optional_but_the_confirmation_is_not(client, people, prepared, mine_now):
    dossier = prepared("received")
    before = snapshot(dossier)
    client.force_login(people["citizen"])
    response = client.post(mine("withdraw", dossier), {"note": ""})
    assert response.status_code == 400
    assert "Cần đánh dấu xác nhận để rút hồ sơ." in response.text
    assert snapshot(dossier) == before
    assert client.post(mine("withdraw", dossier), {"confirm": "on"}).status_code == 302


@pytest.mark.parametrize("setup", ["result_ready", "returned"])
def test_withdrawal_is_refused_once_a_decision_exists(client, people, prepared, mine_now, setup):
    dossier = prepared(setup)
    before = snapshot(dossier)
    client.force_login(people["citizen"])
    page = client.get(mine("withdraw", dossier)).text
    assert "Không thể rút hồ sơ: đã có quyết định hoặc kết quả giải quyết" in page
    assert 'name="confirm"' not in page
    assert f'href="{mine("withdraw", dossier)}"' not in client.get(mine("dossier", dossier)).text

    response = client.post(mine("withdraw", dossier), {"confirm": "on"})

    assert response.status_code == 400
    assert "Không thể rút hồ sơ: đã có quyết định hoặc kết quả giải quyết" in response.text
    assert snapshot(dossier) == before
