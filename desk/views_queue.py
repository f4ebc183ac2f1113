"""The one-stop desk's home (/desk/): today's queue of the desk in one page, for someone who works in it all day."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from accounts.roles import FIGURES_ROLES, Role
from desk import selectors_queue as q
from desk.forms_queue import QueueFilterForm
from dossiers.permissions import actor_role
from portal.access import DESK, staff_only

SECTION_TITLES = {
    "waiting": gettext_lazy("Hồ sơ trực tuyến chờ tiếp nhận"),
    "supplied": gettext_lazy("Đã bổ sung, chờ tiếp nhận"),
    "result_ready": gettext_lazy("Đã có kết quả, chờ trả"),
    "due_today": gettext_lazy("Hẹn trả hôm nay"),
    "overdue": gettext_lazy("Quá hạn xử lý"),
}


def _is_desk(user) -> bool:
    profile = getattr(user, "staff_profile", None)
    return profile is not None and profile.role == Role.DESK


def time_left(due: dt.datetime | None, now: dt.datetime) -> str:
    """ "còn 3 giờ 05 phút" / "quá 1 giờ 10 phút": the wall-clock distance to the acceptance deadline."""
    if due is None:
        return ""
    minutes = int(abs((due - now).total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        span = _("{days} ngày {hours} giờ").format(days=days, hours=hours)
    else:
        span = _("{hours} giờ {minutes:02d} phút").format(hours=hours, minutes=mins)
    return (_("còn {span}") if due >= now else _("quá {span}")).format(span=span)


def _decorate(rows, now: dt.datetime, search: q.Search | None = None):
    """What each row shows beyond its columns: the masked name and, for the waiting ones, the acceptance window."""
    for row in rows:
        row.masked_name = q.mask_name(row.applicant.name)
        row.acceptance_late = row.acceptance_due_at is not None and row.acceptance_due_at < now
        row.acceptance_left = time_left(row.acceptance_due_at, now) if row.status == "submitted" else ""
        if search is not None and search.number is not None:
            # The number matched exactly: shown masked, as the ID it is or as the phone.
            is_phone = row.applicant.phone == search.number
            row.matched = q.mask_phone(search.number) if is_phone else q.mask_id_number(search.number)
        else:
            row.matched = ""
    return rows


@staff_only(roles=[Role.DESK], scope=DESK)
@require_GET
def queue(request):
    """Sections with counts, filters and a search box; the desk's agency scope only (desk officers only)."""
    now = timezone.now()
    today = timezone.localtime(now).date()
    form = QueueFilterForm(request.GET or None, procedures=q.procedure_choices(user=request.user))
    valid = form.is_valid() if form.is_bound else True
    filters = form.filters() if form.is_bound else q.QueueFilters()
    cleaned = form.cleaned_data if form.is_bound else {}
    scope = q.queue_scope(user=request.user, filters=filters)
    search = q.search_parse(cleaned.get("q", ""))
    only = cleaned.get("section") or ""
    page = cleaned.get("page") or 1

    counts = q.queue_counts(scope, today=today)
    sections, results, results_more = [], [], False
    if search is not None:
        results, results_more = q.queue_search(q.search_scope_for(search, user=request.user, filters=filters), search)
        _decorate(results, now, search)
    else:
        for key in [only] if only else q.SECTIONS:
            offset = (page - 1) * q.SECTION_SIZE if only else 0
            rows, more = q.queue_section(scope, key, today=today, offset=offset)
            sections.append(
                {
                    "key": key,
                    "title": SECTION_TITLES[key],
                    "count": q.count_shown(counts[key]),
                    "rows": _decorate(rows, now),
                    "more": more,
                    # Its rows show the answer moment and the applicant's deadline instead of receipt and due.
                    "supplied": key == "supplied",
                }
            )
    return render(
        request,
        "desk/queue.html",
        {
            "form": form,
            "counts": [(key, SECTION_TITLES[key], q.count_shown(counts[key])) for key in q.SECTIONS],
            "sections": sections,
            "only": only,
            "page": page,
            "search": search,
            "results": results,
            "results_more": results_more,
            "today": today,
            "section_size": q.SECTION_SIZE,
            "now": now,
        },
        status=200 if valid else 400,
    )


def after_login(request):
    """Where signing in lands: a desk officer on their queue, a leader or supervisor on the figures, everyone else on
    the home page as before."""
    if _is_desk(request.user):
        return redirect("desk:queue")
    if actor_role(request.user) in FIGURES_ROLES:
        return redirect("dashboard:home")
    return redirect("home")
