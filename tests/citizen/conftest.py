"""The engine's fixtures (agencies, a person per role, procedure versions, dossiers)."""

from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
