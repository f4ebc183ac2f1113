"""Dữ liệu của tôi: the citizen's page for their personal data — download it, ask for erasure, see past requests.

Thin: `citizen_only` → a service of privacy/services.py → a file or a redirect with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.access import citizen_only
from privacy import services
from privacy.models import DataSubjectRequest

REASON_MAX = 2000


@citizen_only()
@require_GET
def my_data(request):
    """The page: what the export holds, the two buttons, and the citizen's requests with their deadlines."""
    rows = DataSubjectRequest.objects.filter(user=request.user).order_by("-received_at", "-pk")[:50]
    return render(
        request,
        "privacy/my_data.html",
        {"requests": rows, "reason_max": REASON_MAX, "retention_basis": services.retention_basis()},
    )


@citizen_only()
@require_POST
def export(request):
    """Tải dữ liệu của tôi: the JSON file itself is the answer; the request is recorded as answered."""
    content, row = services.personal_data_export(user=request.user)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="du-lieu-cua-toi-{row.received_at:%Y%m%d-%H%M%S}.json"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@citizen_only()
@require_POST
def erasure(request):
    """Yêu cầu xóa dữ liệu: recorded and answered at once — refused with the legal basis for retained dossiers."""
    reason = request.POST.get("reason", "").strip()
    if len(reason) > REASON_MAX:
        messages.error(request, _("Lý do dài quá {n} ký tự.").format(n=REASON_MAX))
        return redirect("privacy:my-data")
    row = services.erasure_request(user=request.user, reason=reason)
    if row.outcome == DataSubjectRequest.Outcome.REFUSED:
        messages.warning(request, f"{row.answer} {row.legal_basis}")
    else:
        messages.success(request, row.answer)
    return redirect("privacy:my-data")
