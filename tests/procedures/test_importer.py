import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency
from procedures.importer import DEFAULT_PATH
from procedures.models import Field, Procedure, ProcedureVersion
from tests.procedures.conftest import SMALL

pytestmark = pytest.mark.django_db


def run_import(path) -> str:
    out, err = StringIO(), StringIO()
    call_command("import_procedures", str(path), stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_import_creates_procedures_fields_and_their_parts():
    output = run_import(SMALL)

    assert "created 5, new versions 0, unchanged 0, abolished 0" in output
    assert Field.objects.count() == 3
    assert ProcedureVersion.objects.in_force().count() == 5
    birth = ProcedureVersion.objects.get(procedure__code="1.001193")
    assert birth.number == 1
    assert birth.cutoff_time == dt.time(15, 0)
    assert birth.time_unit == "same_day"
    assert [d.name for d in birth.documents.all()] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]
    assert birth.legal_basis == [{"number": "60/2014/QH13", "title": "Luật Hộ tịch", "date": "2014-11-20"}]
    assert len(birth.content_hash) == 64
    records = ProcedureVersion.objects.get(procedure__code="2.000488")
    assert [f.amount for f in records.fees.all()] == [200000, 100000]
    assert [str(s.budget) for s in records.steps.all()] == ["1.00", "8.00", "1.00"]
    assert records.level_department
    assert not records.level_commune


def test_importing_the_same_file_twice_changes_nothing(snapshot):
    run_import(SMALL)
    before = snapshot()
    output = run_import(SMALL)
    assert "created 0, new versions 0, unchanged 5, abolished 0" in output
    assert snapshot() == before


def test_a_changed_record_publishes_version_2_and_ends_version_1(imported, small_catalogue, write_catalogue):
    record = small_catalogue["procedures"][1]  # 1.004884, 5 working days
    record["time"]["value"] = 3
    record["steps"] = [{"name": "Xử lý", "budget": 3}]
    record["effective_from"] = "2026-01-01"

    output = run_import(write_catalogue(small_catalogue))

    assert "created 0, new versions 1, unchanged 4" in output
    v1, v2 = ProcedureVersion.objects.filter(procedure__code="1.004884").order_by("number")
    assert (v1.number, v2.number) == (1, 2)
    assert v1.effective_to == dt.date(2025, 12, 31)
    assert v2.effective_from == dt.date(2026, 1, 1)
    assert v2.effective_to is None
    assert v2.time_value == 3
    assert Procedure.objects.get(code="1.004884").current_version == v2


def test_abolished_on_ends_the_current_version(imported, small_catalogue, write_catalogue):
    small_catalogue["procedures"][4]["abolished_on"] = "2026-02-01"
    output = run_import(write_catalogue(small_catalogue))
    assert "abolished 1" in output
    procedure = Procedure.objects.select_related("current_version").get(code="1.013225")
    assert procedure.abolished_on == dt.date(2026, 2, 1)
    assert procedure.current_version.effective_to == dt.date(2026, 2, 1)
    assert not ProcedureVersion.objects.in_force().filter(procedure=procedure).exists()
    # Importing the same file again: nothing more is abolished.
    assert "abolished 0" in run_import(write_catalogue(small_catalogue))


def test_agency_links_follow_the_agencies_present_and_warn_about_the_others(small_catalogue, write_catalogue, snapshot):
    output = run_import(SMALL)
    assert 'Agency "000.00.31.H56" not found' in output
    assert not ProcedureVersion.agencies.through.objects.exists()

    # Agencies are province data loaded later; importing again links them without a new version.
    for identifier, name in [("000.00.31.H56", "UBND phường Hạc Thành"), ("000.00.10.H56", "Sở Tư pháp")]:
        Agency.objects.create(e_identifier=identifier, name=name, level="commune")
    output = run_import(SMALL)
    assert "unchanged 5" in output
    assert 'Agency "000.00.99.H56" not found, not linked to 1.001193' in output
    assert 'Agency "000.00.31.H56"' not in output
    birth = ProcedureVersion.objects.get(procedure__code="1.001193")
    assert [a.e_identifier for a in birth.agencies.all()] == ["000.00.31.H56"]
    assert birth.number == 1

    # A link dropped from the file is removed; the content hash is untouched.
    small_catalogue["procedures"][0]["agencies"] = []
    before_hash = birth.content_hash
    run_import(write_catalogue(small_catalogue))
    birth.refresh_from_db()
    assert not birth.agencies.exists()
    assert birth.content_hash == before_hash


def _set(path: str, value):
    """Mutator setting a dotted path ("time.unit", "fees.0.amount") inside a record."""

    def mutate(record):
        *parents, last = path.split(".")
        target = record
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return mutate


_DELETE = object()

# Each case breaks record #5 (1.013225) or #4 (2.000488) of a file whose earlier records are valid and in part
# changed, and expects the record and the field to be named.
MALFORMED = [
    ("missing name", 4, _set("name", _DELETE), '#5 (1.013225), trường "name": thiếu trường bắt buộc'),
    ("missing effective_from", 4, _set("effective_from", _DELETE), '#5 (1.013225), field "effective_from"'),
    (
        "bad time unit",
        4,
        _set("time.unit", "weeks"),
        'Bản ghi #5 (1.013225), trường "time.unit": giá trị "weeks" không hợp lệ',
    ),
    (
        "bad online mode",
        4,
        _set("online_mode", "level4"),
        'Record #5 (1.013225), field "online_mode": invalid value',
    ),
    ("bad level", 4, _set("levels", ["ward"]), '#5 (1.013225), trường "levels[0]"'),
    ("bad cut-off", 4, _set("time.cutoff", "25:00"), '#5 (1.013225), trường "time.cutoff": giờ chốt "25:00"'),
    ("cut-off not HH:MM", 4, _set("time.cutoff", "3pm"), 'field "time.cutoff": invalid cut-off "3pm"'),
    ("negative fee", 4, _set("fees.0.amount", -75000), '#5 (1.013225), trường "fees[0].amount"'),
    ("fractional fee", 4, _set("fees.0.amount", 750.5), 'field "fees[0].amount"'),
    ("fee as text", 4, _set("fees.0.amount", "75.000"), 'field "fees[0].amount"'),
    (
        "duplicate code",
        4,
        _set("code", "1.001193"),
        'Bản ghi #5 (1.001193), trường "code": mã trùng với bản ghi #1',
    ),
    ("unknown field code", 4, _set("field", "ZZ"), 'trường "field": lĩnh vực "ZZ" chưa được khai báo'),
    (
        "bad date",
        4,
        _set("effective_from", "2025-13-01"),
        'field "effective_from": invalid date "2025-13-01"',
    ),
    ("time value missing", 4, _set("time.value", _DELETE), 'field "time.value": required field missing'),
    ("negative document count", 4, _set("documents.1.originals", -2), 'field "documents[1].originals"'),
    ("bad source url", 4, _set("source", {"title": "x", "url": "javascript:alert(1)"}), 'field "source.url"'),
    (
        "budgets over the total",
        3,
        _set("steps.1.budget", 9),
        'Bản ghi #4 (2.000488), trường "steps": tổng thời gian các bước (11) vượt quá thời hạn giải quyết',
    ),
    ("code unfit for a URL", 4, _set("code", "1/013225"), 'field "code"'),
    (
        "changed text without a later start",
        4,
        _set("name", "Cấp giấy phép xây dựng (sửa)"),
        'Bản ghi #5 (1.013225), trường "effective_from": nội dung đã thay đổi',
    ),
]


@pytest.mark.parametrize(("index", "mutate", "expected"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_a_malformed_file_is_refused_whole_naming_record_and_field(
    imported, small_catalogue, write_catalogue, snapshot, index, mutate, expected
):
    before = snapshot()
    # A valid change early in the file must not be applied either.
    small_catalogue["fields"][0]["name"] = "Hộ tịch (đổi tên)"
    small_catalogue["procedures"][1]["name"] = "Đăng ký lại khai sinh (sửa đổi)"
    small_catalogue["procedures"][1]["effective_from"] = "2026-01-01"
    mutate(small_catalogue["procedures"][index])

    with pytest.raises(CommandError) as refused:
        run_import(write_catalogue(small_catalogue))

    assert expected in str(refused.value)
    assert "nothing imported" in str(refused.value)
    assert snapshot() == before


def test_a_malformed_file_on_an_empty_database_imports_nothing(small_catalogue, write_catalogue, snapshot):
    small_catalogue["procedures"][4]["time"]["unit"] = "weeks"
    with pytest.raises(CommandError, match=r'Record #5 \(1.013225\), field "time.unit": invalid value "weeks"'):
        run_import(write_catalogue(small_catalogue))
    assert not Field.objects.exists()
    assert not Procedure.objects.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"format": "mot-cua-catalogue/1", "fields": [], "procedures": [', "Not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('{"format": "other/2", "fields": [], "procedures": []}', 'field "format"'),
        ('{"format": "mot-cua-catalogue/1", "fields": []}', 'field "procedures": required field missing'),
    ],
)
def test_a_file_that_is_not_a_catalogue_is_refused(db, write_catalogue, text, expected):
    with pytest.raises(CommandError, match=expected):
        run_import(write_catalogue(text))
    assert not Procedure.objects.exists()


def test_a_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(tmp_path / "absent.json")


def test_unknown_keys_are_reported_not_fatal(db, small_catalogue, write_catalogue):
    small_catalogue["procedures"][0]["fess"] = []
    output = run_import(write_catalogue(small_catalogue))
    assert 'Record #1 (1.001193), field "fess": not in the format, ignored' in output
    assert "created 5" in output


@pytest.mark.skipif(not DEFAULT_PATH.exists(), reason="procedures/data/catalogue.json is not written yet")
def test_the_shipped_catalogue_imports_cleanly_and_covers_the_levels(demo_agencies, snapshot):
    """The shipped file: ≥25 procedures with a source each, over commune, department and province levels."""
    out, err = StringIO(), StringIO()
    call_command("import_procedures", stdout=out, stderr=err)

    versions = ProcedureVersion.objects.in_force()
    assert versions.count() >= 25
    assert not versions.filter(source_url="").exists(), "every procedure names its source"
    for level in ("commune", "department", "province"):
        assert versions.at_level(level).exists(), f"no procedure at level {level}"
    # Against the demo agency tree nothing is unknown: no warnings at all.
    assert err.getvalue() == ""

    before = snapshot()
    again = StringIO()
    call_command("import_procedures", stdout=again)
    assert f"unchanged {versions.count()}" in again.getvalue()
    assert snapshot() == before
