"""Writes on the agency tree."""

import datetime as dt
import json
from pathlib import Path

from django.db import transaction

from agencies.models import Agency, AgencyLevel, OneStopDesk

DEMO_AGENCIES = Path(__file__).resolve().parent / "data" / "demo_agencies.json"


@transaction.atomic
def agency_tree_load(*, path: Path = DEMO_AGENCIES) -> list[Agency]:
    """Create or update agencies from a JSON tree (parents before children); each gets a one-stop desk.

    Idempotent: keyed on the electronic identifier, which is stored as given (Decision 20/2020, opaque).
    """
    records = json.loads(Path(path).read_text(encoding="utf-8"))["agencies"]
    by_id: dict[str, Agency] = {}
    for record in records:
        parent_id = record.get("parent")
        agency, _created = Agency.objects.update_or_create(
            e_identifier=record["e_identifier"],
            defaults={
                "name": record["name"],
                "short_name": record.get("short_name", ""),
                "level": AgencyLevel(record["level"]),
                "parent": by_id[parent_id] if parent_id else None,
                "address": record.get("address", ""),
                "place_name": record.get("place_name", ""),
                "is_active": record.get("is_active", True),
                "valid_to": dt.date.fromisoformat(record["valid_to"]) if record.get("valid_to") else None,
            },
        )
        by_id[agency.e_identifier] = agency
        # Vertical agencies (police, tax, social insurance) keep one-stop sections of their own (residence at the
        # commune police); the People's Committee receives through its centre.
        if agency.is_active and agency.level in (
            AgencyLevel.CENTRE,
            AgencyLevel.COMMUNE,
            AgencyLevel.DEPARTMENT,
            AgencyLevel.VERTICAL,
        ):
            OneStopDesk.objects.get_or_create(agency=agency, name="Bộ phận Tiếp nhận và Trả kết quả")
    return list(by_id.values())
