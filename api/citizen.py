"""API v1 for the citizen: my dossiers, drafts (create, edit, upload, submit), supplement answer, withdrawal,
results and rating — what the citizen's pages allow, as JSON (docs/api.md).

Thin, like the pages: select through the owner → call the engine (dossiers/drafts.py, dossiers/services.py,
feedback/services.py) → serialize. Citizens only: anonymous → 401, staff → 403; another citizen's dossier or
draft is the same 404 as a missing one. Each write is one transaction of the engine; a refusal is the error body.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import TooManyFilesSent
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import path, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api import citizen_serializers as out
from api.files import file_download
from api.models import IdempotencyKey
from api.pagination import IdCursorPagination
from api.schema import error_responses
from citizen import selectors
from citizen.forms_mine import SupplementForm
from citizen.views_wizard import _profile_person
from dossiers import drafts, files, services
from dossiers.audit import request_client
from dossiers.drafts import Person
from dossiers.errors import DossierChanged, DossierNotFound, DossierRefused
from dossiers.models import Dossier
from dossiers.permissions import actor_role
from dossiers.urls import CODE
from dossiers.workflow import CITIZEN, Status
from feedback import services as feedback_services
from feedback.forms import RatingForm
from feedback.models import DossierRating
from procedures.selectors import procedure_detail

MAX_FILES_PER_REQUEST = 20


class IsCitizen(permissions.BasePermission):
    """A signed-in citizen (session or token); anonymous → 401, any staff role → 403."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            raise NotAuthenticated
        if actor_role(request.user) != CITIZEN:
            raise PermissionDenied(_("Chức năng này chỉ dành cho tài khoản công dân."))
        return True


class CitizenAPI(APIView):
    permission_classes = [IsCitizen]


def _my_dossier(request, code: str) -> Dossier:
    return selectors.my_dossier(user=request.user, code=code, **request_client(request))


# --- My dossiers ---------------------------------------------------------------------------------------------


@extend_schema(
    tags=["citizen"],
    parameters=[
        OpenApiParameter("status", OpenApiTypes.STR, enum=[s for s in Status.values if s != Status.DRAFT]),
        OpenApiParameter("code", OpenApiTypes.STR, description="Mã hồ sơ (chính xác)"),
    ],
    responses={200: out.DossierListSerializer(many=True), **error_responses(400, 401, 403, 429)},
)
class MyDossierList(generics.ListAPIView):
    """Hồ sơ của tôi: the caller's submitted dossiers, newest first; filters only narrow the caller's own."""

    permission_classes = [IsCitizen]
    serializer_class = out.DossierListSerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        rows = selectors.my_dossiers(user=self.request.user)
        wanted = self.request.query_params.get("status")
        if wanted:
            if wanted not in Status.values:
                raise DossierRefused(_("Trạng thái không hợp lệ."), code="invalid", field="status")
            rows = rows.filter(status=wanted)
        code = self.request.query_params.get("code")
        if code:
            rows = rows.filter(code=code.strip().upper()[:64])
        return rows

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}


@extend_schema(tags=["citizen"], responses={200: out.DossierDetailSerializer, **error_responses(401, 403, 404, 429)})
class MyDossierDetail(CitizenAPI):
    """One of the caller's dossiers with its citizen-visible timeline, documents, supplement request, results."""

    def get(self, request, code: str):
        return Response(out.DossierDetailSerializer(_my_dossier(request, code)).data)


@extend_schema(
    tags=["citizen"],
    request={"multipart/form-data": {"type": "object", "properties": {"note": {"type": "string"}}}},
    description="Một tệp cho mỗi mục của yêu cầu bổ sung: trường `item_<n>` (n = 0, 1, …) và `note`.",
    responses={200: out.DossierDetailSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class MySupplement(CitizenAPI):
    """Answer the supplement request (T10): one file per item, before the deadline; files and action together."""

    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, code: str):
        found = _my_dossier(request, code)
        if found.status != Status.SUPPLEMENT_REQUESTED or getattr(found, "supplement_request", None) is None:
            raise DossierRefused(
                _("Hồ sơ {code} không có yêu cầu bổ sung đang chờ.").format(code=found.code), code="wrong_status"
            )
        _check_file_count(request)
        form = SupplementForm(request.data, request.FILES, items=selectors.supplement_items(found))
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise DossierRefused(errors[0], code="invalid", field=None if field == "__all__" else field)
        services.dossier_supplement_supply(
            dossier=found, actor=request.user, uploads=form.uploads(), note=form.cleaned_data["note"]
        )
        return Response(out.DossierDetailSerializer(_my_dossier(request, code)).data)


@extend_schema(
    tags=["citizen"],
    request=out.WithdrawSerializer,
    responses={200: out.DossierDetailSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class MyWithdraw(CitizenAPI):
    """Rút hồ sơ (T14): refused by the engine once a decision or result exists."""

    def post(self, request, code: str):
        found = _my_dossier(request, code)
        data = out.WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.dossier_transition(
            dossier=found.pk,
            action="withdraw",
            actor=request.user,
            request_date=timezone.localdate(),
            request_channel="online",
            note=data.validated_data.get("note", ""),
        )
        return Response(out.DossierDetailSerializer(_my_dossier(request, code)).data)


@extend_schema(tags=["citizen"], responses={200: out.FileSerializer(many=True), **error_responses(401, 403, 404, 429)})
class MyResults(CitizenAPI):
    """The result files the owner may download now (none before the return, or while a fee is due)."""

    def get(self, request, code: str):
        found = _my_dossier(request, code)
        files_ = selectors.result_files(found)
        return Response(out.FileSerializer(files_, many=True, context={"dossier": found}).data)


@extend_schema(
    tags=["citizen"],
    responses={
        (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="Tệp hồ sơ"),
        **error_responses(400, 401, 403, 404, 409, 410, 429),
    },
)
class MyFileDownload(CitizenAPI):
    """A file of the caller's dossier, through the pages' access-checked download (a result's first download by
    the owner is its online return, T16)."""

    def get(self, request, code: str, file_id: str):
        return file_download(request, code, file_id)


@extend_schema(
    tags=["citizen"],
    request=out.RatingSerializer,
    responses={200: out.RatingSerializer, 201: out.RatingSerializer, **error_responses(400, 401, 403, 404, 429)},
)
class MyRating(CitizenAPI):
    """The owner's one rating of a returned dossier (§9.3): GET the saved one, POST it once."""

    @staticmethod
    def _dossier(request, code):
        dossier = Dossier.objects.filter(code=code, owner=request.user).exclude(status=Status.DRAFT).first()
        if dossier is None:
            raise Http404
        return dossier

    @staticmethod
    def _data(rating: DossierRating) -> dict:
        return {name: getattr(rating, name) for name in ("ease", "overall", "comment")} | {
            "submitted_at": rating.submitted_at
        }

    def get(self, request, code: str):
        rating = DossierRating.objects.filter(dossier=self._dossier(request, code)).first()
        if rating is None:
            raise DossierNotFound(_("Hồ sơ chưa được đánh giá."))
        return Response(self._data(rating))

    def post(self, request, code: str):
        dossier = self._dossier(request, code)
        form = RatingForm(request.data)
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise DossierRefused(errors[0], code="invalid", field=None if field == "__all__" else field)
        try:
            rating, created = feedback_services.dossier_rate(dossier=dossier, user=request.user, answers=form.answers())
        except feedback_services.FeedbackRefused as refusal:
            raise DossierRefused(refusal.message, code="wrong_status") from None
        except feedback_services.FeedbackNotFound:
            raise Http404 from None
        return Response(self._data(rating), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# --- Drafts ----------------------------------------------------------------------------------------------------


def _draft(request, pk: int) -> Dossier:
    return (
        Dossier.objects.select_related(
            "procedure_version__procedure", "receiving_agency", "applicant", "representative"
        )
        .prefetch_related("applicant__identities", "representative__identities")
        .filter(owner=request.user, pk=pk)
        .first()
    ) or _raise_not_found()


def _raise_not_found():
    raise DossierNotFound(_("Không tìm thấy hồ sơ."))


@extend_schema_view(
    get=extend_schema(
        tags=["citizen"], responses={200: out.DraftSummarySerializer(many=True), **error_responses(401, 403, 429)}
    ),
    post=extend_schema(
        tags=["citizen"],
        request=out.DraftCreateSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Tùy chọn: gửi lại cùng khóa trả về cùng bản nháp",
            )
        ],
        responses={201: out.DraftSerializer, **error_responses(400, 401, 403, 404, 429)},
    ),
)
class DraftList(generics.ListAPIView):
    """GET: the caller's drafts, newest first. POST: start a draft of an in-force procedure that accepts online
    submission, the applicant pre-filled from the profile (dossiers.drafts.draft_start)."""

    permission_classes = [IsCitizen]
    serializer_class = out.DraftSummarySerializer
    pagination_class = IdCursorPagination

    def get_queryset(self):
        return drafts.drafts_of(self.request.user).select_related("procedure_version__procedure", "receiving_agency")

    def post(self, request):
        data = out.DraftCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = procedure_detail(code=data.validated_data["procedure"])
        if version is None:
            raise DossierRefused(_("Không tìm thấy thủ tục hành chính."), code="invalid", field="procedure")
        if not version.allows_online_submission:
            raise DossierRefused(_("Thủ tục này không nhận hồ sơ trực tuyến."), code="not_online", field="procedure")
        agencies = version.agencies.order_by("name")
        agency_id = data.validated_data.get("agency")
        agency = agencies.filter(pk=agency_id).first() if agency_id else agencies.first()
        if agency is None:
            raise DossierRefused(_("Cơ quan tiếp nhận không thực hiện thủ tục này."), code="invalid", field="agency")
        key = request.headers.get("Idempotency-Key", "").strip()
        client_key = _client_key(request.user, "draft", key) if key else drafts.client_key_new()
        with transaction.atomic():
            dossier = drafts.draft_start(
                user=request.user,
                procedure_version=version,
                agency=agency,
                person=_profile_person(request.user),
                client_key=client_key,
            )
            case_id = data.validated_data.get("case")
            if case_id is not None:
                drafts.draft_case_set(user=request.user, pk=dossier.pk, case_id=case_id)
        return Response(out.DraftSerializer(_draft(request, dossier.pk)).data, status=status.HTTP_201_CREATED)


def _client_key(user, purpose: str, key: str) -> str:
    """The engine's `Dossier.client_key` for a caller's Idempotency-Key: per user, fixed length."""
    return hashlib.sha256(f"api:{purpose}:{user.pk}:{key}".encode()).hexdigest()


@extend_schema(
    tags=["citizen"],
    request=out.DraftUpdateSerializer,
    responses={200: out.DraftSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
)
class DraftDetail(CitizenAPI):
    """GET the draft; PATCH its case, applicant (and representative) and return method through dossiers/drafts.py.
    Keys not listed in the request schema (status, agency, code, deadline …) are ignored."""

    def get(self, request, pk: int):
        return Response(out.DraftSerializer(_draft(request, pk)).data)

    def patch(self, request, pk: int):
        data = out.DraftUpdateSerializer(data=request.data)  # every key optional; a given applicant is whole
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = request.user
        with transaction.atomic():
            if "case" in values:
                drafts.draft_case_set(user=user, pk=pk, case_id=values["case"])
            if "applicant" in values:
                # The representative goes with the applicant (the wizard's one step): absent or null removes it.
                representative = values.get("representative")
                drafts.draft_applicant_set(
                    user=user,
                    pk=pk,
                    applicant=Person(**values["applicant"]),
                    representative=Person(**representative) if representative else None,
                )
            if "return_method" in values:
                drafts.draft_return_set(
                    user=user, pk=pk, method=values["return_method"], address=values.get("delivery_address", "")
                )
            if not values and drafts.draft_of(user, pk).status != Status.DRAFT:
                # An empty PATCH still says whether the draft is the caller's (404) and still a draft (400).
                raise DossierRefused(_("Hồ sơ đã được nộp; không thể sửa nữa."), code="wrong_status")
        return Response(out.DraftSerializer(_draft(request, pk)).data)


def _check_file_count(request) -> None:
    try:
        count = sum(len(request.FILES.getlist(name)) for name in request.FILES)
    except TooManyFilesSent:  # Django's parser stops at DATA_UPLOAD_MAX_NUMBER_FILES before storing more
        count = MAX_FILES_PER_REQUEST + 1
    if count > MAX_FILES_PER_REQUEST:
        raise DossierRefused(
            _("Mỗi lần gửi tối đa {n} tệp.").format(n=MAX_FILES_PER_REQUEST), code="too_many_files", field="file"
        )


@extend_schema(
    tags=["citizen"],
    request={
        "multipart/form-data": {
            "type": "object",
            "properties": {
                "document": {"type": "integer"},
                "file": {"type": "array", "items": {"type": "string", "format": "binary"}},
            },
            "required": ["document", "file"],
        }
    },
    responses={201: out.DraftSerializer, **error_responses(400, 401, 403, 404, 429)},
)
class DraftFiles(CitizenAPI):
    """Attach one or more files (at most 20 per request) to a document of the draft: checked by content and size
    (dossiers/files.py); all stored or none."""

    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, pk: int):
        _check_file_count(request)
        uploads = request.FILES.getlist("file")
        if not uploads:
            raise DossierRefused(_("Vui lòng chọn tệp."), code="required", field="file")
        try:
            document_id = int(request.data.get("document", ""))
        except (TypeError, ValueError):
            raise DossierRefused(_("Vui lòng chọn giấy tờ."), code="required", field="document") from None
        stored: list[str] = []
        try:
            with transaction.atomic():
                for upload in uploads:
                    record = drafts.draft_file_add(user=request.user, pk=pk, document_id=document_id, upload=upload)
                    stored.append(record.file.name)
        except files.FileRejected as rejected:
            for name in stored:
                files.stored_file_discard(name)
            raise DossierRefused(rejected.messages[0], code=rejected.code or "file_rejected", field="file") from None
        except BaseException:
            for name in stored:
                files.stored_file_discard(name)
            raise
        return Response(out.DraftSerializer(_draft(request, pk)).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["citizen"],
    request=out.SubmitSerializer,
    parameters=[
        OpenApiParameter(
            "Idempotency-Key",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            required=True,
            description="Bắt buộc: gửi lại cùng khóa và cùng nội dung trả về cùng hồ sơ, cùng mã (200)",
        )
    ],
    responses={
        201: out.SubmittedSerializer,
        200: out.SubmittedSerializer,
        **error_responses(400, 401, 403, 404, 409, 429),
    },
)
class DraftSubmit(CitizenAPI):
    """Submit the draft (T1). The `Idempotency-Key` header is required: the first request submits (201), a retry
    with the same key and body gets the same dossier and code (200), the same key with another body is 409."""

    def post(self, request, pk: int):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 255:
            raise DossierRefused(
                _("Thiếu tiêu đề Idempotency-Key (tối đa 255 ký tự)."), code="idempotency_key_required", field=None
            )
        data = out.SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fingerprint = hashlib.sha256(
            json.dumps([request.method, request.path, data.validated_data], sort_keys=True, default=str).encode()
        ).hexdigest()
        try:
            with transaction.atomic():
                # The unique (user, key) row is written first: a concurrent request with the key waits here for
                # this transaction, then finds the row (below). A refusal rolls the row back with everything else.
                marker = IdempotencyKey.objects.create(user=request.user, key=key, fingerprint=fingerprint)
                dossier = drafts.draft_submit(
                    user=request.user, pk=pk, expected_revision=data.validated_data.get("expected_revision")
                )
                marker.dossier = dossier
                marker.save(update_fields=["dossier"])
        except IntegrityError:
            marker = IdempotencyKey.objects.select_related("dossier").filter(user=request.user, key=key).first()
            if marker is None:
                raise
            if marker.fingerprint != fingerprint:
                raise DossierChanged(
                    _("Idempotency-Key này đã được dùng cho một yêu cầu khác."), code="idempotency_key_reused"
                ) from None
            return Response(out.SubmittedSerializer(marker.dossier).data, status=status.HTTP_200_OK)
        return Response(out.SubmittedSerializer(dossier).data, status=status.HTTP_201_CREATED)


DRAFT = r"(?P<pk>[0-9]{1,18})"

urlpatterns = [
    path("citizen/dossiers/", MyDossierList.as_view(), name="citizen-dossier-list"),
    re_path(rf"^citizen/dossiers/{CODE}/$", MyDossierDetail.as_view(), name="citizen-dossier-detail"),
    re_path(rf"^citizen/dossiers/{CODE}/supplement/$", MySupplement.as_view(), name="citizen-supplement"),
    re_path(rf"^citizen/dossiers/{CODE}/withdraw/$", MyWithdraw.as_view(), name="citizen-withdraw"),
    re_path(rf"^citizen/dossiers/{CODE}/results/$", MyResults.as_view(), name="citizen-results"),
    re_path(
        rf"^citizen/dossiers/{CODE}/files/(?P<file_id>[0-9]{{1,18}})/$",
        MyFileDownload.as_view(),
        name="citizen-file-download",
    ),
    re_path(rf"^citizen/dossiers/{CODE}/rating/$", MyRating.as_view(), name="citizen-rating"),
    path("citizen/drafts/", DraftList.as_view(), name="citizen-draft-list"),
    re_path(rf"^citizen/drafts/{DRAFT}/$", DraftDetail.as_view(), name="citizen-draft-detail"),
    re_path(rf"^citizen/drafts/{DRAFT}/files/$", DraftFiles.as_view(), name="citizen-draft-files"),
    re_path(rf"^citizen/drafts/{DRAFT}/submit/$", DraftSubmit.as_view(), name="citizen-draft-submit"),
]
