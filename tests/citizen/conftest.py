"""The engine's fixtures (agencies, a person per role, procedure versions, dossiers)."""

from tests.citizen.wizard_fixtures import profile, start_draft  # noqa: F401 - the wizard's fixtures
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
