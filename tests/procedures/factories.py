"""Factories for catalogue content; versions are always published through the service, as in production."""

import datetime as dt
from decimal import Decimal

import factory

from procedures.content import DocumentData, FeeData, ProcedureData
from procedures.models import Field, ProcedureVersion
from procedures.services import procedure_publish_version


class ProcedureDataFactory(factory.Factory):
    class Meta:
        model = ProcedureData

    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n:03d}")
    field_code = "HT"
    levels = ("commune",)
    time_unit = "working_days"
    time_value = Decimal(5)
    online_mode = "full"
    implementing_agency = "Ủy ban nhân dân cấp xã"
    fees = (FeeData(name="Lệ phí", amount=50000),)
    documents = (DocumentData(name="Tờ khai"),)

    class Params:
        offline = factory.Trait(online_mode="none")
        same_day = factory.Trait(time_unit="same_day", time_value=None, cutoff_time=dt.time(15, 0))


def publish(code: str, *, effective_from: dt.date = dt.date(2025, 7, 1), agencies=None, **content) -> ProcedureVersion:
    """Publish a version of `code` with factory content overridden by `content`."""
    data = ProcedureDataFactory(**content)
    Field.objects.get_or_create(code=data.field_code, defaults={"name": f"Lĩnh vực {data.field_code}"})
    return procedure_publish_version(
        procedure_code=code, data=data, effective_from=effective_from, agency_identifiers=agencies
    )
