import datetime as dt
from decimal import Decimal

import pytest

from procedures.content import StepData, content_hash, version_content
from procedures.models import Procedure, ProcedureVersion
from procedures.services import (
    ProcedureError,
    StepBudgetError,
    procedure_abolish,
    procedure_publish_version,
    procedure_version_refresh,
    step_budgets_check,
)
from tests.procedures.factories import ProcedureDataFactory, publish

pytestmark = pytest.mark.django_db


def test_publishing_a_new_version_ends_the_previous_the_day_before():
    first = publish("1.000001", name="Đăng ký kết hôn")
    second = publish("1.000001", name="Đăng ký kết hôn", effective_from=dt.date(2026, 1, 1), time_value=Decimal(3))

    first.refresh_from_db()
    procedure = Procedure.objects.get(code="1.000001")
    assert (first.number, second.number) == (1, 2)
    assert first.effective_to == dt.date(2025, 12, 31)
    assert second.effective_to is None
    assert procedure.current_version == second
    assert list(ProcedureVersion.objects.in_force()) == [second]


def test_a_new_version_must_start_after_the_current_one():
    publish("1.000001")
    with pytest.raises(ProcedureError, match="01/07/2025"):
        publish("1.000001", time_value=Decimal(3))
    assert ProcedureVersion.objects.count() == 1


def test_version_stores_folded_search_fields_and_level_flags():
    version = publish("1.000002", name="Chứng thực chữ ký", levels=("commune", "department"))
    assert version.search_name == "chung thuc chu ky"
    assert "1.000002" in version.search_text
    assert "to khai" in version.search_text  # document names reach word search
    assert (version.level_commune, version.level_department, version.level_province) == (True, True, False)


def test_content_hash_is_the_same_from_the_data_and_from_the_stored_rows():
    data = ProcedureDataFactory(steps=(StepData(name="Tiếp nhận", budget=Decimal("0.5")),))
    version = publish("1.000003", **{k: getattr(data, k) for k in ("name", "steps")})
    stored = ProcedureVersion.objects.prefetch_related("fees", "documents", "steps").get(pk=version.pk)
    assert content_hash(version_content(stored), effective_from=stored.effective_from) == version.content_hash


def test_abolish_ends_the_current_version_and_leaves_the_catalogue():
    version = publish("1.000004")
    procedure_abolish(procedure_code="1.000004", on=dt.date(2026, 3, 1))

    version.refresh_from_db()
    assert version.effective_to == dt.date(2026, 3, 1)
    assert Procedure.objects.get(code="1.000004").abolished_on == dt.date(2026, 3, 1)
    assert not ProcedureVersion.objects.in_force().exists()
    # Abolishing again on the same date is a no-op.
    procedure_abolish(procedure_code="1.000004", on=dt.date(2026, 3, 1))


def test_abolish_before_the_version_starts_is_refused():
    publish("1.000004")
    with pytest.raises(ProcedureError):
        procedure_abolish(procedure_code="1.000004", on=dt.date(2025, 1, 1))
    assert Procedure.objects.get(code="1.000004").abolished_on is None


def test_a_new_version_reinstates_an_abolished_procedure():
    publish("1.000005")
    procedure_abolish(procedure_code="1.000005", on=dt.date(2026, 3, 1))
    publish("1.000005", effective_from=dt.date(2026, 6, 1))
    assert Procedure.objects.in_force().filter(code="1.000005").exists()


@pytest.mark.parametrize(
    ("unit", "total", "budgets", "ok"),
    [
        ("working_days", "5", ["0.5", "4.5"], True),
        ("working_days", "5", ["0.5", "5"], False),
        ("working_hours", "4", ["2", "2.5"], False),
        ("calendar_days", "10", ["1", "8", "1"], True),
        ("calendar_days", "10", ["1", "9", "1"], False),
        ("same_day", None, ["1", "1"], True),
    ],
)
def test_step_budgets_must_fit_the_time_limit(unit, total, budgets, ok):
    def check():
        step_budgets_check(
            time_unit=unit,
            time_value=Decimal(total) if total else None,
            budgets=[Decimal(b) for b in budgets],
        )

    if ok:
        check()
    else:
        with pytest.raises(StepBudgetError, match="vượt quá thời hạn giải quyết"):
            check()


def test_publishing_with_budgets_over_the_limit_is_refused_and_writes_nothing():
    with pytest.raises(StepBudgetError):
        publish("1.000006", steps=(StepData(name="Xử lý", budget=Decimal(6)),))
    assert not Procedure.objects.exists()


def test_unknown_field_is_refused():
    with pytest.raises(ProcedureError, match="ZZ"):
        procedure_publish_version(
            procedure_code="1.000007",
            data=ProcedureDataFactory(field_code="ZZ"),
            effective_from=dt.date(2025, 7, 1),
        )


def test_refresh_after_an_admin_edit_recomputes_the_search_text_only():
    version = publish("1.000008", name="Tên cũ")
    old_hash = version.content_hash
    version.name = "Cấp bản sao trích lục"
    version.save()
    refreshed = procedure_version_refresh(version=version)
    assert refreshed.search_name == "cap ban sao trich luc"
    assert "cap ban sao trich luc" in refreshed.search_text
    assert refreshed.content_hash == old_hash
