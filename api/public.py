"""API v1 open to anyone: the procedure catalogue (moved here from /api/procedures/, which now redirects), the
public dossier lookup, the OpenAPI schema and its interactive docs — and the signed-in person's own API tokens.

The catalogue keeps its relevance order (best match first), which an id cursor cannot page: it is the one list
paged by page number, over a catalogue of a few thousand rows (docs/api.md).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import path, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.schema import error_responses
from api.views_tokens import TokenDetail, TokenList
from dossiers import selectors
from dossiers.audit import request_client
from dossiers.errors import DossierRefused
from portal.ratelimit import rate_limit_hit
from procedures.api.serializers import ProcedureDetailSerializer, ProcedureListSerializer
from procedures.api.views import ProcedureDetailAPI, ProcedureListAPI
from procedures.urls import CODE as PROCEDURE_CODE

logger = logging.getLogger(__name__)


@extend_schema_view(
    get=extend_schema(tags=["public"], responses={200: ProcedureListSerializer(many=True), **error_responses(400, 429)})
)
class ProcedureList(ProcedureListAPI):
    """In-force procedures, best match first, with the same search and filters as /procedures/."""


@extend_schema_view(
    get=extend_schema(tags=["public"], responses={200: ProcedureDetailSerializer, **error_responses(404, 429)})
)
class ProcedureDetail(ProcedureDetailAPI):
    """One in-force procedure with documents, fees, steps and legal basis; 404 when unknown or abolished."""


LookupSerializer = inline_serializer(
    "PublicLookup",
    {
        "code": serializers.CharField(),
        "status": serializers.CharField(),
        "status_label": serializers.CharField(),
        "procedure": serializers.CharField(),
        "receiving_agency": serializers.CharField(),
        "applicant_initials": serializers.CharField(),
        "submitted_at": serializers.DateTimeField(allow_null=True),
        "received_at": serializers.DateTimeField(allow_null=True),
        "due_at": serializers.DateTimeField(allow_null=True),
        "completed_at": serializers.DateTimeField(allow_null=True),
        "returned_at": serializers.DateTimeField(allow_null=True),
    },
)


@extend_schema(
    tags=["public"],
    parameters=[OpenApiParameter("code", OpenApiTypes.STR, required=True, description="Mã hồ sơ")],
    responses={200: LookupSerializer, **error_responses(400, 404, 429)},
)
class PublicLookup(APIView):
    """Tra cứu hồ sơ (/tra-cuu/) as JSON: status, procedure, agency and dates by code, the applicant's initials at
    most (§11). The same limit per client address as the page, counted together with it."""

    permission_classes = [AllowAny]

    def get(self, request):
        raw = request.query_params.get("code", "")
        if not raw.strip():
            raise DossierRefused(_("Vui lòng nhập mã hồ sơ."), code="required", field="code")
        try:
            retry_at = rate_limit_hit(
                "public-lookup",
                request_client(request)["ip_address"],
                limit=settings.PUBLIC_LOOKUP_LIMIT,
                window=settings.PUBLIC_LOOKUP_WINDOW,
            )
        except Exception:  # the counter's cache is down: answer, and say so in the log (api/throttling.py)
            logger.warning("Public lookup limit skipped: the cache is unavailable", exc_info=True)
            retry_at = None
        if retry_at is not None:
            raise Throttled(wait=max(1, int((retry_at - timezone.now()).total_seconds())))
        code = selectors.public_code_normalise(raw)
        if code is None:
            raise DossierRefused(
                _("Mã hồ sơ không hợp lệ: mã chỉ gồm chữ số, chữ cái, dấu chấm và dấu gạch ngang, tối đa 64 ký tự."),
                code="invalid",
                field="code",
            )
        dossier = selectors.dossier_public_lookup(code=code)
        if dossier is None:
            from dossiers.errors import DossierNotFound

            raise DossierNotFound(_("Không tìm thấy hồ sơ có mã {code}.").format(code=code))
        return Response(
            {
                "code": dossier.code,
                "status": dossier.status,
                "status_label": dossier.get_status_display(),
                "procedure": dossier.procedure_version.name,
                "receiving_agency": dossier.receiving_agency.name,
                "applicant_initials": selectors.initials(dossier.applicant.name),
                "submitted_at": dossier.submitted_at,
                "received_at": dossier.received_at,
                "due_at": dossier.rescheduled_due_at or dossier.current_due_at,
                "completed_at": dossier.completed_at,
                "returned_at": dossier.returned_at,
            }
        )


class _DocsPolicy:
    """The interactive docs (Swagger UI, ReDoc, served from drf-spectacular-sidecar, no CDN) set inline styles as
    they draw: their page allows inline *styles* only; scripts stay 'self' as everywhere."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = settings.CONTENT_SECURITY_POLICY_API_DOCS.format(
            nonce=getattr(request, "csp_nonce", "")
        )
        return response


class ApiDocs(_DocsPolicy, SpectacularSwaggerSplitView):
    pass


class ApiRedoc(_DocsPolicy, SpectacularRedocView):
    pass


urlpatterns = [
    path("procedures/", ProcedureList.as_view(), name="procedure-list"),
    re_path(rf"^procedures/{PROCEDURE_CODE}/$", ProcedureDetail.as_view(), name="procedure-detail"),
    path("lookup/", PublicLookup.as_view(), name="lookup"),
    path("tokens/", TokenList.as_view(), name="token-list"),
    path("tokens/<int:pk>/", TokenDetail.as_view(), name="token-detail"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocs.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", ApiRedoc.as_view(url_name="api:schema"), name="redoc"),
]
