"""Writes to the procedure catalogue. Each function owns its transaction and locks the procedure it changes.

A dossier keeps the version in force when it was submitted (docs/domain.md §1, "versioned rules"), so nothing here
rewrites a published text: a change is a new version, the previous one ends the day before the new one starts.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from procedures.content import ProcedureData, content_hash, version_content
from procedures.models import (
    Field,
    Procedure,
    ProcedureCase,
    ProcedureFee,
    ProcedureStep,
    ProcedureVersion,
    RequiredDocument,
    TimeUnit,
)
from procedures.selectors import catalogue_changed
from procedures.text import search_text_column


class ProcedureError(Exception):
    """A refused catalogue change; `message` is shown to staff as it is (Vietnamese, translatable)."""

    def __init__(self, message) -> None:
        self.message = message
        super().__init__(str(message))


class StepBudgetError(ProcedureError):
    """The internal process allots more time than the procedure's time limit (docs/domain.md §5.7)."""

    def __init__(self, *, total: Decimal, allowed: Decimal, unit: str) -> None:
        self.total, self.allowed, self.unit = total, allowed, unit
        super().__init__(
            _("Tổng thời gian các bước xử lý ({total}) vượt quá thời hạn giải quyết ({allowed} {unit}).").format(
                total=_number(total), allowed=_number(allowed), unit=TimeUnit(unit).label
            )
        )


# Units in which a step budget is a share of one total; same-day, mixed and open-ended limits have no single
# total to compare with (mixed parts may even mix units), so their budgets are not summed.
BUDGETED_UNITS = frozenset({TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS, TimeUnit.CALENDAR_DAYS})


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def step_budgets_check(*, time_unit: str, time_value: Decimal | None, budgets: Iterable[Decimal]) -> None:
    """Raise StepBudgetError when the steps' budgets sum to more than the time limit.

    Each step of the internal electronic process has a budget in the procedure's unit and their sum must not
    exceed the total (docs/domain.md §5.7, after the provinces' announced internal processes).
    """
    if time_unit not in BUDGETED_UNITS or time_value is None:
        return
    total = sum(budgets, Decimal(0))
    if total > time_value:
        raise StepBudgetError(total=total, allowed=time_value, unit=time_unit)


def field_upsert(*, code: str, name: str) -> tuple[Field, str]:
    """Create the field (lĩnh vực) or rename it; returns it and "created", "updated" or "unchanged"."""
    field, created = Field.objects.get_or_create(code=code, defaults={"name": name})
    if created:
        return field, "created"
    if field.name != name:
        field.name = name
        field.save(update_fields=["name"])
        return field, "updated"
    return field, "unchanged"


def _search_text(*, code: str, data: ProcedureData, field: Field) -> str:
    """What a word search reaches beyond the name: code, field, documents and forms, result, legal basis."""
    parts = [
        code,
        data.name,
        field.code,
        field.name,
        data.procedure_type,
        data.implementing_agency,
        data.result,
        *(d.name for d in data.documents),
        *(d.form_name for d in data.documents),
        *(f"{b.number} {b.title}" for b in data.legal_basis),
    ]
    return search_text_column(" ".join(p for p in parts if p))


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@transaction.atomic
def procedure_publish_version(
    *,
    procedure_code: str,
    data: ProcedureData,
    effective_from: dt.date,
    agency_identifiers: Sequence[str] | None = None,
) -> ProcedureVersion:
    """Publish `data` as the procedure's next version from `effective_from` and make it current.

    The previous version ends the day before (a dossier keeps the version in force at submission, docs/domain.md
    §1), so the new one must start after the previous one did. Publishing a new text of an abolished procedure
    reinstates it. Step budgets must fit the time limit (§5.7). Agency links are set when identifiers are
    given.
    """
    step_budgets_check(time_unit=data.time_unit, time_value=data.time_value, budgets=(s.budget for s in data.steps))
    try:
        field = Field.objects.get(code=data.field_code)
    except Field.DoesNotExist:
        raise ProcedureError(_("Lĩnh vực có mã {code} chưa có trong danh mục.").format(code=data.field_code)) from None

    procedure, _created = Procedure.objects.select_for_update().get_or_create(code=procedure_code)
    previous = procedure.current_version
    if previous is not None:
        if effective_from <= previous.effective_from:
            raise ProcedureError(
                _("Phiên bản mới phải có hiệu lực sau ngày {date}, ngày hiệu lực của phiên bản hiện hành.").format(
                    date=date_format(previous.effective_from, "SHORT_DATE_FORMAT")
                )
            )
        day_before = effective_from - dt.timedelta(days=1)
        if previous.effective_to is None or previous.effective_to > day_before:
            previous.effective_to = day_before
            previous.save(update_fields=["effective_to"])

    number = (procedure.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = ProcedureVersion(
        procedure=procedure,
        number=number,
        effective_from=effective_from,
        content_hash=content_hash(data, effective_from=effective_from),
        name=data.name,
        field=field,
        levels=list(data.levels),
        procedure_type=data.procedure_type,
        implementing_agency=data.implementing_agency,
        competent_agency=data.competent_agency,
        coordinating_agency=data.coordinating_agency,
        submission_place=data.submission_place,
        applicants=data.applicants,
        sequence=data.sequence,
        channels=data.channels,
        time_unit=data.time_unit,
        time_value=data.time_value,
        time_parts=[{"unit": p.unit, "value": _json_number(p.value)} for p in data.time_parts],
        time_description=data.time_description,
        cutoff_time=data.cutoff_time,
        supplement_clock_mode=data.supplement_clock_mode,
        excluded_time_categories=list(data.excluded_time_categories),
        financial_obligation_excluded=data.financial_obligation_excluded,
        acceptance_window_hours=data.acceptance_window_hours,
        conditions=data.conditions,
        legal_basis=[b.as_json() for b in data.legal_basis],
        result=data.result,
        fee_description=data.fee_description,
        online_mode=data.online_mode,
        location_independent=data.location_independent,
        announcing_decision=data.announcing_decision,
        source_title=data.source_title,
        source_url=data.source_url,
        min_loa=data.min_loa,
        search_text=_search_text(code=procedure_code, data=data, field=field),
    )
    try:
        # Choices, lengths and URLs: the importer checks them first, this guards every other caller.
        version.full_clean(exclude=["procedure", "field"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ProcedureError("; ".join(error.messages)) from error
    version.save()
    cases = ProcedureCase.objects.bulk_create(
        ProcedureCase(version=version, order=i, name=c.name, description=c.description)
        for i, c in enumerate(data.cases)
    )
    document_case = {i: case for case, c in zip(cases, data.cases, strict=True) for i in c.documents}
    fee_case = {i: case for case, c in zip(cases, data.cases, strict=True) for i in c.fees}
    ProcedureFee.objects.bulk_create(
        ProcedureFee(
            version=version, order=i, name=f.name, amount=f.amount, description=f.description, case=fee_case.get(i)
        )
        for i, f in enumerate(data.fees)
    )
    RequiredDocument.objects.bulk_create(
        RequiredDocument(
            version=version,
            order=i,
            name=d.name,
            originals=d.originals,
            copies=d.copies,
            mandatory=d.mandatory,
            form_name=d.form_name,
            form_url=d.form_url,
            note=d.note,
            case=document_case.get(i),
        )
        for i, d in enumerate(data.documents)
    )
    ProcedureStep.objects.bulk_create(
        ProcedureStep(version=version, order=i, name=s.name, role=s.role, budget=s.budget, description=s.description)
        for i, s in enumerate(data.steps)
    )

    procedure.current_version = version
    procedure.abolished_on = None
    procedure.save(update_fields=["current_version", "abolished_on"])
    if agency_identifiers is not None:
        procedure_agencies_sync(version=version, identifiers=agency_identifiers)
    return version


@transaction.atomic
def procedure_abolish(*, procedure_code: str, on: dt.date) -> Procedure:
    """Abolish the procedure: its current version ends on `on` and it leaves the public catalogue.

    Abolition comes from the announcing decision (quyết định công bố TTHC bị bãi bỏ); dossiers already
    received keep their version. Abolishing again on the same date changes nothing.
    """
    try:
        # Lock the procedure row only: PostgreSQL refuses FOR UPDATE on the nullable side of the outer join.
        procedure = (
            Procedure.objects.select_for_update(of=("self",)).select_related("current_version").get(code=procedure_code)
        )
    except Procedure.DoesNotExist:
        raise ProcedureError(_("Không có thủ tục mã {code}.").format(code=procedure_code)) from None
    current = procedure.current_version
    if current is None:
        raise ProcedureError(_("Thủ tục {code} chưa có phiên bản nào để bãi bỏ.").format(code=procedure_code))
    if procedure.abolished_on == on:
        return procedure
    if on < current.effective_from:
        raise ProcedureError(
            _("Ngày bãi bỏ không được trước ngày hiệu lực {date} của phiên bản hiện hành.").format(
                date=date_format(current.effective_from, "SHORT_DATE_FORMAT")
            )
        )
    procedure.abolished_on = on
    procedure.save(update_fields=["abolished_on"])
    if current.effective_to is None or current.effective_to > on:
        current.effective_to = on
        current.save(update_fields=["effective_to"])
    return procedure


@dataclass(frozen=True)
class AgencySync:
    changed: bool
    unknown: list[str]


def procedure_agencies_sync(*, version: ProcedureVersion, identifiers: Sequence[str]) -> AgencySync:
    """Link the version to the agencies among `identifiers` that exist; keep and report the others.

    Agencies are province data loaded separately, so an unknown identifier is not an error: it is kept on the
    version as pending and linked by `procedures_link_pending_agencies` once the agency is created.
    """
    agencies = list(Agency.objects.filter(e_identifier__in=identifiers).only("pk", "e_identifier"))
    found = {a.e_identifier for a in agencies}
    wanted = {a.pk for a in agencies}
    current = set(version.agencies.values_list("pk", flat=True))
    if current != wanted:
        version.agencies.set(agencies)
    unknown = list(dict.fromkeys(i for i in identifiers if i not in found))
    if list(version.pending_agency_identifiers or []) != unknown:
        version.pending_agency_identifiers = unknown
        version.save(update_fields=["pending_agency_identifiers"])
    return AgencySync(changed=current != wanted, unknown=unknown)


@transaction.atomic
def procedures_link_pending_agencies() -> int:
    """Link every version to the agencies it names that now exist; returns how many versions gained links.

    Run after agencies are created (`seed_demo`) and after each catalogue import, so a catalogue imported
    before the agency tree is linked once the tree is loaded. Two queries and two bulk writes, whatever the
    number of versions waiting.
    """
    waiting = list(
        ProcedureVersion.objects.exclude(pending_agency_identifiers=[])
        .select_for_update()
        .only("pk", "pending_agency_identifiers")
        .order_by("pk")
    )
    named = {identifier for version in waiting for identifier in version.pending_agency_identifiers}
    if not named:
        return 0
    agency_ids = dict(Agency.objects.filter(e_identifier__in=named).values_list("e_identifier", "pk"))
    if not agency_ids:
        return 0
    through = ProcedureVersion.agencies.through
    links, changed = [], []
    for version in waiting:
        found = [i for i in version.pending_agency_identifiers if i in agency_ids]
        if not found:
            continue
        links += [through(procedureversion_id=version.pk, agency_id=agency_ids[i]) for i in found]
        version.pending_agency_identifiers = [i for i in version.pending_agency_identifiers if i not in agency_ids]
        changed.append(version)
    through.objects.bulk_create(links, ignore_conflicts=True)
    ProcedureVersion.objects.bulk_update(changed, ["pending_agency_identifiers"])
    catalogue_changed()  # a bulk insert sends no signal: the search filters list the newly linked agencies
    return len(changed)


@transaction.atomic
def procedure_version_refresh(*, version: ProcedureVersion) -> ProcedureVersion:
    """Recompute a version's search text from what is stored, after an edit in the admin.

    The content hash is left as imported: it fingerprints the file's text, so the next import of an unchanged
    file keeps the edit, and a changed file publishes a new version as usual.
    """
    version = (
        ProcedureVersion.objects.select_related("procedure", "field")
        .prefetch_related("fees", "documents", "steps", "cases")
        .get(pk=version.pk)
    )
    data = version_content(version)
    version.search_text = _search_text(code=version.procedure.code, data=data, field=version.field)
    version.save(update_fields=["search_text"])
    return version
