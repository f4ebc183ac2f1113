"""Reads of the desk's online review screen (docs/domain.md §4.1 T3/T4/T5/T10): one dossier with its checklist and
files, in a fixed number of queries whatever the number of documents and files."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from dossiers.models import Dossier, DossierDocument, DossierFile
from dossiers.permissions import dossiers_visible_to
from dossiers.selectors import denied_access_log
from dossiers.workflow import Status

# Dossiers the desk reviews here: online ones waiting for acceptance, and those back from a supplement request.
REVIEWABLE = (Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED)


def review_dossier(*, user, code: str, ip_address: str | None = None, user_agent: str = "") -> Dossier:
    """The dossier by code in the user's scope (else 404), its components in the procedure's order and its files;
    each component gets `review_files`, and the dossier `other_files` (those attached to no component)."""
    documents = DossierDocument.objects.select_related("required_document").order_by("pk")
    files = DossierFile.objects.only(
        "pk", "dossier_id", "document_id", "kind", "original_name", "content_type", "size", "uploaded_at", "scan_status"
    ).order_by("uploaded_at", "pk")
    dossier = (
        dossiers_visible_to(user)
        .select_related("procedure_version__procedure", "applicant", "receiving_agency", "supplement_request")
        .prefetch_related(Prefetch("documents", queryset=documents), Prefetch("files", queryset=files))
        .filter(code=code)
        .first()
    )
    if dossier is None:  # recorded as a denied access; the answer stays the 404 of a missing dossier
        denied_access_log(
            user=user, kind="dossier", ref=f"{code} review", code=code, ip_address=ip_address, user_agent=user_agent
        )
        raise Http404
    by_document: dict[int | None, list[DossierFile]] = {}
    for record in dossier.files.all():
        by_document.setdefault(record.document_id, []).append(record)
    for document in dossier.documents.all():
        document.review_files = by_document.pop(document.pk, [])
    dossier.other_files = [record for records in by_document.values() for record in records]
    # What the applicant sent in answer to the supplement request (T10), also listed apart on the screen.
    dossier.supplement_files = [record for record in dossier.files.all() if record.kind == DossierFile.Kind.SUPPLEMENT]
    return dossier
