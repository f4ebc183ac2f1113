"""A local fake of the national portal's sync receiver, for development and tests (settings.NATSYNC_FAKE_ENABLED).

It answers the three endpoints of §10.1 the way `natsync.adapters.national` expects: `{error_code, message}`, "0"
when accepted, "already exists" for a second create of a dossier. Every accepted message is recorded once in
`FakeReceived` by its message id (a repeated id only counts a copy), so a test can see what arrived, in which order,
and whether anything came twice. While `NATSYNC_FAKE_DOWN` is set or a `FakeSwitch` row says down, it answers 503.
`FakeAdapter` is the national adapter with its one network call replaced by `receive` in this process.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db.models import F
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from natsync.adapters import national
from natsync.adapters.base import CREATE, KINDS
from natsync.models import FakeReceived, FakeSwitch

ALREADY_EXISTS = "2"
UNAUTHORISED = "401"


class FakeAdapter(national.NationalAdapter):
    name = "fake"

    def _post(self, kind: str, body: dict, headers: dict) -> tuple[int, dict]:
        return receive(kind, body, headers)


def is_down() -> bool:
    return settings.NATSYNC_FAKE_DOWN or FakeSwitch.objects.filter(down=True).exists()


def _authorised(headers: dict) -> bool:
    scheme = settings.NATSYNC_AUTH_SCHEME
    token = settings.NATSYNC_FAKE_TOKEN
    expected = f"{scheme} {token}" if scheme else token
    return bool(token) and headers.get(settings.NATSYNC_AUTH_HEADER) == expected


def receive(kind: str, body: dict, headers: dict) -> tuple[int, dict]:
    """The receiver's side of one POST: (HTTP status, JSON answer)."""
    if is_down():
        return 503, {}
    if kind not in KINDS:
        return 404, {}
    if not _authorised(headers):
        return 200, {"error_code": UNAUTHORISED, "message": "unauthorised"}
    message_id = headers.get(settings.NATSYNC_REQUEST_ID_HEADER, "")
    code = str(body.get("MaHoSo", ""))
    if not message_id or not code:
        return 200, {"error_code": "1", "message": "MaHoSo and a request id are required"}
    if FakeReceived.objects.filter(message_id=message_id).update(copies=F("copies") + 1):
        return 200, {"error_code": national.SUCCESS, "message": "duplicate ignored"}
    if kind == CREATE and FakeReceived.objects.filter(dossier_code=code).exists():
        return 200, {"error_code": ALREADY_EXISTS, "message": "already exists"}
    FakeReceived.objects.create(
        message_id=message_id,
        kind=kind,
        dossier_code=code,
        status_code=body.get("TrangThaiHoSo") or body.get("TrangThai") or None,
        body=body,
        received_at=timezone.now(),
    )
    return 200, {"error_code": national.SUCCESS, "message": "ok"}


@csrf_exempt  # a machine-to-machine endpoint authenticated by its token, not by the portal's session
@require_POST
def fake_receive(request, kind):
    """The fake's HTTP face, for the real adapter pointed at this portal (`NATSYNC_URL`)."""
    if not settings.NATSYNC_FAKE_ENABLED:
        raise Http404
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return JsonResponse({"error_code": "1", "message": "invalid JSON"})
    if not isinstance(body, dict):
        return JsonResponse({"error_code": "1", "message": "a JSON object is expected"})
    status, answer = receive(kind, body, request.headers)
    return JsonResponse(answer, status=status)
