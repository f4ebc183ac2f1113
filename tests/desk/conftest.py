"""The dossier engine's fixtures (agencies, one person per role, dossiers to order), shared with the desk's tests."""

from tests.dossiers.conftest import (  # noqa: F401 - fixtures registered for tests/desk
    agencies,
    applicant_for,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
