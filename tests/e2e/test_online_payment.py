"""A citizen pays a dossier's fee on the local fake payment platform and comes back to the portal (§10.2)."""

import pytest
from playwright.sync_api import Page, expect

from dossiers.models import FeeMode, PaymentState
from payments import services
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    at,
    make_version,
    people,
    receive,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_citizen_pays_on_the_fake_platform_and_sees_the_paid_state(
    page: Page,
    live_server,
    sign_in,
    shoot,
    settings,
    people,  # noqa: F811 - fixtures
    receive,  # noqa: F811 - fixtures
    make_version,  # noqa: F811 - fixtures
):
    settings.SITE_URL = live_server.url
    dossier = receive("2026-03-02 08:00", version=make_version(fee=16000), fee_mode=FeeMode.AFTER)
    payment = services.payment_start(dossier, people["citizen"], now=at("2026-03-02 09:00"))
    sign_in("mai", "x")

    page.goto(payment.redirect_url)
    expect(page.locator("main")).to_contain_text("16.000 đồng")
    shoot("payment-fake-platform")
    page.get_by_role("button", name="Thanh toán").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kết quả thanh toán")
    expect(page.locator("main")).to_contain_text("Thanh toán thành công")
    shoot("payment-return-paid")
    dossier.refresh_from_db()
    assert dossier.payment_state == PaymentState.PAID
