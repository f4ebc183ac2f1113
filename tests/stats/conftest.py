"""The engine's fixtures, and a helper reading every summary row for comparison."""

from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
from tests.stats.dashboard_world import commune_leader, world  # noqa: F401, E402 - the dashboard tests' fixtures
