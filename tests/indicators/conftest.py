"""The engine's fixtures (docs/indicators.md tests build their dossiers through the engine)."""

from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
