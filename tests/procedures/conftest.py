import copy
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from procedures.models import (
    Field,
    Procedure,
    ProcedureFee,
    ProcedureStep,
    ProcedureVersion,
    RequiredDocument,
)

DATA = Path(__file__).resolve().parent / "data"
SMALL = DATA / "catalogue_small.json"


@pytest.fixture
def small_catalogue() -> dict:
    """A fresh, mutable copy of the small test catalogue (five procedures, three fields)."""
    return copy.deepcopy(json.loads(SMALL.read_text(encoding="utf-8")))


@pytest.fixture
def write_catalogue(tmp_path):
    """Write a catalogue dict (or raw text) to a file and return its path."""
    counter = iter(range(1000))

    def write(content: dict | str) -> Path:
        path = tmp_path / f"catalogue_{next(counter)}.json"
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, indent=1)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def imported(db):
    """The small catalogue, imported."""
    call_command("import_procedures", str(SMALL), verbosity=0)


def catalogue_snapshot() -> dict[str, list]:
    """Every catalogue row and agency link, to compare before and after an import."""
    through = ProcedureVersion.agencies.through
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (
            Field,
            Procedure,
            ProcedureVersion,
            ProcedureFee,
            RequiredDocument,
            ProcedureStep,
            through,
        )
    }


@pytest.fixture
def snapshot():
    return catalogue_snapshot
