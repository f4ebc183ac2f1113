"""A local fake of the national payment platform, for development and tests (settings.PAYMENT_FAKE_ENABLED).

It speaks the protocol of `payments.adapters.national` and signs with the same secret: `FakeAdapter` is the
national adapter with its one network call replaced by `platform_handle` in this process. The applicant's page
(`/payments/fake/pay/<ref>/`) offers pay or cancel; the choice is remembered (`FakeTransaction`, which `query`
answers from), a signed confirm notification is delivered to the portal's notification handler — the function
behind the IPN view — and the browser is sent back to the return URL with the same signed parameters.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from payments.adapters import national
from payments.adapters.base import CANCELLED, FAILED, PAID, PENDING, UNKNOWN
from payments.models import FakeTransaction

BANK = "FAKEBANK"


class FakeAdapter(national.NationalAdapter):
    name = "fake"

    def _send(self, message: dict) -> dict:
        return platform_handle(message)


def _secret() -> str:
    return settings.PAYMENT_NATIONAL_SECRET


def _refused(message: dict, code: str, text: str) -> dict:
    return {"MaLoi": code, "MoTaLoi": text, "MaThamChieu": message.get("MaThamChieu", "")}


def platform_handle(message: dict) -> dict:
    """The platform's side of init and query: checks the integrity code, answers as the real one does."""
    kind = {"INIT": "init", "QUERY": "query"}.get(message.get("LoaiBanTin", ""))
    if kind is None:
        return _refused(message, "01", "unknown message")
    if not national.signature_ok(message, kind, _secret()):
        return _refused(message, "02", "bad integrity code")
    if kind == "init":
        tx, _created = FakeTransaction.objects.get_or_create(
            transaction_ref=message["MaThamChieu"],
            defaults={
                "amount": int(message["SoTien"]),
                "description": message.get("ThongTinGiaoDich", ""),
                "return_url": message.get("UrlTraVe", ""),
            },
        )
        url = settings.SITE_URL + reverse("payments:fake-pay", args=[tx.transaction_ref])
        return {"MaLoi": national.SUCCESS, "MaThamChieu": tx.transaction_ref, "UrlThanhToan": url}
    tx = FakeTransaction.objects.filter(transaction_ref=message["MaThamChieu"]).first()
    answer = {
        "LoaiBanTin": "QUERY",
        "MaLoi": national.SUCCESS if tx else "09",
        "MaDoiTac": message.get("MaDoiTac", ""),
        "MaThamChieu": message["MaThamChieu"],
        "SoTien": str(tx.amount) if tx else "",
        "MaTienTe": "VND",
        "MaGiaoDich": tx.platform_transaction if tx else "",
        "TrangThaiGD": national.TX_CODES[tx.state if tx else UNKNOWN],
        "ThoiGianGD": tx.paid_at if tx else "",
    }
    return national.signed(answer, "query_result", _secret())


def confirm_message(tx: FakeTransaction) -> dict:
    """The signed confirm callback for the transaction's final state, exactly as the platform sends it."""
    code = {PAID: national.SUCCESS, CANCELLED: national.CANCELLED_CODE}.get(tx.state, "99")
    params = {
        "LoaiBanTin": "CONFIRM",
        "MaLoi": code,
        "MaDoiTac": settings.PAYMENT_NATIONAL_PARTNER,
        "MaThamChieu": tx.transaction_ref,
        "SoTien": str(tx.amount),
        "MaTienTe": "VND",
        "MaGiaoDich": tx.platform_transaction,
        "MaNganHang": BANK,
        "ThoiGianGD": tx.paid_at,
        "ThongTinGiaoDich": tx.description,
    }
    return national.signed(params, "confirm", _secret())


def _enabled():
    if not settings.PAYMENT_FAKE_ENABLED:
        raise Http404


@csrf_exempt  # the platform's page: the portal's session and CSRF token are not its business
@require_http_methods(["GET", "POST"])
def fake_pay(request, ref):
    """The platform's page: pay or cancel; then the notification, then the redirect back to the portal."""
    _enabled()
    tx = get_object_or_404(FakeTransaction, transaction_ref=ref)
    if request.method == "GET" or tx.state != PENDING:
        return render(request, "payments/fake_pay.html", {"tx": tx, "open": tx.state == PENDING})
    decision = request.POST.get("decision")
    if decision not in ("pay", "cancel", "fail"):
        return render(request, "payments/fake_pay.html", {"tx": tx, "open": True}, status=400)
    tx.state = {"pay": PAID, "cancel": CANCELLED, "fail": FAILED}[decision]
    tx.platform_transaction = uuid.uuid4().hex[:16].upper()
    tx.paid_at = national.gd_time(timezone.now())
    tx.save()
    params = confirm_message(tx)
    if settings.PAYMENT_FAKE_NOTIFY:
        from payments.views import handle_notification

        handle_notification(params)  # what the IPN view does with the platform's POST
    return redirect(f"{tx.return_url or reverse('payments:return', args=[ref])}?{urlencode(params)}")
