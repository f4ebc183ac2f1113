"""Paying a dossier's fees online from the citizen's pages: start (or resume) the attempt, go to the platform."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dossiers.audit import request_client
from dossiers.errors import DossierNotFound, DossierRefused
from dossiers.models import Dossier
from payments import services
from portal.access import citizen_only


@citizen_only()
@require_POST
def pay(request, code: str):
    """The owner's "Thanh toán" button: one open attempt per dossier (a double click reuses it), then the platform.

    Anyone else's dossier, or an unknown code, is 404; a dossier with nothing to pay goes back with the reason.
    """
    dossier = Dossier.objects.filter(code=code, owner=request.user).first()
    if dossier is None:
        raise Http404
    back = request.POST.get("next") or ""
    try:
        payment = services.payment_start(dossier, request.user, ip=request_client(request).get("ip_address") or "")
    except DossierNotFound:
        raise Http404 from None
    except DossierRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(back if back.startswith("/") and not back.startswith("//") else "citizen:dossier", code=code)
    return redirect(payment.redirect_url)
