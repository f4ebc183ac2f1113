"""The desk's papers on screen (docs/domain.md §6.2): the tracking register of the user's desk for a period and the
control sheet of one dossier. Each is built by the same function as its PDF (`dossiers.printing`), so the screen
and the paper cannot disagree; each links to its PDF."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.roles import Role
from desk.forms_register import RegisterPeriodForm
from desk.views_actions import STAFF_ROLES
from dossiers.audit import request_client
from dossiers.permissions import dossiers_visible_to
from dossiers.printing import FORM_KEYS, control_sheet_context, register_dossiers, register_row, vn_date
from dossiers.selectors import denied_access_log, personal_data_read_log, register_desk
from portal.access import DESK, DOSSIER, staff_only

REGISTER_PAGE_SIZE = 50


@staff_only(roles=[Role.DESK], scope=DESK)
@require_GET
def register(request):
    """Sổ theo dõi hồ sơ of the user's desk, 50 lines a page, for a period (default: this month)."""
    form = RegisterPeriodForm(request.GET or None, today=timezone.localdate())
    date_from, date_to = form.period()
    desk = register_desk(user=request.user)
    page, rows = None, []
    if desk is not None:
        paginator = Paginator(register_dossiers(desk, (date_from, date_to)), REGISTER_PAGE_SIZE)
        page = paginator.get_page(form.page_number())
        rows = [register_row(dossier) for dossier in page.object_list]
    period = {"from": vn_date(date_from), "to": vn_date(date_to)}
    return render(
        request,
        "desk/register.html",
        {
            "form": form,
            "form_info": FORM_KEYS["register"],
            "desk": desk,
            "period": period,
            "page": page,
            "rows": rows,
            "columns": range(1, 13),
            "pdf_url": f"{reverse('dossiers:register-pdf')}?{urlencode(period)}",
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@staff_only(roles=STAFF_ROLES, scope=DOSSIER)
@require_GET
def control_sheet(request, code: str):
    """Phiếu kiểm soát quá trình giải quyết hồ sơ of a dossier in the user's scope (others' are the same 404)."""
    dossier = dossiers_visible_to(request.user).filter(code=code).only("pk", "code").first()
    if dossier is None:
        denied_access_log(user=request.user, kind="history", ref=code, code=code, **request_client(request))
        raise Http404
    personal_data_read_log(
        user=request.user, dossier_id=dossier.pk, purpose="view:control_sheet", **request_client(request)
    )
    return render(
        request,
        "desk/control_sheet.html",
        {
            "dossier": dossier,
            "form_info": FORM_KEYS["control_sheet"],
            "sheet": control_sheet_context(dossier),
        },
    )
