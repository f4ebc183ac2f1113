"""The wizard's fees follow the chosen case: khai sinh đúng hạn charges nothing, quá hạn 8.000 đ, and changing the
case replaces the draft's fee lines in the same step."""

import pytest
import time_machine
from django.urls import reverse

from dossiers import drafts
from dossiers.errors import DossierRefused
from dossiers.models import Dossier, PaymentState
from dossiers.workflow import Status
from procedures.models import ProcedureCase, ProcedureFee
from tests.citizen.wizard_fixtures import pdf_upload, step_url
from tests.dossiers.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(at("2026-03-02 09:05"), tick=False):
        yield


@pytest.fixture
def birth(make_version):
    """Khai sinh as the catalogue has it: a fee alternative per case and a line charged in every case."""
    version = make_version()
    on_time = ProcedureCase.objects.create(version=version, order=1, name="Đăng ký khai sinh đúng hạn")
    late = ProcedureCase.objects.create(version=version, order=2, name="Đăng ký khai sinh quá hạn")
    ProcedureFee.objects.create(version=version, order=1, name="Lệ phí (đúng hạn)", amount=0, case=on_time)
    ProcedureFee.objects.create(version=version, order=2, name="Lệ phí quá hạn", amount=8000, case=late)
    return version, on_time, late


def _lines(draft) -> list[tuple[str, int]]:
    return list(Dossier.objects.get(pk=draft.pk).fee_lines.order_by("pk").values_list("name", "amount"))


def _choose(client, draft, case):
    response = client.post(step_url(draft, "truong-hop"), {"case": case.pk})
    assert response.status_code == 302
    return Dossier.objects.get(pk=draft.pk)


def test_before_a_case_is_chosen_no_alternative_is_charged(start_draft, birth):
    draft = start_draft(birth[0])
    assert _lines(draft) == []
    assert draft.payment_state == PaymentState.NOT_REQUIRED


def test_late_registration_charges_its_fee(client, start_draft, birth):
    version, _on_time, late = birth
    draft = _choose(client, start_draft(version), late)

    assert _lines(draft) == [("Lệ phí quá hạn", 8000)]
    assert draft.payment_state == PaymentState.PENDING
    page = client.get(step_url(draft, "le-phi")).content.decode()
    assert "Lệ phí quá hạn" in page
    assert "Lệ phí (đúng hạn)" not in page
    assert "8.000" in page


def test_registration_on_time_has_nothing_to_pay(client, start_draft, birth):
    version, on_time, _late = birth
    draft = _choose(client, start_draft(version), on_time)

    assert _lines(draft) == [("Lệ phí (đúng hạn)", 0)]
    assert draft.payment_state == PaymentState.NOT_REQUIRED
    page = client.get(step_url(draft, "le-phi")).content.decode()
    assert "Không phải nộp phí, lệ phí." in page
    assert "Lệ phí quá hạn" not in page
    assert "Thanh toán trực tuyến sau khi nộp" not in page


def test_changing_the_case_replaces_the_fee_lines(client, start_draft, birth):
    version, on_time, late = birth
    draft = start_draft(version)
    ProcedureFee.objects.create(version=version, order=3, name="Phí cấp bản sao", amount=8000)  # every case
    _choose(client, draft, late)

    draft = _choose(client, draft, on_time)
    assert _lines(draft) == [("Lệ phí (đúng hạn)", 0), ("Phí cấp bản sao", 8000)]
    assert draft.payment_state == PaymentState.PENDING

    draft = _choose(client, draft, late)
    assert _lines(draft) == [("Lệ phí quá hạn", 8000), ("Phí cấp bản sao", 8000)]
    assert draft.payment_state == PaymentState.PENDING


def test_a_refused_case_leaves_the_fee_lines_as_they_were(client, people, start_draft, birth, make_version):
    version, _on_time, late = birth
    draft = _choose(client, start_draft(version), late)
    stranger = ProcedureCase.objects.create(version=make_version(), name="Khác")

    with pytest.raises(DossierRefused):
        drafts.draft_case_set(user=people["citizen"], pk=draft.pk, case_id=stranger.pk)

    assert _lines(draft) == [("Lệ phí quá hạn", 8000)]
    assert Dossier.objects.get(pk=draft.pk).payment_state == PaymentState.PENDING


def _submit(client, draft):
    for document in draft.documents.all():
        client.post(
            reverse("citizen:wizard-upload", kwargs={"pk": draft.pk}), {"document": document.pk, "file": pdf_upload()}
        )
    draft.refresh_from_db()
    client.post(reverse("citizen:wizard-submit", kwargs={"pk": draft.pk}), {"revision": draft.revision})
    submitted = Dossier.objects.get(pk=draft.pk)
    assert submitted.status == Status.SUBMITTED
    return submitted, client.get(reverse("citizen:wizard-done", kwargs={"pk": draft.pk})).content.decode()


def test_after_submitting_on_time_there_is_no_pay_button(client, start_draft, birth, files_media):
    version, on_time, _late = birth
    submitted, page = _submit(client, _choose(client, start_draft(version), on_time))

    assert submitted.payment_state == PaymentState.NOT_REQUIRED
    assert "Không phải nộp phí, lệ phí." in page
    assert reverse("citizen:pay", kwargs={"code": submitted.code}) not in page


def test_after_submitting_late_the_pay_button_asks_8000(client, start_draft, birth, files_media):
    version, _on_time, late = birth
    submitted, page = _submit(client, _choose(client, start_draft(version), late))

    assert submitted.payment_state == PaymentState.PENDING
    assert "8.000" in page
    assert reverse("citizen:pay", kwargs={"code": submitted.code}) in page
