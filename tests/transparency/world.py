"""The `world` fixture: engine-made dossiers resolved in known ways, for the public figures (docs/transparency.md)."""

from dataclasses import dataclass

import pytest

from dossiers.models import Dossier
from procedures.models import ProcedureVersion
from tests.dossiers.conftest import advance
from tests.dossiers.transition_cases import REASON, WITHDRAWAL

FORWARD = ("forward", "desk", {})
RESULT = ("issue_result", "head", {"number": "15/QĐ"})
# The rebuild's reference day: the period is 01/06/2025 – 31/05/2026.
TODAY = "2026-06-01"


@dataclass
class World:
    version: ProcedureVersion  # 10 working days, six resolved dossiers
    small: ProcedureVersion  # four resolved dossiers: under the threshold
    dossiers: list[Dossier]


@pytest.fixture
def world(receive, people, make_version) -> World:
    """Six resolved dossiers of one procedure at the commune, with their working days from receipt to result:

    - received Fri 24/04/2026, result Mon 04/05/2026: 3 (27/04, 30/04 and 01/05 are holidays), early;
    - received Mon 02/03/2026 09:00, result the same day: 0, early;
    - received Mon 02/03/2026, result Fri 06/03/2026: 4, early;
    - received Mon 02/03/2026, result Tue 28/04/2026: late (due 16/03);
    - received 02/03/2026, withdrawn 03/03/2026: on time, no answer, so not timed;
    - received 02/03/2026, stopped the same day: on time, 0.

    Not counted: one still open, one resolved on the reference day itself (after the period), one never received.
    Another procedure has four resolved dossiers, all early: it is hidden, but counts in the commune's own row.
    """
    version = make_version()
    made = []

    def resolved(received: str, *steps, when: str):
        dossier = advance(receive(received, version=version), *steps, people=people, when=when)
        made.append(dossier)
        return dossier

    resolved("2026-04-24 09:00", FORWARD, RESULT, when="2026-05-04 10:00")
    resolved("2026-03-02 09:00", FORWARD, RESULT, when="2026-03-02 15:00")
    resolved("2026-03-02 09:00", FORWARD, RESULT, when="2026-03-06 10:00")
    resolved("2026-03-02 08:00", FORWARD, RESULT, when="2026-04-28 10:00")
    resolved("2026-03-02 09:00", ("withdraw", "desk", WITHDRAWAL | {"note": "Rút"}), when="2026-03-03 10:00")
    resolved("2026-03-02 09:00", FORWARD, ("stop", "head", REASON), when="2026-03-02 11:00")
    receive("2026-05-20 09:00", version=version)  # open
    advance(receive("2026-05-29 09:00", version=version), FORWARD, RESULT, people=people, when=f"{TODAY} 08:00")

    small = make_version()
    small.name = "Chứng thực chữ ký"
    small.save()
    for day in ("03", "04", "05", "06"):
        dossier = receive(f"2026-03-{day} 09:00", version=small)
        advance(dossier, FORWARD, RESULT, people=people, when=f"2026-03-{day} 16:00")
    return World(version=version, small=small, dossiers=made)
