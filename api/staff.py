"""API v1, staff: the desk queue, the officer inbox, a dossier with its actions, files and forms (docs/api.md).

Thin, like the pages they mirror: parse the input with the pages' own filter forms, authorise by the rule declared
on the view (`access`, the same `portal.access.Access` as the pages' decorators, so tests/portal/url_walk.py and
the access matrix cover these URLs too), call the desk's selectors or the engine, serialise. Every dossier is
fetched through `dossiers_visible_to`: another agency's dossier is the same 404 as a missing one, and a province
leader or supervisor gets that 404 for every dossier URL (docs/domain.md §2, §11). Every refusal has the body
`{"code", "message", "field"}`; lists are cursor-paginated (`IdCursorPagination`), one query a page.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.roles import FIGURES_ROLES, Role
from api import staff_serializers as out
from api.files import file_download
from api.pagination import IdCursorPagination
from api.schema import error_responses
from desk import selectors_inbox as inbox
from desk import selectors_queue as queue
from desk.forms_queue import QueueFilterForm
from desk.views_inbox import InboxFilterForm
from dossiers import selectors, services, workflow
from dossiers.api.actions import action_serializer_class
from dossiers.api_errors import exception_handler as engine_exception_handler
from dossiers.audit import request_client
from dossiers.errors import DossierError
from dossiers.models import DossierFile
from dossiers.permissions import actor_role, dossier_actions_available, dossiers_visible_to
from dossiers.printing import FORM_KEYS, FormUnavailable, render_form
from dossiers.views import STAFF_FORMS, _form_applies
from portal.access import AGENCY, DESK, DOSSIER, DOSSIER_ROLES, Access, refusal_message

CODE = r"(?P<code>[0-9A-Za-z.\-]{1,64})"
FILE_ID = r"(?P<file_id>[0-9]{1,18})"
ACTION = r"(?P<action>[a-z_]{1,64})"
FORM_KEY = r"(?P<key>[a-z_]{1,64})"
# Documented on every endpoint, whether or not it can answer each (one contract for clients): bad input, not
# allowed (or not signed in), not found or out of scope, conflicting state.
ERRORS = error_responses(400, 403, 404, 409)


# --- Errors and access ------------------------------------------------------------------------------------------


def _error(code: str, message: str, field: str | None = None) -> dict:
    return {"code": code, "message": str(message), "field": field}


def _first_error(detail, field: str | None = None) -> tuple[str | None, str, str]:
    """The first message of a DRF validation error, with the field it belongs to."""
    if isinstance(detail, dict):
        name, inner = next(iter(detail.items()))
        return _first_error(inner, field if name == "non_field_errors" else (f"{field}.{name}" if field else name))
    if isinstance(detail, list) and detail:
        return _first_error(detail[0], field)
    return field, str(detail), getattr(detail, "code", "invalid")


def staff_exception_handler(exc, context):
    """Every refusal as `{"code", "message", "field"}` (the engine's errors keep their own code and field)."""
    if isinstance(exc, DossierError):
        return engine_exception_handler(exc, context)
    if isinstance(exc, Http404 | exceptions.NotFound):
        return Response(_error("not_found", _("Không tìm thấy hồ sơ.")), status=404)
    if isinstance(exc, exceptions.ValidationError):
        field, message, code = _first_error(exc.detail)
        return Response(_error(code or "invalid", message, field), status=400)
    response = engine_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        response.data = _error(codes if isinstance(codes, str) else exc.default_code, exc.detail)
    return response


class DeclaredAccess(BasePermission):
    """The view's declared rule, as `portal.access` enforces it on the pages, answered as the API answers."""

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False  # DRF answers 401/403 "not_authenticated"
        access: Access = view.access
        role = actor_role(request.user)
        if access.admits(role):
            return True
        if role in FIGURES_ROLES and access.scope == DOSSIER:
            raise exceptions.NotFound  # no dossier exists for a leader (§2, §11)
        raise exceptions.PermissionDenied(refusal_message(access, role))


class StaffView(APIView):
    access: Access = Access(roles=tuple(DOSSIER_ROLES), scope=DOSSIER)
    permission_classes = [DeclaredAccess]

    def get_exception_handler(self):
        return staff_exception_handler


def _visible(request, code: str):
    """The dossier by code within the caller's scope, without logging a read (for the actions and the files)."""
    dossier = dossiers_visible_to(request.user).filter(code=code).first()
    if dossier is None:
        raise Http404
    return dossier


def _detail(request, code: str, purpose: str):
    return selectors.dossier_detail(user=request.user, code=code, purpose=purpose, **request_client(request))


def _form_error(form) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {name: [str(message) for message in errors] for name, errors in form.errors.items()}
    )


# --- Lists ------------------------------------------------------------------------------------------------------

QUEUE_PARAMETERS = [
    OpenApiParameter("q", str, description="Mã hồ sơ, số CCCD/điện thoại (chính xác) hoặc đầu họ tên"),
    OpenApiParameter("procedure", int),
    OpenApiParameter("status", str),
    OpenApiParameter("channel", int),
    OpenApiParameter("received_from", str, description="dd/mm/yyyy"),
    OpenApiParameter("received_to", str, description="dd/mm/yyyy"),
    OpenApiParameter("section", str, enum=list(queue.SECTIONS)),
    OpenApiParameter("cursor", str),
    OpenApiParameter("page_size", int),
]


class QueueView(StaffView):
    """The desk queue (/desk/ on screen): the desk's dossiers under the page's filters, one section or a search."""

    access = Access(roles=(Role.DESK,), scope=DESK)

    @extend_schema(
        operation_id="staff_queue",
        parameters=QUEUE_PARAMETERS,
        responses={200: out.StaffQueuePageSerializer, **ERRORS},
    )
    def get(self, request):
        form = QueueFilterForm(request.query_params, procedures=queue.procedure_choices(user=request.user))
        if not form.is_valid():
            raise _form_error(form)
        filters, cleaned = form.filters(), form.cleaned_data
        search = queue.search_parse(cleaned.get("q", ""))
        if search is not None:
            qs = queue.search_scope_for(search, user=request.user, filters=filters).filter(
                queue.search_condition(search)
            )
        else:
            qs = queue.queue_scope(user=request.user, filters=filters).exclude(status=workflow.Status.DRAFT)
        if cleaned.get("section"):
            today = timezone.localtime().date()
            qs = qs.filter(queue.section_conditions(today)[cleaned["section"]])
        paginator = IdCursorPagination()
        page = paginator.paginate_queryset(queue.row_fields(qs), request, view=self)
        return paginator.get_paginated_response(out.StaffQueueRowSerializer(page, many=True).data)


INBOX_PARAMETERS = [
    OpenApiParameter("tab", str, enum=[key for key, _label in inbox.TABS]),
    OpenApiParameter("procedure", int),
    OpenApiParameter("state", str, enum=[key for key, _label in inbox.STATES]),
    OpenApiParameter("handler", str, description='Mã cán bộ, hoặc "none" (chưa phân công)'),
    OpenApiParameter("cursor", str),
    OpenApiParameter("page_size", int),
]


class InboxView(StaffView):
    """The officer inbox (/work/ on screen): the agency's open steps, mine or the unit's, under the page's filters."""

    access = Access(roles=inbox.INBOX_ROLES, scope=AGENCY)

    @extend_schema(
        operation_id="staff_inbox",
        parameters=INBOX_PARAMETERS,
        responses={200: out.StaffInboxPageSerializer, **ERRORS},
    )
    def get(self, request):
        agency = request.user.staff_profile.agency
        form = InboxFilterForm(
            request.query_params,
            procedures=inbox.procedure_choices(agency=agency),
            handlers=inbox.handler_choices(agency=agency),
        )
        del form.fields["page"]  # the API pages by cursor
        if not form.is_valid():
            raise _form_error(form)
        default_tab = inbox.UNIT if actor_role(request.user) == Role.HEAD else inbox.MINE
        filters, _errors = form.filters(default_tab=default_tab)
        qs = inbox.inbox_rows(user=request.user, filters=filters, now=timezone.now())
        paginator = IdCursorPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        # A step that is not its dossier's current one (data repaired by hand) is left out, as on the page.
        rows = [row for row in page if row.dossier.current_step_id == row.pk]
        return paginator.get_paginated_response(out.StaffInboxRowSerializer(rows, many=True).data)


# --- One dossier ------------------------------------------------------------------------------------------------


class DossierDetailView(StaffView):
    @extend_schema(operation_id="staff_dossier", responses={200: out.StaffDossierDetailSerializer, **ERRORS})
    def get(self, request, code: str):
        dossier = _detail(request, code, purpose="api:view")
        return Response(out.StaffDossierDetailSerializer(dossier).data)


class DossierActionsView(StaffView):
    @extend_schema(
        operation_id="staff_dossier_actions",
        responses={200: out.StaffActionSerializer(many=True), **ERRORS},
    )
    def get(self, request, code: str):
        dossier = _visible(request, code)
        available = dossier_actions_available(request.user, dossier)
        return Response(out.StaffActionSerializer(available, many=True, context={"dossier": dossier}).data)


class DossierActionView(StaffView):
    """Perform one action through the engine: the body is the action's declared input (`GET …/actions/` lists
    it) and `expected_revision`, the revision the caller saw — a stale one is 409 and changes nothing."""

    @extend_schema(
        operation_id="staff_dossier_action_describe",
        responses={200: out.StaffActionSerializer, **ERRORS},
    )
    def get(self, request, code: str, action: str):
        """The action's declared input, when the caller may take it now (else 404, as for a missing one)."""
        dossier = _visible(request, code)
        offered = next((t for t in dossier_actions_available(request.user, dossier) if t.key == action), None)
        if offered is None:
            raise Http404
        return Response(out.StaffActionSerializer(offered, context={"dossier": dossier}).data)

    @extend_schema(
        operation_id="staff_dossier_action",
        request=OpenApiTypes.OBJECT,
        responses={200: out.StaffActionDoneSerializer, **ERRORS},
    )
    def post(self, request, code: str, action: str):
        transition = workflow.TRANSITIONS.get(action)
        if transition is None or None in transition.sources:
            raise Http404
        dossier = _visible(request, code)
        serializer = action_serializer_class(transition)(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        expected = data.pop("expected_revision", None)
        done = services.dossier_transition(
            dossier=dossier.pk, action=action, actor=request.user, expected_revision=expected, **data
        )
        return Response(out.StaffActionDoneSerializer(done).data)


class DossierFilesView(StaffView):
    @extend_schema(
        operation_id="staff_dossier_files",
        responses={200: out.StaffFileSerializer(many=True), **ERRORS},
    )
    def get(self, request, code: str):
        dossier = _visible(request, code)
        files = DossierFile.objects.filter(dossier=dossier).order_by("id")
        return Response(out.StaffFileSerializer(files, many=True, context={"code": dossier.code}).data)


class DossierFileView(StaffView):
    """The stored bytes, through the pages' own access-checked download (logged, `nosniff`, never cached)."""

    @extend_schema(
        operation_id="staff_dossier_file",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **ERRORS, **error_responses(410)},
    )
    def get(self, request, code: str, file_id: str):
        return file_download(request, code, file_id)


class DossierFormsView(StaffView):
    @extend_schema(
        operation_id="staff_dossier_forms",
        responses={200: out.StaffFormSerializer(many=True), **ERRORS},
    )
    def get(self, request, code: str):
        dossier = _visible(request, code)
        forms = [
            {
                "key": key,
                "title": FORM_KEYS[key].title,
                "url": request.build_absolute_uri(f"{request.path}{key}.pdf"),
            }
            for key in STAFF_FORMS
            if _form_applies(key, dossier)
        ]
        return Response(out.StaffFormSerializer(forms, many=True).data)


class DossierFormPdfView(StaffView):
    """A form of the dossier as PDF, as printed from the dossier page (the read is logged)."""

    @extend_schema(
        operation_id="staff_dossier_form_pdf",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERRORS},
    )
    def get(self, request, code: str, key: str):
        if key not in STAFF_FORMS:
            raise Http404
        dossier = _detail(request, code, purpose=f"print:{key}")
        try:
            pdf = render_form(key, dossier=dossier)
        except FormUnavailable as error:
            return Response(_error("form_unavailable", str(error)), status=409)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{key}-{dossier.code}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [
    re_path(r"^staff/queue/$", QueueView.as_view(), name="staff-queue"),
    re_path(r"^staff/inbox/$", InboxView.as_view(), name="staff-inbox"),
    re_path(rf"^staff/dossiers/{CODE}/$", DossierDetailView.as_view(), name="staff-dossier"),
    re_path(rf"^staff/dossiers/{CODE}/actions/$", DossierActionsView.as_view(), name="staff-dossier-actions"),
    re_path(rf"^staff/dossiers/{CODE}/actions/{ACTION}/$", DossierActionView.as_view(), name="staff-dossier-action"),
    re_path(rf"^staff/dossiers/{CODE}/files/$", DossierFilesView.as_view(), name="staff-dossier-files"),
    re_path(rf"^staff/dossiers/{CODE}/files/{FILE_ID}/$", DossierFileView.as_view(), name="staff-dossier-file"),
    re_path(rf"^staff/dossiers/{CODE}/forms/$", DossierFormsView.as_view(), name="staff-dossier-forms"),
    re_path(rf"^staff/dossiers/{CODE}/forms/{FORM_KEY}\.pdf$", DossierFormPdfView.as_view(), name="staff-dossier-form"),
]
