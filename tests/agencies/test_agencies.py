import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Agency, AgencyLevel, OneStopDesk
from agencies.services import agency_tree_load


@pytest.mark.django_db
def test_demo_tree_is_two_levels_with_a_historical_district(demo_agencies):
    province = demo_agencies["000.00.00.H56"]
    assert province.parent is None
    centre = demo_agencies["000.00.06.H56"]
    assert centre.parent == province
    assert centre.level == AgencyLevel.CENTRE
    communes = Agency.objects.filter(level=AgencyLevel.COMMUNE)
    assert communes.count() == 3
    assert all(c.parent_id == province.pk for c in communes)
    district = demo_agencies["000.02.00.H56"]
    assert district.is_active is False
    assert district.valid_to == dt.date(2025, 6, 30)
    assert demo_agencies["000.01.15.H56"].parent == demo_agencies["000.00.15.H56"]


@pytest.mark.django_db
def test_loading_the_tree_twice_changes_nothing(demo_agencies):
    before = list(Agency.objects.order_by("pk").values())
    desks = OneStopDesk.objects.count()

    agency_tree_load()

    assert list(Agency.objects.order_by("pk").values()) == before
    assert OneStopDesk.objects.count() == desks
    assert not OneStopDesk.objects.filter(agency__is_active=False).exists()


@pytest.mark.django_db
def test_office_hours_default_to_the_domain_defaults(demo_agencies):
    agency = demo_agencies["000.00.31.H56"]
    assert agency.office_periods == ((dt.time(7), dt.time(11, 30)), (dt.time(13, 30), dt.time(17)))


@pytest.mark.django_db
@pytest.mark.parametrize("identifier", ["000.00.06.h56", "A" * 36, "000-00-06", ""])
def test_electronic_identifier_format_is_enforced(identifier):
    agency = Agency(e_identifier=identifier, name="X", level=AgencyLevel.COMMUNE)
    with pytest.raises(ValidationError) as excinfo:
        agency.full_clean()
    assert "e_identifier" in excinfo.value.message_dict


@pytest.mark.django_db
def test_office_hours_must_be_ordered():
    agency = Agency(
        e_identifier="X01",
        name="X",
        level=AgencyLevel.COMMUNE,
        morning_start=dt.time(8),
        morning_end=dt.time(14),
        afternoon_start=dt.time(13),
        afternoon_end=dt.time(17),
    )
    with pytest.raises(ValidationError, match="thứ tự"):
        agency.full_clean()
