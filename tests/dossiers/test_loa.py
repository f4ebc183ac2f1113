"""A procedure that requires a level of electronic identification refuses online submission below it (T1 guard),
and the level of the owner's account is recorded on the submitted dossier (docs/vneid.md)."""

import pytest

from accounts.models import User
from dossiers import services
from dossiers.errors import DossierRefused
from dossiers.models import DossierEvent
from dossiers.permissions import dossier_abilities
from dossiers.workflow import Status
from tests.dossiers.conftest import COMMUNE, at


@pytest.fixture
def draft(people, make_version, applicant_for, agencies):
    def make(*, min_loa: int):
        version = make_version()
        version.min_loa = min_loa
        version.save(update_fields=["min_loa"])
        return services.dossier_draft_create(
            user=people["citizen"],
            procedure_version=version,
            applicant=applicant_for(people["citizen"]),
            agency=agencies[COMMUNE],
        )

    return make


NOW = at("2026-03-02 09:00")


def set_loa(user: User, level: int) -> None:
    User.objects.filter(pk=user.pk).update(loa=level)


@pytest.mark.parametrize(("required", "level"), [(2, 0), (2, 1), (1, 0)])
def test_submission_below_the_required_level_is_refused_and_nothing_changes(draft, people, required, level):
    dossier = draft(min_loa=required)
    set_loa(people["citizen"], level)

    with pytest.raises(DossierRefused) as refusal:
        services.dossier_transition(dossier=dossier, action="submit", actor=people["citizen"], now=NOW)

    assert refusal.value.code == "assurance_level"
    assert refusal.value.message == (
        f"Thủ tục này yêu cầu tài khoản định danh điện tử mức độ {required}; tài khoản của bạn ở mức độ {level}. "
        f"Vui lòng đăng nhập bằng VNeID mức độ {required}."
    )
    dossier.refresh_from_db()
    assert (dossier.status, dossier.code, dossier.submitted_at, dossier.loa, dossier.revision) == (
        Status.DRAFT,
        None,
        None,
        None,
        0,
    )
    assert not DossierEvent.objects.filter(dossier=dossier).exists()
    assert dossier_abilities(people["citizen"], dossier, now=at("2026-03-02 09:00"))["submit"] is False


@pytest.mark.parametrize(("required", "level"), [(2, 2), (1, 2), (1, 1), (0, 0), (0, 1)])
def test_submission_at_or_above_the_level_records_the_owner_s_level(draft, people, required, level):
    dossier = draft(min_loa=required)
    set_loa(people["citizen"], level)

    submitted = services.dossier_transition(
        dossier=dossier, action="submit", actor=people["citizen"], now=at("2026-03-02 09:00")
    )

    assert submitted.status == Status.SUBMITTED
    submitted.refresh_from_db()
    assert submitted.loa == level
    assert dossier_abilities(people["citizen"], submitted, now=at("2026-03-02 09:00"))["submit"] is False


def test_a_level_gained_later_does_not_change_a_submitted_dossier(draft, people):
    dossier = draft(min_loa=0)
    services.dossier_transition(dossier=dossier, action="submit", actor=people["citizen"], now=at("2026-03-02 09:00"))
    set_loa(people["citizen"], 2)
    dossier.refresh_from_db()
    assert dossier.loa == 0


def test_a_counter_dossier_records_no_level(receive):
    assert receive().loa is None


@pytest.mark.django_db
def test_the_procedure_page_states_the_required_level(client, make_version):
    version = make_version()
    page = client.get(f"/procedures/{version.procedure.code}/").content.decode()
    assert "Yêu cầu tài khoản định danh điện tử" not in page
    version.min_loa = 2
    version.save(update_fields=["min_loa"])
    page = client.get(f"/procedures/{version.procedure.code}/").content.decode()
    assert "Yêu cầu tài khoản định danh điện tử mức độ 2" in page
