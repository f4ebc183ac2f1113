"""The inbound endpoint the national portal posts submitted dossiers to (docs/national-sync.md)."""

from __future__ import annotations

import hmac
import json
import logging

from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dossiers.errors import DossierError
from natsync.adapters.base import SyncError
from natsync.inbound import inbound_receive
from natsync.services import adapter

logger = logging.getLogger(__name__)


def _answer(code: str, message: str, **extra) -> JsonResponse:
    """The protocol's answer: `{error_code, message}`, "0" meaning accepted (a repeat is accepted too)."""
    return JsonResponse({"error_code": code, "message": message, **extra})


def _authorised(request) -> bool:
    scheme = settings.NATSYNC_AUTH_SCHEME
    token = settings.NATSYNC_INBOUND_TOKEN
    expected = f"{scheme} {token}" if scheme else token
    return hmac.compare_digest(request.headers.get(settings.NATSYNC_AUTH_HEADER, ""), expected)


@csrf_exempt  # a machine-to-machine endpoint authenticated by its token, not by the portal's session
@require_POST
def inbound(request):
    if not settings.NATSYNC_INBOUND_TOKEN:
        raise Http404
    if not _authorised(request):
        return _answer("401", "unauthorised")
    try:
        body = json.loads(request.body.decode("utf-8"))
        if not isinstance(body, dict):
            raise ValueError("a JSON object is expected")
        dossier, created = inbound_receive(adapter().parse_submission(body))
    except (UnicodeDecodeError, ValueError, SyncError, DossierError) as exc:
        logger.warning("natsync: inbound dossier refused: %s", exc)
        return _answer("1", str(exc))
    return _answer("0", "created" if created else "already received", MaHoSoTinh=dossier.code)
