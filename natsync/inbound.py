"""Inbound sync: dossiers submitted on the national portal land once each in the desk's waiting queue (§10.1).

The adapter reads the message (`parse_submission`); `inbound_receive` finds the procedure in force and the
receiving agency, records the applicant and creates the dossier through the engine (`dossier_submit_national`),
all in one transaction. The national code decides "once": a code already seen returns its dossier and writes
nothing, and two arrivals racing each other leave one dossier and one applicant (the loser's writes roll back).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from agencies.models import Agency
from dossiers.models import Dossier
from dossiers.services import ApplicantData, applicant_create, dossier_submit_national
from natsync.adapters.base import Submission, SyncError
from natsync.models import InboundDossier
from procedures.models import Procedure


class _AlreadyThere(Exception):
    def __init__(self, dossier: Dossier):
        self.dossier = dossier


def _known(national_code: str) -> Dossier | None:
    row = InboundDossier.objects.select_related("dossier").filter(national_code=national_code).first()
    return row.dossier if row else None


def _target(submission: Submission):
    procedure = Procedure.objects.select_related("current_version").filter(code=submission.procedure_code).first()
    if procedure is None or procedure.current_version is None:
        raise SyncError(f"unknown procedure {submission.procedure_code}")
    agency = Agency.objects.filter(e_identifier=submission.agency_identifier, is_active=True).first()
    if agency is None:
        raise SyncError(f"unknown agency {submission.agency_identifier}")
    return procedure.current_version, agency


def inbound_receive(submission: Submission, *, now: dt.datetime | None = None) -> tuple[Dossier, bool]:
    """Create the dossier once; returns (dossier, created). Raises SyncError for a procedure or agency unknown here."""
    existing = _known(submission.national_code)
    if existing is not None:
        return existing, False
    version, agency = _target(submission)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            applicant = applicant_create(
                data=ApplicantData(
                    kind=submission.applicant_kind,
                    name=submission.applicant_name,
                    identities=list(submission.identities),
                    phone=submission.phone,
                    email=submission.email,
                )
            )
            dossier = dossier_submit_national(
                national_code=submission.national_code,
                procedure_version=version,
                applicant=applicant,
                agency=agency,
                summary=submission.summary,
                submitted_at=submission.submitted_at,
                now=now,
            )
            if dossier.applicant_id != applicant.pk:
                raise _AlreadyThere(dossier)  # another arrival created it first: undo this applicant
            InboundDossier.objects.create(national_code=submission.national_code, dossier=dossier, received_at=now)
    except _AlreadyThere as already:
        return already.dossier, False
    except IntegrityError:
        existing = _known(submission.national_code)
        if existing is None:
            raise
        return existing, False
    return dossier, True
