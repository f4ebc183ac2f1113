"""The content of one procedure version as plain, typed data, and its fingerprint.

The importer builds `ProcedureData` from a catalogue record and the service stores it; `version_content`
rebuilds it from the stored rows (to refresh the search text after an admin edit), and hashing either gives
the same `content_hash`. Agency links are not content: they are province data, re-synced on every import.
"""

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from procedures.models import ClockMode, ProcedureVersion


@dataclass(frozen=True)
class TimePart:
    """One part of a mixed time limit (15 ngày, then 8 ngày làm việc), in order (docs/domain.md §5.5e)."""

    unit: str
    value: Decimal


@dataclass(frozen=True)
class FeeData:
    name: str
    amount: int
    description: str = ""


@dataclass(frozen=True)
class DocumentData:
    name: str
    originals: int = 1
    copies: int = 0
    mandatory: bool = True
    form_name: str = ""
    form_url: str = ""
    note: str = ""


@dataclass(frozen=True)
class StepData:
    name: str
    role: str = ""
    budget: Decimal = Decimal(0)
    description: str = ""


@dataclass(frozen=True)
class CaseData:
    """A case (trường hợp) and what applies only to it: positions in the version's `documents` and `fees`.

    Positions, not names, so the fingerprint does not depend on how the file referred to them; a document or fee
    line in no case applies to every case.
    """

    name: str
    description: str = ""
    documents: tuple[int, ...] = ()
    fees: tuple[int, ...] = ()


@dataclass(frozen=True)
class LegalBasisData:
    number: str = ""
    title: str = ""
    date: dt.date | None = None

    def as_json(self) -> dict[str, str]:
        return {
            "number": self.number,
            "title": self.title,
            "date": self.date.isoformat() if self.date else "",
        }


@dataclass(frozen=True)
class ProcedureData:
    """Everything a version publishes (the eleven items of docs/domain.md §8.1 plus the province's additions)."""

    name: str
    field_code: str
    levels: tuple[str, ...]
    time_unit: str
    online_mode: str
    time_value: Decimal | None = None
    time_parts: tuple[TimePart, ...] = ()
    cutoff_time: dt.time | None = None
    time_description: str = ""
    procedure_type: str = ""
    implementing_agency: str = ""
    competent_agency: str = ""
    coordinating_agency: str = ""
    submission_place: str = ""
    applicants: str = ""
    sequence: str = ""
    channels: str = ""
    supplement_clock_mode: str = ClockMode.RESTART.value
    excluded_time_categories: tuple[str, ...] = ()
    financial_obligation_excluded: bool = False
    acceptance_window_hours: Decimal = Decimal(8)
    fees: tuple[FeeData, ...] = ()
    fee_description: str = ""
    documents: tuple[DocumentData, ...] = ()
    conditions: str = ""
    legal_basis: tuple[LegalBasisData, ...] = ()
    result: str = ""
    location_independent: bool = False
    announcing_decision: str = ""
    steps: tuple[StepData, ...] = ()
    source_title: str = ""
    source_url: str = ""
    # The level of electronic identification online submission needs (docs/vneid.md); 0: none.
    min_loa: int = 0
    cases: tuple[CaseData, ...] = ()


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        # 3, 3.0 and 3.00 are the same time limit.
        return format(value.normalize(), "f")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def content_hash(data: ProcedureData, *, effective_from: dt.date) -> str:
    """SHA-256 of the canonical JSON (sorted keys, normalised numbers) of the content and its start date."""
    content = asdict(data)
    if not content["min_loa"]:
        del content["min_loa"]  # added later: a version that requires no level keeps the hash it was imported with
    if not content["cases"]:
        del content["cases"]  # likewise: a version without cases keeps its hash
    payload = _canonical({**content, "effective_from": effective_from})
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cases_content(version: ProcedureVersion) -> tuple[CaseData, ...]:
    """The version's cases with the positions of the documents and fee lines that belong to each."""
    documents, fees = list(version.documents.all()), list(version.fees.all())
    return tuple(
        CaseData(
            name=case.name,
            description=case.description,
            documents=tuple(i for i, d in enumerate(documents) if d.case_id == case.pk),
            fees=tuple(i for i, f in enumerate(fees) if f.case_id == case.pk),
        )
        for case in version.cases.all()
    )


def version_content(version: ProcedureVersion) -> ProcedureData:
    """Rebuild the content of a stored version (fees, documents, steps, cases and field read through the ORM)."""
    return ProcedureData(
        name=version.name,
        field_code=version.field.code,
        levels=tuple(version.levels or ()),
        time_unit=version.time_unit,
        online_mode=version.online_mode,
        time_value=version.time_value,
        time_parts=tuple(
            TimePart(unit=part["unit"], value=Decimal(str(part["value"]))) for part in version.time_parts or ()
        ),
        cutoff_time=version.cutoff_time,
        time_description=version.time_description,
        procedure_type=version.procedure_type,
        implementing_agency=version.implementing_agency,
        competent_agency=version.competent_agency,
        coordinating_agency=version.coordinating_agency,
        submission_place=version.submission_place,
        applicants=version.applicants,
        sequence=version.sequence,
        channels=version.channels,
        supplement_clock_mode=version.supplement_clock_mode,
        excluded_time_categories=tuple(version.excluded_time_categories or ()),
        financial_obligation_excluded=version.financial_obligation_excluded,
        acceptance_window_hours=version.acceptance_window_hours,
        fees=tuple(FeeData(name=f.name, amount=f.amount, description=f.description) for f in version.fees.all()),
        fee_description=version.fee_description,
        documents=tuple(
            DocumentData(
                name=d.name,
                originals=d.originals,
                copies=d.copies,
                mandatory=d.mandatory,
                form_name=d.form_name,
                form_url=d.form_url,
                note=d.note,
            )
            for d in version.documents.all()
        ),
        conditions=version.conditions,
        legal_basis=tuple(
            LegalBasisData(number=e.number, title=e.title, date=e.date) for e in version.legal_basis_entries
        ),
        result=version.result,
        location_independent=version.location_independent,
        announcing_decision=version.announcing_decision,
        steps=tuple(
            StepData(name=s.name, role=s.role, budget=s.budget, description=s.description) for s in version.steps.all()
        ),
        source_title=version.source_title,
        source_url=version.source_url,
        min_loa=version.min_loa,
        cases=_cases_content(version),
    )
