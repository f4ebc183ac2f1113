"""A small province for the dashboard's tests: engine-made dossiers in both communes, rolled up, the clock frozen on
Friday 20/03/2026 10:00 (docs/dashboard.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import time_machine

from accounts.models import User
from accounts.roles import Role
from accounts.services import staff_assign
from dossiers import services
from dossiers.models import Channel, Dossier
from stats.services import figures_refresh
from tests.dossiers.conftest import COMMUNE, OTHER_COMMUNE, advance, at
from tests.dossiers.transition_cases import HANDOVER, REASON

NOW = "2026-03-20 10:00"
FORWARD = ("forward", "desk", {})
RESULT = ("issue_result", "head", {"number": "15/QĐ"})
RETURN = ("return_result", "desk", HANDOVER)
# The applicant of every dossier here: none of this may reach a leader's page or file.
APPLICANT = {"name": "Nguyễn Văn Bí Mật", "id": "038190001234", "phone": "0912345678", "address": "12 Lê Hoàn"}


@dataclass
class World:
    people: dict
    agencies: dict
    commune: list[Dossier]
    other: list[Dossier]
    version: object
    other_version: object


@pytest.fixture
def world(people, agencies, make_version, applicant_for, receive):
    """In the commune (000.00.31): one received on 02/03 and still open (overdue now: due 16/03), one early, one
    returned, one late, one refused; in the other commune (000.00.32): two received, one of them resolved early."""
    with time_machine.travel(at(NOW), tick=True):
        version = make_version(online="full")
        other_version = make_version(online="partial")
        other_version.agencies.add(agencies[OTHER_COMMUNE])
        applicant = applicant_for(people["citizen"], name=APPLICANT["name"])

        def take(when, *, desk="desk", version=version, channel=Channel.COUNTER):
            return services.dossier_receive_counter(
                actor=people[desk], procedure_version=version, applicant=applicant, channel=channel, now=at(when)
            )

        commune = [
            take("2026-03-02 09:00"),
            advance(take("2026-03-03 09:00"), FORWARD, RESULT, people=people, when="2026-03-03 15:00"),
            advance(
                take("2026-03-04 09:00", channel=Channel.POSTAL),
                FORWARD,
                RESULT,
                RETURN,
                people=people,
                when="2026-03-04 16:00",
            ),
            advance(
                advance(take("2026-02-02 08:00"), FORWARD, people=people, when="2026-02-02 08:30"),
                RESULT,
                people=people,
                when="2026-03-10 10:00",
            ),
            advance(take("2026-03-05 09:00"), ("refuse", "desk", REASON), people=people, when="2026-03-05 09:30"),
        ]
        other = [
            take("2026-03-06 09:00", desk="other_desk", version=other_version),
            advance(
                take("2026-03-09 09:00", desk="other_desk", version=other_version, channel=Channel.POSTAL),
                ("forward", "other_desk", {}),
                ("issue_result", "other_head", {"number": "2/QĐ"}),
                people=people,
                when="2026-03-09 15:00",
            ),
        ]
        figures_refresh(now=at(NOW))
    return World(
        people=people,
        agencies=agencies,
        commune=[Dossier.objects.get(pk=d.pk) for d in commune],
        other=[Dossier.objects.get(pk=d.pk) for d in other],
        version=version,
        other_version=other_version,
    )


@pytest.fixture
def commune_leader(agencies) -> User:
    user = User.objects.create_user(username="leader_xa", password="x", full_name="Đỗ Văn Bình")
    staff_assign(user=user, agency=agencies[COMMUNE], role=Role.LEADER)
    return user
