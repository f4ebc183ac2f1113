"""Thin views: parse → authorise (through selectors scoped by user) → call a selector or service → render."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.roles import Role
from dossiers import handover, selectors
from dossiers.audit import request_client
from dossiers.models import Channel
from dossiers.permissions import actor_role, dossier_actions_available
from dossiers.printing import FORM_KEYS, MAX_REGISTER_DAYS, FormUnavailable, render_form
from dossiers.workflow import CITIZEN, Status
from portal.access import DESK, DOSSIER, DOSSIER_ROLES, staff_only, staff_or_owner
from portal.ratelimit import rate_limit_hit

# Forms each audience may print; the register is per desk and period, printed from the desk's pages.
CITIZEN_FORMS = ("acknowledgement", "receipt", "supplement", "refusal", "apology", "stop_notice")
# The handover record names the receiver with their ID number: printed by the desk, not offered to the account.
STAFF_FORMS = (*CITIZEN_FORMS, "control_sheet", "handover")


@staff_or_owner(roles=DOSSIER_ROLES, scope=DOSSIER)
@require_GET
def dossier_list(request):
    """Hồ sơ của tôi (citizen) or the agency's dossiers (staff): 20 a page, newest first."""
    page = Paginator(selectors.dossier_list(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "dossiers/dossier_list.html", {"page": page})


@staff_or_owner(roles=DOSSIER_ROLES, scope=DOSSIER)
@require_GET
def dossier_detail(request, code: str):
    dossier = selectors.dossier_detail(user=request.user, code=code, **request_client(request))
    is_citizen = actor_role(request.user) == CITIZEN
    # Staff see the result once issued (T15); the applicant once it is returned to them (T16).
    result_visible = not is_citizen or dossier.status == Status.RETURNED
    return render(
        request,
        "dossiers/dossier_detail.html",
        {
            "dossier": dossier,
            # Buttons for what this user may do now: the engine's own list (the citizen's come with issue 9).
            "actions": [] if is_citizen else _main_path_first(dossier_actions_available(request.user, dossier)),
            "forms": [
                (key, FORM_KEYS[key])
                for key in (CITIZEN_FORMS if is_citizen else STAFF_FORMS)
                if _form_applies(key, dossier)
            ],
            "is_citizen": is_citizen,
            "return_screen": _return_screen(dossier),
            "show_result": result_visible and bool(dossier.result_number),
            "result_files": selectors.dossier_result_files(dossier) if result_visible else [],
            "fee": _fee_facts(dossier),
        },
    )


def _fee_facts(dossier) -> dict:
    """The amount due and, once collected at the counter (T16a), how it was paid and the receipt number — from the
    fee lines and events the detail selector prefetched (no query)."""
    paid = [event for event in dossier.events.all() if event.action in handover.FEE_ACTIONS]
    data = (paid[-1].data or {}) if paid else {}
    method = data.get("payment_method", "")
    return {
        "total": sum(line.amount for line in dossier.fee_lines.all()),
        "amount": data.get("amount"),
        "method": handover.fee_method_label(method),
        "receipt_number": data.get("receipt_number", ""),
    }


def _return_screen(dossier) -> tuple[str, ...]:
    """Actions done on the desk's return screen rather than the generic form: the return itself, posting the result
    and, once the result is ready, the fee collected before it."""
    if dossier.status != "result_ready":
        return ()
    return ("return_result", "post_result", "collect_fee")


# Actions that stop, turn back or delay a dossier: offered, but never as the highlighted next step.
SIDE_ACTIONS = {
    "refuse",
    "stop",
    "withdraw",
    "recall",
    "expire_supplement",
    "request_supplement",
    "request_supplement_intake",
    "apologise",
    "interconnect",
    "await_obligation",
    "post_result",  # the return screen pre-selects the method registered at receipt
}


def _main_path_first(actions: list) -> list[tuple]:
    """(transition, is the highlighted next step): the dossier's main path first, the side actions after it."""
    ordered = sorted(actions, key=lambda t: t.key in SIDE_ACTIONS)
    return [(t, i == 0 and t.key not in SIDE_ACTIONS) for i, t in enumerate(ordered)]


def _form_applies(key: str, dossier) -> bool:
    """Offer only the forms this dossier has the facts for (the PDF view still refuses the others clearly)."""
    checks = {
        "acknowledgement": lambda: dossier.submitted_at is not None and dossier.channel == Channel.ONLINE,
        "receipt": lambda: dossier.received_at is not None,
        "control_sheet": lambda: dossier.received_at is not None,
        "supplement": lambda: hasattr(dossier, "supplement_request"),
        "apology": lambda: hasattr(dossier, "apology"),
        "refusal": lambda: dossier.status == "refused",
        "stop_notice": lambda: dossier.status == "withdrawn",
        "handover": lambda: dossier.status == "returned" and dossier.handovers.exists(),
    }
    return checks[key]()


@staff_or_owner(roles=DOSSIER_ROLES, scope=DOSSIER)
@require_GET
def dossier_form_pdf(request, code: str, key: str):
    is_citizen = actor_role(request.user) == CITIZEN
    if key not in (CITIZEN_FORMS if is_citizen else STAFF_FORMS):
        raise Http404
    dossier = selectors.dossier_detail(user=request.user, code=code, purpose=f"print:{key}", **request_client(request))
    try:
        pdf = render_form(key, dossier=dossier)
    except FormUnavailable as error:
        messages.error(request, str(error))
        return redirect("dossiers:detail", code=dossier.code)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{key}-{dossier.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _parse_day(value: str):
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(value.strip(), fmt).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


@staff_only(roles=[Role.DESK], scope=DESK)
@require_GET
def desk_register_pdf(request):
    """Sổ theo dõi hồ sơ of the signed-in desk officer's desk for ?from=dd/mm/yyyy&to=dd/mm/yyyy (≤ one quarter)."""
    desk = selectors.register_desk(user=request.user)
    date_from, date_to = _parse_day(request.GET.get("from", "")), _parse_day(request.GET.get("to", ""))
    error = None
    if desk is None:
        error = _("Tài khoản chưa được gán Bộ phận Một cửa.")
    elif date_from is None or date_to is None:
        error = _("Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy (ví dụ 01/03/2026).")
    elif date_from > date_to or (date_to - date_from).days >= MAX_REGISTER_DAYS:
        error = _("Khoảng thời gian phải từ ngày bắt đầu đến ngày kết thúc, tối đa {days} ngày.").format(
            days=MAX_REGISTER_DAYS
        )
    if error:
        messages.error(request, error)
        return redirect("dossiers:list")
    pdf = render_form("register", desk=desk, period=(date_from, date_to))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="so-theo-doi-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
@require_GET
def public_lookup(request):
    """Tra cứu hồ sơ: status, procedure, agency and dates by code, initials at most (§11).

    Typed codes are trimmed and upper-cased; input that cannot be a code gets a message (400), never a 500.
    """
    raw = request.GET.get("ma", "")
    if raw.strip():
        retry_at = rate_limit_hit(
            "public-lookup",
            request_client(request)["ip_address"],
            limit=settings.PUBLIC_LOOKUP_LIMIT,
            window=settings.PUBLIC_LOOKUP_WINDOW,
        )
        if retry_at is not None:
            return _lookup_refused(request, retry_at)
    code = selectors.public_code_normalise(raw) if raw.strip() else ""
    dossier = selectors.dossier_public_lookup(code=code) if code else None
    invalid = code is None
    # What is echoed back into the box: printable characters only, no longer than a code can be.
    shown = code if code else "".join(ch for ch in raw.strip() if ch.isprintable())[:64]
    return render(
        request,
        "dossiers/public_lookup.html",
        {
            "code": shown,
            "dossier": dossier,
            "initials": selectors.initials(dossier.applicant.name) if dossier else "",
            "invalid": invalid,
            "invalid_message": _(
                "Mã hồ sơ không hợp lệ: mã chỉ gồm chữ số, chữ cái, dấu chấm và dấu gạch ngang, tối đa 64 ký tự "
                "(ví dụ 000.00.06.H56-260302-0001)."
            ),
            "not_found": bool(code) and dossier is None,
            "not_found_message": _("Không tìm thấy hồ sơ có mã {code}.").format(code=code),
        },
        status=400 if invalid else 200,
    )


def _lookup_refused(request, retry_at: dt.datetime) -> HttpResponse:
    """429 once a client has used its lookups for the window: when to try again, in local time and in minutes."""
    wait = retry_at - timezone.now()
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    response = render(
        request,
        "dossiers/public_lookup_limited.html",
        {
            "retry_at": timezone.localtime(retry_at),
            "minutes": minutes,
            "limit": settings.PUBLIC_LOOKUP_LIMIT,
            "window_minutes": settings.PUBLIC_LOOKUP_WINDOW // 60,
        },
        status=429,
    )
    response["Retry-After"] = str(max(1, int(wait.total_seconds())))
    return response
