"""Fixtures for the dossier engine: the demo agency tree, one person per role, procedure versions to order."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from accounts.models import CitizenProfile, User
from accounts.roles import Role
from accounts.services import staff_assign
from agencies.services import agency_tree_load
from dossiers import services
from dossiers.models import ApplicantKind, Channel, IdDocumentType
from dossiers.workflow import Status
from procedures.models import Field, Procedure, ProcedureFee, ProcedureStep, ProcedureVersion, RequiredDocument

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
COMMUNE = "000.00.31.H56"
OTHER_COMMUNE = "000.00.32.H56"


def at(text: str) -> dt.datetime:
    """A local moment from "YYYY-MM-DD HH:MM"."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


@pytest.fixture
def agencies(db):
    return {a.e_identifier: a for a in agency_tree_load()}


def _staff(username, role, agency):
    user = User.objects.create_user(username=username, password="x", full_name=username.title())
    staff_assign(user=user, agency=agency, role=role, desk=agency.desks.first() if role == Role.DESK else None)
    return User.objects.select_related("staff_profile__agency").get(pk=user.pk)


@pytest.fixture
def people(agencies):
    """One person per role at the commune, plus outsiders: another citizen, the other commune's staff."""
    citizen = User.objects.create_user(username="mai", password="x", full_name="Hoàng Thị Mai")
    CitizenProfile.objects.create(user=citizen, full_name="Hoàng Thị Mai", personal_id="038190001234")
    other = User.objects.create_user(username="lan", password="x", full_name="Trần Thị Lan")
    return {
        "citizen": citizen,
        "other_citizen": other,
        "desk": _staff("desk", Role.DESK, agencies[COMMUNE]),
        "officer": _staff("officer", Role.OFFICER, agencies[COMMUNE]),
        "head": _staff("head", Role.HEAD, agencies[COMMUNE]),
        "other_desk": _staff("desk2", Role.DESK, agencies[OTHER_COMMUNE]),
        "other_officer": _staff("officer2", Role.OFFICER, agencies[OTHER_COMMUNE]),
        "other_head": _staff("head2", Role.HEAD, agencies[OTHER_COMMUNE]),
        "leader": _staff("leader", Role.LEADER, agencies["000.00.00.H56"]),
        "supervisor": _staff("supervisor", Role.SUPERVISOR, agencies["000.00.06.H56"]),
        "admin": _staff("root", Role.ADMIN, agencies["000.00.06.H56"]),
    }


_counter = iter(range(1, 10_000))


@pytest.fixture
def make_version(agencies):
    """A published procedure version with documents, a fee and step budgets (in its own unit)."""

    def make(
        *,
        unit="working_days",
        value=Decimal(10),
        cutoff=None,
        mode="restart",
        online="full",
        fee=0,
        budgets=(Decimal("0.5"), Decimal("8"), Decimal("1.5")),
        financial_excluded=False,
    ) -> ProcedureVersion:
        field, _ = Field.objects.get_or_create(code="HT", defaults={"name": "Hộ tịch"})
        procedure = Procedure.objects.create(code=f"9.{next(_counter):06d}")
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            number=1,
            effective_from=dt.date(2025, 7, 1),
            name="Đăng ký kết hôn",
            field=field,
            levels=["commune"],
            time_unit=unit,
            time_value=value,
            cutoff_time=cutoff,
            supplement_clock_mode=mode,
            online_mode=online,
            financial_obligation_excluded=financial_excluded,
            result="Giấy chứng nhận kết hôn",
        )
        procedure.current_version = version
        procedure.save()
        version.agencies.add(agencies[COMMUNE])
        RequiredDocument.objects.create(version=version, order=1, name="Tờ khai đăng ký kết hôn", originals=1)
        RequiredDocument.objects.create(version=version, order=2, name="Giấy tờ tùy thân", originals=0, copies=1)
        if fee:
            ProcedureFee.objects.create(version=version, name="Lệ phí", amount=fee)
        for order, budget in enumerate(budgets, start=1):
            ProcedureStep.objects.create(version=version, order=order, name=f"Bước {order}", budget=budget)
        return version

    return make


@pytest.fixture
def applicant_for(db):
    def make(user=None, *, name="Hoàng Thị Mai", email="mai@example.vn"):
        return services.applicant_create(
            data=services.ApplicantData(
                kind=ApplicantKind.INDIVIDUAL,
                name=name,
                identities=[(IdDocumentType.PERSONAL_ID, "038190001234")],
                phone="0912345678",
                email=email,
                address="12 Lê Hoàn, phường Hạc Thành",
                user=user,
            )
        )

    return make


@pytest.fixture
def receive(people, applicant_for, make_version):
    """A counter dossier received by the commune desk at a given local moment."""

    def make(when="2026-03-02 10:00", *, version=None, **kwargs):
        version = version or make_version()
        return services.dossier_receive_counter(
            actor=people["desk"],
            procedure_version=version,
            applicant=applicant_for(people["citizen"]),
            channel=Channel.COUNTER,
            now=at(when),
            **kwargs,
        )

    return make


@pytest.fixture
def submitted(people, applicant_for, make_version, agencies):
    """An online dossier submitted by the citizen (T1)."""

    def make(when="2026-03-02 10:00", *, version=None):
        version = version or make_version()
        draft = services.dossier_draft_create(
            user=people["citizen"],
            procedure_version=version,
            applicant=applicant_for(people["citizen"]),
            agency=agencies[COMMUNE],
        )
        return services.dossier_transition(dossier=draft, action="submit", actor=people["citizen"], now=at(when))

    return make


def advance(dossier, *steps, people, when="2026-03-03 09:00"):
    """Move a dossier through (action, actor-key, params) steps at one moment."""
    for action, who, params in steps:
        dossier = services.dossier_transition(
            dossier=dossier, action=action, actor=people[who] if who else None, now=at(when), **params
        )
    return dossier


from tests.dossiers.transition_cases import prepared  # noqa: E402 - the fixture, registered for every test here

__all__ = ["Status", "advance", "at", "prepared"]
