"""The catalogue carries a procedure version's required level of electronic identification (docs/vneid.md)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from procedures.content import content_hash, version_content
from procedures.models import ProcedureVersion

pytestmark = pytest.mark.django_db


def run_import(path) -> str:
    out = StringIO()
    call_command("import_procedures", str(path), stdout=out, stderr=out)
    return out.getvalue()


def test_a_record_s_min_loa_is_imported(small_catalogue, write_catalogue):
    small_catalogue["procedures"][0]["min_loa"] = 2
    run_import(write_catalogue(small_catalogue))
    birth = ProcedureVersion.objects.get(procedure__code=small_catalogue["procedures"][0]["code"])
    assert birth.min_loa == 2
    assert ProcedureVersion.objects.exclude(pk=birth.pk).filter(min_loa__gt=0).count() == 0
    # Stored and rebuilt content agree, so importing the same file again changes nothing.
    assert content_hash(version_content(birth), effective_from=birth.effective_from) == birth.content_hash
    assert "unchanged 5" in run_import(write_catalogue(small_catalogue))


def test_requiring_a_level_later_publishes_a_new_version(imported, small_catalogue, write_catalogue):
    record = small_catalogue["procedures"][1]
    record["min_loa"] = 1
    record["effective_from"] = "2026-01-01"
    assert "new versions 1" in run_import(write_catalogue(small_catalogue))
    v1, v2 = ProcedureVersion.objects.filter(procedure__code=record["code"]).order_by("number")
    assert (v1.min_loa, v2.min_loa) == (0, 1)


@pytest.mark.parametrize("value", [3, -1, "2", True])
def test_a_level_outside_0_to_2_is_refused(small_catalogue, write_catalogue, value):
    small_catalogue["procedures"][0]["min_loa"] = value
    with pytest.raises(CommandError, match='field "min_loa"'):
        run_import(write_catalogue(small_catalogue))
    assert not ProcedureVersion.objects.exists()
