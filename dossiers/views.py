"""Thin views: parse → authorise (through selectors scoped by user) → call a selector or service → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dossiers import selectors
from dossiers.permissions import actor_role, dossier_abilities
from dossiers.printing import FORM_KEYS, FormUnavailable, render_form
from dossiers.workflow import CITIZEN

# Forms each audience may print; the register is per desk and period, printed from the desk's pages.
CITIZEN_FORMS = ("receipt", "supplement", "refusal", "apology", "stop_notice")
STAFF_FORMS = (*CITIZEN_FORMS, "control_sheet")


@login_required
@require_GET
def dossier_list(request):
    """Hồ sơ của tôi (citizen) or the agency's dossiers (staff): 20 a page, newest first."""
    page = Paginator(selectors.dossier_list(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "dossiers/dossier_list.html", {"page": page})


@login_required
@require_GET
def dossier_detail(request, code: str):
    dossier = selectors.dossier_detail(user=request.user, code=code)
    is_citizen = actor_role(request.user) == CITIZEN
    return render(
        request,
        "dossiers/dossier_detail.html",
        {
            "dossier": dossier,
            "abilities": dossier_abilities(request.user, dossier),
            "forms": [
                (key, FORM_KEYS[key])
                for key in (CITIZEN_FORMS if is_citizen else STAFF_FORMS)
                if _form_applies(key, dossier)
            ],
            "is_citizen": is_citizen,
        },
    )


def _form_applies(key: str, dossier) -> bool:
    """Offer only the forms this dossier has the facts for (the PDF view still refuses the others clearly)."""
    checks = {
        "receipt": lambda: dossier.received_at is not None,
        "control_sheet": lambda: dossier.received_at is not None,
        "supplement": lambda: hasattr(dossier, "supplement_request"),
        "apology": lambda: hasattr(dossier, "apology"),
        "refusal": lambda: dossier.status == "refused",
        "stop_notice": lambda: dossier.status == "withdrawn",
    }
    return checks[key]()


@login_required
@require_GET
def dossier_form_pdf(request, code: str, key: str):
    is_citizen = actor_role(request.user) == CITIZEN
    if key not in (CITIZEN_FORMS if is_citizen else STAFF_FORMS):
        raise Http404
    dossier = selectors.dossier_detail(user=request.user, code=code, purpose=f"print:{key}")
    try:
        pdf = render_form(key, dossier=dossier)
    except FormUnavailable as error:
        messages.error(request, str(error))
        return redirect("dossiers:detail", code=dossier.code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{key}-{dossier.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
def public_lookup(request):
    """Tra cứu hồ sơ: status, procedure, agency and dates by code, initials at most (§11)."""
    code = request.GET.get("ma", "").strip()
    dossier = selectors.dossier_public_lookup(code=code) if code else None
    return render(
        request,
        "dossiers/public_lookup.html",
        {
            "code": code,
            "dossier": dossier,
            "initials": selectors.initials(dossier.applicant.name) if dossier else "",
            "not_found": bool(code) and dossier is None,
            "not_found_message": _("Không tìm thấy hồ sơ có mã {code}.").format(code=code),
        },
    )
