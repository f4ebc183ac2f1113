"""The engine's fixtures (agencies, a person per role, procedure versions, dossiers) and a returned dossier."""

import pytest

from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
from tests.feedback.helpers import bring_to_returned


@pytest.fixture
def returned(receive, people):  # noqa: F811 - the fixtures imported above
    """The citizen's counter dossier received Mon 02/03/2026 10:00 (10 working days: due Mon 16/03), forwarded
    within the desk's half day, resolved early on Thu 05/03 and returned the same day."""
    return bring_to_returned(receive("2026-03-02 10:00"), people=people)
