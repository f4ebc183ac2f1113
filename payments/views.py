"""The platform's notification (IPN) and the applicant's return from the platform (docs/domain.md §10.2)."""

from __future__ import annotations

import json
import logging

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from payments import services
from payments.models import Payment

logger = logging.getLogger("payments")


def handle_notification(params: dict) -> tuple[int, dict]:
    """What the notification endpoint does with the platform's confirm callback: (HTTP status, JSON answer)."""
    gateway = services.adapter()
    try:
        payment = services.payment_confirm(params)
    except services.PaymentRejected as rejected:
        return 400, gateway.reply(params, ok=False, message=str(rejected))
    return 200, gateway.reply(params, ok=True, message=payment.state)


def _params(request) -> dict:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
    return request.POST.dict()


@csrf_exempt  # called by the platform, authenticated by the integrity code
@require_POST
def notify(request):
    status, answer = handle_notification(_params(request))
    return JsonResponse(answer, status=status)


@never_cache
@require_GET
def payment_return(request, ref):
    """The applicant back from the platform: their own payment's state; anyone else's (or none) is 404.

    Signed parameters on the URL are applied like a notification (idempotently), so the page is right whichever of
    the redirect and the notification comes first; a bad signature here changes nothing and is logged.
    """
    if not request.user.is_authenticated:
        raise Http404
    payment = (
        Payment.objects.select_related("dossier").filter(transaction_ref=ref, dossier__owner_id=request.user.pk).first()
    )
    if payment is None:
        raise Http404
    if request.GET.get("MaXacThuc") and request.GET.get("MaThamChieu") == ref:
        try:
            payment = services.payment_confirm(request.GET.dict())
        except services.PaymentRejected:
            pass  # logged by the service; the page shows the state as it is
        payment.refresh_from_db()
    messages = {
        "paid": _("Thanh toán thành công. Hồ sơ đã được ghi nhận nộp phí, lệ phí."),
        "failed": _("Thanh toán không thành công. Bạn có thể thanh toán lại."),
        "cancelled": _("Bạn đã hủy thanh toán. Bạn có thể thanh toán lại."),
    }
    return render(
        request,
        "payments/return.html",
        {
            "payment": payment,
            "dossier": payment.dossier,
            "message": messages.get(payment.state, _("Đang chờ kết quả thanh toán từ nền tảng thanh toán.")),
        },
    )
