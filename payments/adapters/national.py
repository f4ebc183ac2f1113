"""The national payment platform's protocol (docs/domain.md §10.2): init, confirm callback, query.

Every message carries `MaXacThuc`, the lower-case hex SHA-256 of its fields joined with "|" in a fixed order with
the partner's secret last. The orders are settings (`PAYMENT_NATIONAL_FIELD_ORDER`): the confirm order is the
documented one; the init, query and query-answer orders are unverified and may need changing per deployment.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import urllib.request
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from payments.adapters.base import CANCELLED, FAILED, PAID, PENDING, UNKNOWN, Outcome, PlatformError

logger = logging.getLogger("payments")

VERSION = "1.0.6"
SUCCESS = "00"
CANCELLED_CODE = "24"  # [design] the applicant cancelled at the platform (any other non-"00" code is a failure)
# TrangThaiGD in a query's answer: "4" = failed is documented; the others are [design, unverified].
TX_STATES = {"1": PAID, "0": PENDING, "4": FAILED, "5": CANCELLED, "9": UNKNOWN}
TX_CODES = {value: key for key, value in TX_STATES.items()}

DEFAULT_FIELD_ORDER = {
    "init": ["LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "SoTien", "MaTienTe", "ThoiGianGD",
             "ThongTinGiaoDich"],
    "confirm": ["LoaiBanTin", "MaLoi", "MaDoiTac", "MaThamChieu", "SoTien", "MaTienTe", "MaGiaoDich", "MaNganHang",
                "ThoiGianGD", "ThongTinGiaoDich"],
    "query": ["LoaiBanTin", "MaDoiTac", "MaThamChieu", "ThoiGianGD"],
    "query_result": ["LoaiBanTin", "MaLoi", "MaDoiTac", "MaThamChieu", "SoTien", "MaTienTe", "MaGiaoDich",
                     "TrangThaiGD", "ThoiGianGD"],
}  # fmt: skip


def field_order(kind: str) -> list[str]:
    return (getattr(settings, "PAYMENT_NATIONAL_FIELD_ORDER", None) or DEFAULT_FIELD_ORDER)[kind]


def integrity_code(params: dict, kind: str, secret: str) -> str:
    """MaXacThuc: SHA-256 over the message's fields in the order for `kind`, joined with "|", the secret last."""
    parts = [str(params.get(name, "")) for name in field_order(kind)] + [secret]
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()


def signed(params: dict, kind: str, secret: str) -> dict:
    return {**params, "MaXacThuc": integrity_code(params, kind, secret)}


def signature_ok(params: dict, kind: str, secret: str) -> bool:
    given = str(params.get("MaXacThuc", "")).lower()
    return bool(given) and hmac.compare_digest(given, integrity_code(params, kind, secret))


def gd_time(moment: datetime) -> str:
    """ThoiGianGD: yyyyMMddHHmmss, local time."""
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S")


def _amount(value) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class NationalAdapter:
    """The national platform over HTTPS (JSON POST with a bearer token). `_send` is the only network call."""

    name = "national"

    def __init__(self):
        self.secret = settings.PAYMENT_NATIONAL_SECRET
        if not self.secret:
            raise ImproperlyConfigured("PAYMENT_NATIONAL_SECRET must be set to verify the payment platform's messages.")
        self.partner = settings.PAYMENT_NATIONAL_PARTNER
        self.url = settings.PAYMENT_NATIONAL_URL

    # --- transport ---------------------------------------------------------------------------------------------

    def _send(self, message: dict) -> dict:
        request = urllib.request.Request(
            self.url,
            data=json.dumps(message).encode("utf-8"),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.PAYMENT_NATIONAL_TOKEN}",
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.PAYMENT_NATIONAL_TIMEOUT) as response:  # noqa: S310
                return json.loads(response.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise PlatformError(str(exc)) from exc

    # --- messages ----------------------------------------------------------------------------------------------

    def init(self, payment, *, return_url: str, notify_url: str, ip: str = "") -> str:
        dossier = payment.dossier
        message = {
            "LoaiBanTin": "INIT",
            "PhienBan": VERSION,
            "MaDoiTac": self.partner,
            "MaThamChieu": payment.transaction_ref,
            "SoTien": str(payment.amount),
            "LoaiHinhThanhToan": "PAY",
            "MaKenhThanhToan": "",
            "MaThietBi": "",
            "NgonNgu": "vi",
            "MaTienTe": "VND",
            "MaNganHang": "",
            "ThongTinGiaoDich": f"THANH TOAN HO SO {dossier.code}",
            "ThoiGianGD": gd_time(payment.created_at),
            "Ip": ip,
            "UrlTraVe": return_url,
            "UrlThongBao": notify_url,
            "ThongTinBienLai": {"MaHoSo": dossier.code, "NoiDung": f"THANH TOAN HO SO {dossier.code}"},
        }
        answer = self._send(signed(message, "init", self.secret))
        url = answer.get("UrlThanhToan") or answer.get("DuongDan")
        if answer.get("MaLoi") != SUCCESS or not url:
            raise PlatformError(f"init refused: {answer.get('MaLoi')} {answer.get('MoTaLoi', '')}")
        return url

    def verify_notification(self, params: dict) -> Outcome:
        params = {key: str(value) for key, value in params.items()}
        if not signature_ok(params, "confirm", self.secret) or params.get("MaDoiTac") != self.partner:
            return Outcome(valid=False, transaction_ref=params.get("MaThamChieu", ""), raw=params)
        code = params.get("MaLoi", "")
        outcome = PAID if code == SUCCESS else CANCELLED if code == CANCELLED_CODE else FAILED
        return Outcome(
            valid=True,
            transaction_ref=params.get("MaThamChieu", ""),
            outcome=outcome,
            amount=_amount(params.get("SoTien")),
            platform_transaction=params.get("MaGiaoDich", ""),
            error_code=code,
            raw=params,
        )

    def reply(self, params: dict, *, ok: bool, message: str) -> dict:
        """The answer repeats the callback's fields and adds MoTaLoi and TrangThaiGD (§10.2)."""
        repeated = {key: value for key, value in params.items() if key != "MaXacThuc"}
        return {**repeated, "MoTaLoi": message, "TrangThaiGD": "1" if ok else "4"}

    def query(self, transaction_ref: str) -> Outcome:
        message = signed(
            {
                "LoaiBanTin": "QUERY",
                "MaDoiTac": self.partner,
                "MaThamChieu": transaction_ref,
                "ThoiGianGD": gd_time(timezone.now()),
            },
            "query",
            self.secret,
        )
        answer = {key: str(value) for key, value in self._send(message).items()}
        if not signature_ok(answer, "query_result", self.secret) or answer.get("MaThamChieu") != transaction_ref:
            logger.warning("payments: query answer for %s has a bad integrity code", transaction_ref)
            return Outcome(valid=False, transaction_ref=transaction_ref, raw=answer)
        return Outcome(
            valid=True,
            transaction_ref=transaction_ref,
            outcome=TX_STATES.get(answer.get("TrangThaiGD", ""), PENDING),
            amount=_amount(answer.get("SoTien")),
            platform_transaction=answer.get("MaGiaoDich", ""),
            error_code=answer.get("MaLoi", ""),
            raw=answer,
        )
