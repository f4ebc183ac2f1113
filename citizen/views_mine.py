"""My dossiers (issue 9, parts 4–7): the owner's list, one dossier's page, answering the supplement request (T10),
withdrawing (T14). Thin: select through the owner (`citizen.selectors`) → call the engine → render. Staff are
refused (403, `@citizen_only`); another citizen's code is the same 404 as a missing one.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from citizen import selectors
from citizen.forms_mine import SupplementForm, WithdrawForm
from dossiers import services
from dossiers.audit import request_client
from dossiers.errors import DossierRefused
from dossiers.printing import FORM_KEYS
from dossiers.views import CITIZEN_FORMS, _fee_facts, _form_applies
from dossiers.workflow import TRANSITIONS, Status
from portal.access import citizen_only

PAGE_SIZE = 20


@citizen_only()
@require_GET
def my_dossiers(request):
    """Hồ sơ của tôi: drafts to continue, then the submitted dossiers newest first, each with what is expected now."""
    page = Paginator(selectors.my_dossiers(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(dossier, selectors.expected_action(dossier, now=now)) for dossier in page.object_list]
    drafts = selectors.my_drafts(user=request.user) if page.number == 1 else []
    return render(request, "citizen/mine/list.html", {"page": page, "rows": rows, "drafts": drafts})


@citizen_only()
@require_GET
def dossier(request, code: str):
    """One dossier as its owner follows it: status and appointment, what to do now, the timeline, documents and
    files, messages from the desk, forms, the result, and which units have read it (§11)."""
    found = selectors.my_dossier(user=request.user, code=code, **request_client(request))
    components, other_files = selectors.component_files(found)
    context = {
        "dossier": found,
        "expected": selectors.expected_action(found, now=timezone.now()),
        "supplement_request": getattr(found, "supplement_request", None),
        "timeline": [{"event": e, "unit": selectors.event_unit(e)} for e in found.events.all()],
        "steps": list(found.steps.all()),
        "pauses": list(found.pauses.all()),
        "components": components,
        "other_files": other_files,
        "desk_messages": selectors.desk_messages(found),
        "forms": [(key, FORM_KEYS[key]) for key in CITIZEN_FORMS if _form_applies(key, found)],
        "result_files": selectors.result_files(found),
        "reads": selectors.who_read(found),
        "fee": _fee_facts(found),
        "can_withdraw": found.status in TRANSITIONS["withdraw"].sources,
    }
    return render(request, "citizen/mine/detail.html", context)


@citizen_only()
@require_http_methods(["GET", "POST"])
def supplement(request, code: str):
    """Answer the supplement request: exactly its items, one file each, before the applicant's deadline (T10).

    The files and the action are one transaction (`services.dossier_supplement_supply`): a refused file, a late or
    second answer leaves nothing stored, and the message says why.
    """
    found = selectors.my_dossier(user=request.user, code=code)
    request_row = getattr(found, "supplement_request", None)
    if found.status != Status.SUPPLEMENT_REQUESTED or request_row is None:
        messages.info(request, _("Hồ sơ {code} không có yêu cầu bổ sung đang chờ.").format(code=found.code))
        return redirect("citizen:dossier", code=found.code)
    items = selectors.supplement_items(found)
    form = SupplementForm(request.POST or None, request.FILES or None, items=items)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.dossier_supplement_supply(
                    dossier=found, actor=request.user, uploads=form.uploads(), note=form.cleaned_data["note"]
                )
            except DossierRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(
                    request,
                    _("Đã gửi hồ sơ bổ sung {code}. Bộ phận Một cửa sẽ kiểm tra và thông báo cho bạn.").format(
                        code=found.code
                    ),
                )
                return redirect("citizen:dossier", code=found.code)
        status = 400
    now = timezone.now()
    context = {
        "dossier": found,
        "request_row": request_row,
        "form": form,
        "late": now > request_row.applicant_deadline,
        "supplied": request_row.supplied_at is not None,
    }
    return render(request, "citizen/mine/supplement.html", context, status=status)


@citizen_only()
@require_http_methods(["GET", "POST"])
def withdraw(request, code: str):
    """Rút hồ sơ online (T14): a confirmation and an optional reason; the engine refuses once a decision exists
    (Decree 118/2025 Art. 21). Afterwards the page offers the stop notice (form 05)."""
    found = selectors.my_dossier(user=request.user, code=code)
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.dossier_transition(
                    dossier=found.pk,
                    action="withdraw",
                    actor=request.user,
                    request_date=timezone.localdate(),
                    request_channel="online",
                    note=form.cleaned_data["note"],
                )
            except DossierRefused as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, _("Đã rút hồ sơ {code}; hồ sơ dừng giải quyết.").format(code=found.code))
                return redirect("citizen:withdraw", code=found.code)
        status = 400
    allowed = found.status in TRANSITIONS["withdraw"].sources
    context = {
        "dossier": found,
        "form": form,
        "allowed": allowed,
        "refusal": "" if allowed else str(TRANSITIONS["withdraw"].wrong_status),
    }
    return render(request, "citizen/mine/withdraw.html", context, status=status)
