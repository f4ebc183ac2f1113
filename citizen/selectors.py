"""Reads behind "my dossiers": the owner's dossiers and drafts, one dossier with its citizen-visible history, and who
has read it. Every query selects by owner, so another citizen's code is the same 404 as a missing one (§11).

The list pins its query count (tests/citizen/test_mine_list.py): each row's "what now" is computed from columns
fetched with the row (`select_related` of the supplement request), never by a query per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.roles import Role
from dossiers.models import (
    DocumentForm,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierFile,
    DossierPause,
    DossierStep,
    PaymentState,
    PersonalDataAccess,
    ReturnMethod,
)
from dossiers.selectors import denied_access_log, dossier_result_files
from dossiers.workflow import SUPPLIED, TERMINAL, Status
from workcalendar.calendar import LOCAL_TZ

# What the citizen is expected to do now, as the list and the page show it.
_FORMS = dict(DocumentForm.choices)
PAY, SUPPLEMENT, DOWNLOAD, COLLECT, RATE, NOTHING = "pay", "supplement", "download", "collect", "rate", "nothing"


def my_dossiers(*, user) -> QuerySet[Dossier]:
    """The owner's submitted dossiers (drafts apart), newest first, with what a row shows in one query."""
    return (
        Dossier.objects.filter(owner=user)
        .exclude(status=Status.DRAFT)
        .select_related("procedure_version", "supplement_request")
        .only(
            "code",
            "status",
            "substate",
            "submitted_at",
            "received_at",
            "current_due_at",
            "rescheduled_due_at",
            "clock_state",
            "is_overdue",
            "payment_state",
            "return_method",
            "procedure_version__name",
            "supplement_request__applicant_deadline",
            "supplement_request__supplied_at",
        )
        .order_by("-id")
    )


def my_drafts(*, user, limit: int = 20) -> list[Dossier]:
    """The owner's drafts (Hồ sơ chưa nộp), the last touched first; one query."""
    return list(
        Dossier.objects.filter(owner=user, status=Status.DRAFT)
        .select_related("procedure_version")
        .only("created_at", "status", "procedure_version__name")
        .order_by("-id")[:limit]
    )


@dataclass(frozen=True)
class Expected:
    """What the citizen should do now: a key for the template and the words, with a deadline when there is one."""

    key: str
    label: str
    deadline: dt.datetime | None = None


def _request(dossier: Dossier):
    return getattr(dossier, "supplement_request", None)


def expected_action(dossier: Dossier, *, now: dt.datetime) -> Expected:
    """The one thing expected of the citizen now, from the row alone (no query): answer the supplement request
    before its deadline, pay a pending fee, download or collect a ready result, rate a returned one — or nothing."""
    request = _request(dossier) if dossier.status == Status.SUPPLEMENT_REQUESTED else None
    if request is not None and request.supplied_at is None and now <= request.applicant_deadline:
        return Expected(SUPPLEMENT, _("Bổ sung hồ sơ"), request.applicant_deadline)
    if dossier.payment_state == PaymentState.PENDING and dossier.status not in TERMINAL:
        return Expected(PAY, _("Nộp phí, lệ phí"))
    if dossier.status == Status.RESULT_READY and not dossier.substate:
        if dossier.return_method == ReturnMethod.ONLINE:
            return Expected(DOWNLOAD, _("Tải kết quả"))
        if dossier.return_method == ReturnMethod.COUNTER:
            return Expected(COLLECT, _("Nhận kết quả tại Bộ phận Một cửa"))
    if dossier.status == Status.RETURNED:
        return Expected(RATE, _("Đánh giá mức độ hài lòng"))
    return Expected(NOTHING, _waiting_label(dossier, request))


def _waiting_label(dossier: Dossier, request) -> str:
    if request is not None and dossier.substate == SUPPLIED:
        return _("Đã gửi bổ sung, chờ Bộ phận Một cửa kiểm tra")
    if request is not None and request.supplied_at is None:
        return _("Đã quá hạn bổ sung hồ sơ")
    if dossier.status == Status.RESULT_READY:
        return _("Kết quả đang được chuyển phát")
    return _("Không cần làm gì, hồ sơ đang được giải quyết") if dossier.status not in TERMINAL else "—"


def my_dossier(*, user, code: str, ip_address: str | None = None, user_agent: str = "") -> Dossier:
    """The owner's dossier by code (the same 404 for a missing or someone else's), with its components and their
    files, its citizen-visible events (each with the unit of who acted), steps with their unit, pauses and fees."""
    events = (
        DossierEvent.objects.filter(visible_to_citizen=True)
        .select_related("actor__staff_profile__agency")
        .order_by("at", "id")
    )
    files = DossierFile.objects.only(
        "pk", "dossier_id", "document_id", "kind", "original_name", "content_type", "size", "uploaded_at", "scan_status"
    ).order_by("uploaded_at", "pk")
    dossier = (
        Dossier.objects.filter(owner=user, code=code)
        .exclude(status=Status.DRAFT)
        .select_related(
            "procedure_version__procedure", "applicant", "receiving_agency", "supplement_request", "apology"
        )
        .prefetch_related(
            Prefetch("documents", queryset=DossierDocument.objects.order_by("pk")),
            Prefetch("files", queryset=files),
            Prefetch("events", queryset=events),
            Prefetch("steps", queryset=DossierStep.objects.select_related("agency").order_by("order", "id")),
            Prefetch("pauses", queryset=DossierPause.objects.order_by("started_at", "id")),
            "fee_lines",
        )
        .first()
    )
    if dossier is None:
        # Another citizen's code is probing: recorded, and still the 404 of a missing dossier (check 1).
        denied_access_log(user=user, kind="dossier", ref=code, code=code, ip_address=ip_address, user_agent=user_agent)
        raise Http404
    return dossier


def event_unit(event: DossierEvent) -> str:
    """Who acted, as the citizen reads it: the unit of the staff member (never their name), "you" or the system."""
    actor = event.actor
    if actor is None:
        return _("Hệ thống")
    profile = getattr(actor, "staff_profile", None)
    if profile is None:
        return _("Bạn")
    return profile.agency.name


def desk_messages(dossier: Dossier) -> list[dict]:
    """What the desk and the processing body wrote to the applicant: the messages of internal actions and the
    reason of the supplement request, oldest first (from prefetched rows, no query)."""
    found = [
        {"at": e.at, "unit": event_unit(e), "text": e.data["message"]}
        for e in dossier.events.all()
        if isinstance(e.data, dict) and e.data.get("message")
    ]
    request = _request(dossier)
    if request is not None and request.reason:
        found.append({"at": request.requested_at, "unit": dossier.receiving_agency.name, "text": request.reason})
    return sorted(found, key=lambda m: m["at"])


def who_read(dossier: Dossier) -> list[dict]:
    """Ai đã xem hồ sơ của tôi: the staff reads of the read log by unit, role and local day with their count and
    the last time, newest day first — never who (§11: the unit answers for its staff). One query, grouped in the
    database; `role_label` is the role's name in the reader's language."""
    rows = list(
        PersonalDataAccess.objects.filter(dossier_id=dossier.pk)
        .annotate(day=TruncDate("at", tzinfo=LOCAL_TZ))
        .values("day", "agency__name", "role")
        .annotate(reads=Count("id"), last=Max("at"))
        .order_by("-day", "agency__name", "role")
    )
    labels = dict(Role.choices)
    for row in rows:
        row["role_label"] = labels.get(row["role"], row["role"])
    return rows


def component_files(dossier: Dossier) -> tuple[list[tuple[DossierDocument, list[DossierFile]]], list[DossierFile]]:
    """Each component with its own files (component and supplement), and the files attached to none; result files
    apart (they have their own section). From prefetched rows."""
    by_document: dict[int | None, list[DossierFile]] = {}
    for record in dossier.files.all():
        if record.kind != DossierFile.Kind.RESULT:
            by_document.setdefault(record.document_id, []).append(record)
    rows = [(document, by_document.pop(document.pk, [])) for document in dossier.documents.all()]
    return rows, [record for records in by_document.values() for record in records]


def result_files(dossier: Dossier) -> list[DossierFile]:
    """The result files the owner may download, each with its verified signatures: once returned, or ready to be
    returned online (the first download is the return, `dossiers.services.dossier_result_downloaded`) with no fee
    still due."""
    online_ready = (
        dossier.status == Status.RESULT_READY
        and dossier.return_method == ReturnMethod.ONLINE
        and dossier.payment_state != PaymentState.PENDING
    )
    if dossier.status != Status.RETURNED and not online_ready:
        return []
    return dossier_result_files(dossier)


def supplement_items(dossier: Dossier) -> list[dict]:
    """The request's items, each with the component it names (matched by name) for the uploaded file to join."""
    request = _request(dossier)
    if request is None:
        return []
    documents = {d.name.strip().casefold(): d for d in dossier.documents.all()}
    items = []
    for index, item in enumerate(request.items or []):
        item = item if isinstance(item, dict) else {"document": str(item)}
        name = str(item.get("document", ""))
        items.append(
            {
                "index": index,
                "document": name,
                "content": item.get("content", ""),
                "form": _FORMS.get(item.get("form", ""), item.get("form", "")),
                "count": item.get("count", ""),
                "component": documents.get(name.strip().casefold()),
            }
        )
    return items
