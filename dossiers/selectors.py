"""Read queries on dossiers, always given the user: scoped through `permissions.dossiers_visible_to`."""

from __future__ import annotations

import re

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from agencies.models import OneStopDesk
from dossiers.models import Dossier, DossierEvent, DossierFile, DossierStep, PersonalDataAccess
from dossiers.permissions import actor_role, dossiers_visible_to
from dossiers.workflow import CITIZEN
from privacy.models import DeniedAccess


def dossier_list(*, user) -> QuerySet[Dossier]:
    """The user's dossiers with what a list row shows, newest first (one query, no per-row lookups)."""
    return (
        dossiers_visible_to(user)
        .select_related("procedure_version__procedure", "applicant", "receiving_agency")
        # Newest first by id: a backwards primary-key walk stops at the page, where a date sort reads every row.
        .order_by("-id")
    )


def dossier_detail(
    *, user, code: str, purpose: str = "view", ip_address: str | None = None, user_agent: str = ""
) -> Dossier:
    """One dossier by code, or the same 404 whether it is missing or someone else's.

    A staff read is recorded through `personal_data_read_log` with the reader's address and browser; a refused
    one through `denied_access_log` (the answer stays the same 404).
    """
    events = DossierEvent.objects.select_related("actor").order_by("at", "id")
    if actor_role(user) == CITIZEN:
        events = events.filter(visible_to_citizen=True)
    dossier = (
        dossiers_visible_to(user)
        .select_related(
            "procedure_version__procedure",
            "procedure_version__field",
            "applicant",
            "receiving_agency",
            "processing_agency",
            "desk",
            "current_step__agency",
            "current_step__handler",
            "current_handler",
            "supplement_request",
            "apology",
        )
        .prefetch_related(
            "applicant__identities", "documents", "steps__agency", "fee_lines", Prefetch("events", queryset=events)
        )
        .filter(code=code)
        .first()
    )
    if dossier is None:
        denied_access_log(
            user=user,
            kind=_form_kind(purpose),
            ref=code if purpose == "view" else f"{code} {purpose}",
            code=code,
            ip_address=ip_address,
            user_agent=user_agent,
        )
        raise Http404
    personal_data_read_log(
        user=user, dossier_id=dossier.pk, purpose=purpose, ip_address=ip_address, user_agent=user_agent
    )
    return dossier


def register_desk(*, user) -> OneStopDesk | None:
    """The desk whose tracking register a staff member keeps: their own, else their agency's first active one."""
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return None
    desks = OneStopDesk.objects.select_related("agency")
    if profile.desk_id is not None:
        return desks.filter(pk=profile.desk_id).first()
    return desks.filter(agency_id=profile.agency_id, is_active=True).order_by("pk").first()


def dossier_result_files(dossier: Dossier) -> list[DossierFile]:
    """The result files of a dossier already fetched through the user's scope, newest first, each with the digital
    signatures verified when it was issued (`file.signatures.all`). No query before a result exists (T15 sets
    the number); then two, whatever the number of files and signatures."""
    if not dossier.result_number:
        return []
    return list(
        DossierFile.objects.filter(dossier=dossier, kind=DossierFile.Kind.RESULT)
        .prefetch_related("signatures")
        .order_by("-id")
    )


def dossier_steps(dossier: Dossier) -> list[DossierStep]:
    """The process steps of a dossier already fetched through the user's scope, with agency and handler (one
    query)."""
    return list(DossierStep.objects.filter(dossier=dossier).select_related("agency", "handler").order_by("order", "id"))


_USER_AGENT_LENGTH = PersonalDataAccess._meta.get_field("user_agent").max_length


def personal_data_read_log(
    *, user, dossier_id: int, purpose: str, ip_address: str | None = None, user_agent: str = ""
) -> None:
    """Record a staff read of a dossier's personal data (who, role, agency, why, from which address and browser);
    a citizen's own read is not one. Views pass `**dossiers.audit.request_client(request)`.

    Law 91/2025 and Decree 356/2025: the citizen will see these reads by unit (docs/domain.md §11).
    """
    role = actor_role(user)
    if role == CITIZEN:
        return
    profile = getattr(user, "staff_profile", None)
    PersonalDataAccess.objects.create(
        dossier_id=dossier_id,
        user=user,
        role=role or "",
        agency_id=profile.agency_id if profile is not None else None,
        purpose=purpose,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:_USER_AGENT_LENGTH],
    )


def _form_kind(purpose: str) -> str:
    return DeniedAccess.Kind.FORM if purpose.startswith("print:") else DeniedAccess.Kind.DOSSIER


def denied_access_log(
    *,
    user,
    kind: str,
    ref: str,
    code: str | None = None,
    dossier_id: int | None = None,
    ip_address: str | None = None,
    user_agent: str = "",
) -> None:
    """Record "denied: out of scope" — someone asked for a dossier (or its file, history, form) they may not see.

    Called on the 404 path only, after the scoped query found nothing: one unscoped look-up by `code` tells an
    existing dossier (`out_of_scope`, with its id) from a code that exists nowhere (`not_found`); a caller that
    already knows the dossier behind the object (a file of another dossier) passes `dossier_id`. The response
    does not change; the row lets the security officer see probing (docs/security.md check 1, docs/privacy.md).
    """
    if dossier_id is None and code:
        dossier_id = Dossier.objects.filter(code=code).values_list("pk", flat=True).first()
    profile = getattr(user, "staff_profile", None)
    DeniedAccess.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        role=actor_role(user) or "",
        agency_id=profile.agency_id if profile is not None else None,
        reason=DeniedAccess.Reason.OUT_OF_SCOPE if dossier_id is not None else DeniedAccess.Reason.NOT_FOUND,
        object_kind=kind,
        object_ref=(ref or "")[:100],
        dossier_id=dossier_id,
        ip_address=ip_address or None,
        user_agent=(user_agent or "")[:_USER_AGENT_LENGTH],
    )


# What a typed dossier code may hold (docs/domain.md §7.1: digits, upper-case letters, dots, dashes), bounded as
# in dossiers/urls.py. Anything else is refused before the database sees it (a NUL byte is an error there).
PUBLIC_CODE_RE = re.compile(r"^[0-9A-Z.\-]{1,64}$")


def public_code_normalise(raw: str) -> str | None:
    """The code as stored (trimmed, upper-case), or None when it cannot be a dossier code."""
    code = (raw or "").strip().upper()
    return code if PUBLIC_CODE_RE.match(code) else None


def dossier_public_lookup(*, code: str) -> Dossier | None:
    """What anyone may see by code: status, procedure, agency, dates — no personal data (§11).

    The code is normalised first (" h56-…" finds "H56-…"); one that cannot be a code finds nothing.
    """
    code = public_code_normalise(code)
    if code is None:
        return None
    return (
        Dossier.objects.exclude(status="draft")
        .select_related("procedure_version", "receiving_agency", "applicant")
        .only(
            "code",
            "status",
            "received_at",
            "submitted_at",
            "current_due_at",
            "rescheduled_due_at",
            "completed_at",
            "returned_at",
            "procedure_version__name",
            "receiving_agency__name",
            "applicant__name",
        )
        .filter(code=code)
        .first()
    )


def initials(name: str) -> str:
    """ "Hoàng Thị Mai" → "H. T. M.", "nguyễn văn an" → "N. V. A.": the most a public lookup shows of a name."""
    return " ".join(f"{part[0].upper()}." for part in name.split())
