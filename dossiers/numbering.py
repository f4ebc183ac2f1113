"""Numbers the desk writes on paper: the tracking-register entry of a receipt and the document number of a form.

Called by `dossiers.services` inside the transaction of each state change, after the handler ran (and, for a
counter receipt, before the new dossier is saved). The numbers live in their own rows (`RegisterEntry`,
`DocumentNumber`), so they do not depend on when the engine saves the dossier. Each is taken from a counter row
by one `INSERT … ON CONFLICT … DO UPDATE … RETURNING`, like the dossier codes (docs/domain.md §7.1): concurrent
desks queue on the row lock, numbers are consecutive without gaps or duplicates, and a rolled-back action gives
its number back. Years are local years: both sequences restart on 1 January (docs/domain.md §6.1–6.2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from agencies.models import Agency, OneStopDesk
from dossiers.counters import counter_next
from dossiers.models import (
    DocumentCounter,
    DocumentNumber,
    Dossier,
    RegisterCounter,
    RegisterEntry,
)
from dossiers.workflow import Status

ISSUED_BY_DESK = "desk"
ISSUED_BY_PROCESSING_BODY = "processing"


@dataclass(frozen=True)
class NumberedForm:
    """A form that carries "Số: <number>/<symbol>" and who issues it (docs/domain.md §6.2)."""

    symbol: str
    issuer: str = ISSUED_BY_DESK


# The symbols printed after the number, as data in one place (Decree 30/2020 Appendix I: an abbreviation of the
# kind of document). HDHS is the supplement request's symbol in practice (docs/domain.md §6.2); the others are
# ours. The apology comes from the processing body, the rest from the receiving body's desk.
NUMBERED_FORMS: dict[str, NumberedForm] = {
    "supplement": NumberedForm("HDHS"),
    "refusal": NumberedForm("TCHS"),
    "apology": NumberedForm("XL", issuer=ISSUED_BY_PROCESSING_BODY),
    "stop_notice": NumberedForm("TB-DGQ"),
}

# Which action issues which numbered form.
FORM_OF_ACTION = {
    "request_supplement_counter": "supplement",
    "refuse_counter": "refusal",
    "request_supplement_intake": "supplement",
    "request_supplement": "supplement",
    "refuse": "refusal",
    "apologise": "apology",
    "withdraw": "stop_notice",
}
REGISTER_ACTIONS = ("receive_counter", "receive")


def numbers_on_transition(dossier: Dossier, *, action: str, now: dt.datetime) -> dict:
    """Allocate the numbers this action calls for; returns what to add to the event's data (may be empty).

    A receipt (T2, T3, and T10 after an intake supplement, when the dossier is back to `received`) takes the next
    line of the desk's register; the supplement request, refusal, apology and stop notice take a document number.
    """
    if action in REGISTER_ACTIONS or (action == "accept_supplement" and dossier.status == Status.RECEIVED):
        entry = register_entry_issue(dossier=dossier, now=now)
        return {"register": {"book": entry.book, "number": entry.number, "year": entry.year}} if entry else {}
    form_key = FORM_OF_ACTION.get(action)
    if form_key is not None:
        number = document_number_issue(dossier=dossier, form_key=form_key, now=now)
        return {"document_number": number.text}
    return {}


def _desk_of(dossier: Dossier) -> OneStopDesk | None:
    if dossier.desk_id is not None:
        return dossier.desk
    return OneStopDesk.objects.filter(agency_id=dossier.receiving_agency_id, is_active=True).order_by("pk").first()


def register_entry_issue(*, dossier: Dossier, now: dt.datetime) -> RegisterEntry | None:
    """Enter the dossier in its desk's register for the local year of `now`: the next consecutive number.

    The book number of a new year's register comes from the `DOSSIER_REGISTER_BOOK` setting (default 1) and then
    stays on its counter row. A dossier is entered once; a dossier without a desk (an agency without one) is not.
    """
    existing = RegisterEntry.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing
    desk = _desk_of(dossier)
    if desk is None:
        return None
    year = timezone.localdate(now).year
    number, book = counter_next(
        RegisterCounter,
        {"desk_id": desk.pk, "year": year},
        insert_extra={"book": getattr(settings, "DOSSIER_REGISTER_BOOK", 1)},
    )
    return RegisterEntry.objects.create(dossier=dossier, desk=desk, year=year, book=book, number=number, entered_at=now)


def _issuer(dossier: Dossier, form: NumberedForm) -> Agency:
    if form.issuer == ISSUED_BY_PROCESSING_BODY:
        return dossier.processing_agency or dossier.receiving_agency
    desk = _desk_of(dossier)
    return desk.agency if desk is not None else dossier.receiving_agency


def document_number_issue(*, dossier: Dossier, form_key: str, now: dt.datetime) -> DocumentNumber:
    """The next number of `form_key` for its issuing body and the local year of `now`, stored with the dossier.

    Each form is issued once per dossier (one supplement request, one apology …): asking again returns the first.
    """
    existing = DocumentNumber.objects.filter(dossier=dossier, form_key=form_key).first()
    if existing is not None:
        return existing
    form = NUMBERED_FORMS[form_key]
    agency = _issuer(dossier, form)
    year = timezone.localdate(now).year
    (number,) = counter_next(DocumentCounter, {"agency_id": agency.pk, "year": year, "form_key": form_key})
    return DocumentNumber.objects.create(
        dossier=dossier,
        form_key=form_key,
        number=number,
        symbol=form.symbol,
        year=year,
        agency=agency,
        issued_at=now,
    )
