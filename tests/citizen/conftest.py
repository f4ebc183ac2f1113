"""The engine's fixtures (agencies, a person per role, procedure versions, dossiers)."""

from tests.citizen.mine_helpers import asked, mine_now  # noqa: F401, E402 - fixtures of "my dossiers"
from tests.dossiers.conftest import (  # noqa: F401 - fixtures
    agencies,
    applicant_for,
    make_version,
    people,
    prepared,
    receive,
    submitted,
)
from tests.dossiers.files_fixtures import files_media  # noqa: F401, E402 - an empty MEDIA_ROOT
