"""The engine's fixtures and the transparency world (tests/transparency/world.py)."""

from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
from tests.transparency.world import world  # noqa: F401 - fixture
