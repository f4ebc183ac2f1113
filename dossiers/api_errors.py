"""The DRF exception handler: an engine error becomes its status code and a body `{"code", "message", "field"}`."""

from __future__ import annotations

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from dossiers.errors import DossierError


def exception_handler(exc, context):
    if isinstance(exc, DossierError):
        return Response(exc.as_dict(), status=exc.status_code)
    return drf_exception_handler(exc, context)
