"""The catalogue search's filter lists (fields, agencies) are cached per catalogue generation and day: served
without a query, and fresh again as soon as the catalogue changes."""

import datetime as dt

import pytest
import time_machine

from agencies.models import Agency
from procedures.models import Field
from procedures.selectors import filter_choices
from procedures.services import procedure_abolish
from tests.procedures.factories import publish

pytestmark = pytest.mark.django_db

COMMUNE, OTHER = "000.00.31.H56", "000.00.32.H56"


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def catalogue(demo_agencies):
    return publish("1.000001", agencies=[COMMUNE])


def _agencies() -> list[str]:
    return [code for code, _name in filter_choices()["agencies"]]


def test_a_second_read_costs_no_query(catalogue, django_assert_num_queries):
    first = filter_choices()
    with django_assert_num_queries(0):
        assert filter_choices() == first
    assert first["agencies"] == [(COMMUNE, Agency.objects.get(e_identifier=COMMUNE).name)]
    assert [code for code, _name in first["fields"]] == ["HT"]


def test_a_new_version_an_abolition_or_a_rename_shows_at_once(catalogue):
    assert _agencies() == [COMMUNE]
    publish("1.000002", agencies=[OTHER], field_code="CT")
    assert sorted(_agencies()) == [COMMUNE, OTHER]
    assert "CT" in [code for code, _name in filter_choices()["fields"]]
    procedure_abolish(procedure_code="1.000002", on=dt.date(2026, 2, 1))
    assert _agencies() == [COMMUNE]
    Field.objects.filter(code="HT").update(name="x")  # a bulk update sends no signal: the list stays as cached …
    assert filter_choices()["fields"][0][1] != "x"
    field = Field.objects.get(code="HT")
    field.name = "Hộ tịch (đổi tên)"
    field.save()  # … a save does
    assert filter_choices()["fields"] == [("HT", "Hộ tịch (đổi tên)")]
