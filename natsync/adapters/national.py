"""The national portal's dossier sync protocol (docs/domain.md §10.1): HTTPS POST of JSON to three endpoints.

Each endpoint (`NATSYNC_PATHS` under `NATSYNC_URL`) answers `{error_code, message}`, "0" meaning accepted. A create
answered "already exists" (`NATSYNC_ALREADY_EXISTS_CODES`) is sent again as an update. The token travels in
`NATSYNC_AUTH_HEADER`, the message id in `NATSYNC_REQUEST_ID_HEADER`; the paths, the header names and the
"already exists" code are unverified and therefore settings.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from natsync.adapters.base import CREATE, KINDS, UPDATE, Message, Receipt, SyncError

SUCCESS = "0"


class NationalAdapter:
    """The national receiver over HTTPS. `_post` is the only network call (the fake replaces it)."""

    name = "national"

    def __init__(self):
        self.token = settings.NATSYNC_TOKEN
        if not self.token:
            raise ImproperlyConfigured("NATSYNC_TOKEN must be set to push dossiers to the national portal.")

    def headers(self, message_id: str) -> dict:
        scheme = settings.NATSYNC_AUTH_SCHEME
        return {
            "Content-Type": "application/json",
            settings.NATSYNC_AUTH_HEADER: f"{scheme} {self.token}" if scheme else self.token,
            settings.NATSYNC_REQUEST_ID_HEADER: message_id,
        }

    def _post(self, kind: str, body: dict, headers: dict) -> tuple[int, dict]:
        url = settings.NATSYNC_URL.rstrip("/") + "/" + settings.NATSYNC_PATHS[kind]
        request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=settings.NATSYNC_TIMEOUT) as response:  # noqa: S310
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            return exc.code, {}
        except (OSError, ValueError) as exc:
            raise SyncError(str(exc)) from exc

    def _call(self, kind: str, message: Message) -> dict:
        status, answer = self._post(kind, message.body, self.headers(message.id))
        if status != 200:
            raise SyncError(f"{kind}: HTTP {status}")
        return answer

    def send(self, message: Message) -> Receipt:
        if message.kind not in KINDS:
            raise SyncError(f"unknown message kind {message.kind!r}")
        kind = message.kind
        answer = self._call(kind, message)
        code = str(answer.get("error_code", ""))
        if kind == CREATE and code in settings.NATSYNC_ALREADY_EXISTS_CODES:
            kind = UPDATE
            answer = self._call(kind, message)
            code = str(answer.get("error_code", ""))
        if code != SUCCESS:
            raise SyncError(f"{kind} refused: {code} {answer.get('message', '')}")
        return Receipt(error_code=code, message=str(answer.get("message", "")), kind=kind, raw=answer)
