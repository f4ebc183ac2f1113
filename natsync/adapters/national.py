"""The national portal's dossier sync protocol (docs/domain.md §10.1): HTTPS POST of JSON to three endpoints.

Each endpoint (`NATSYNC_PATHS` under `NATSYNC_URL`) answers `{error_code, message}`, "0" meaning accepted. A create
answered "already exists" (`NATSYNC_ALREADY_EXISTS_CODES`) is sent again as an update. The token travels in
`NATSYNC_AUTH_HEADER`, the message id in `NATSYNC_REQUEST_ID_HEADER`; the paths, the header names and the
"already exists" code are unverified and therefore settings.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from natsync.adapters.base import CREATE, KINDS, UPDATE, Message, Receipt, Submission, SyncError

SUCCESS = "0"
# LoaiDinhDanh of DinhDanhCHS → the portal's identity document types [design, unverified]: anything else is "other".
IDENTITY_TYPES = {"1": "cccd", "2": "passport", "3": "enterprise", "4": "tax"}


def parse_time(text) -> dt.datetime | None:
    """`yyyyMMddHHmmss` in local time → an aware moment; "" → None; anything else is refused."""
    if not text:
        return None
    try:
        local = dt.datetime.strptime(str(text), "%Y%m%d%H%M%S").replace(tzinfo=timezone.get_default_timezone())
    except ValueError as exc:
        raise SyncError(f"bad date {text!r}") from exc
    return local


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

    def parse_submission(self, body: dict) -> Submission:
        """The dossier fields of §10.1 as an inbound submission; the receiving unit's field name is a setting."""
        missing = [name for name in ("MaHoSo", "MaTTHC", "ChuHoSo") if not str(body.get(name, "")).strip()]
        agency = str(body.get(settings.NATSYNC_INBOUND_AGENCY_FIELD, "")).strip()
        if not agency:
            missing.append(settings.NATSYNC_INBOUND_AGENCY_FIELD)
        if missing:
            raise SyncError("missing: " + ", ".join(missing))
        try:
            kind = int(body.get("LoaiDoiTuong") or 1)
        except (TypeError, ValueError) as exc:
            raise SyncError("bad LoaiDoiTuong") from exc
        identities = tuple(
            (IDENTITY_TYPES.get(str(item.get("LoaiDinhDanh", "")), "other"), str(item.get("SoDinhDanh", "")).strip())
            for item in body.get("DinhDanhCHS") or []
            if isinstance(item, dict) and str(item.get("SoDinhDanh", "")).strip()
        )
        return Submission(
            national_code=str(body["MaHoSo"]).strip(),
            procedure_code=str(body["MaTTHC"]).strip(),
            agency_identifier=agency,
            applicant_kind=kind if 1 <= kind <= 4 else 4,
            applicant_name=str(body["ChuHoSo"]).strip()[:255],
            identities=identities,
            phone=str(body.get("SoDienThoai") or "")[:20],
            email=str(body.get("Email") or "")[:254],
            summary=str(body.get("TrichYeuHoSo") or "")[:1000],
            submitted_at=parse_time(body.get("NgayNopHoSo")),
        )
