"""Why late (docs/statistics.md "Why late"): which step, unit and officer used time beyond its budget."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.roles import FIGURES_ROLES, Role
from agencies.models import Agency
from dossiers.permissions import agency_subtree_ids
from portal.access import FIGURES, staff_only
from stats import lateness
from stats.forms import parse_day
from stats.scope import figures_scope, scoped_agency_id
from stats.selectors import Period, figures_totals

MAX_DAYS = 3 * 366  # a longer period is refused as a mistake rather than read


def _period(request, today: dt.date) -> tuple[Period, str]:
    """GET `from` / `to` (ISO dates, both included); this month by default. A wrong or reversed range falls back
    to the default with a message, never a 500."""
    default = Period(today.replace(day=1), today)
    start, end = parse_day(request.GET.get("from")), parse_day(request.GET.get("to"))
    if not request.GET.get("from") and not request.GET.get("to"):
        return default, ""
    start, end = start or default.start, end or default.end
    if start > end or (end - start).days >= MAX_DAYS:
        return default, _("Khoảng thời gian không hợp lệ; đang hiển thị tháng này.")
    return Period(start, end), ""


def _int(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


@staff_only(roles=[*FIGURES_ROLES, Role.ADMIN], scope=FIGURES)
def why_late(request):
    """Vì sao trễ hạn: the steps that used time beyond their budget, per unit, officer and procedure, for the
    reader's scope (`figures_scope`) or one agency in it (else 404); the period's late dossiers with the step
    each is blamed on, and the steps overdue now. Reads the roll-up; no applicant data (§11)."""
    scope = figures_scope(request.user)
    now = timezone.now()
    period, period_error = _period(request, timezone.localdate(now))
    agency_id = scoped_agency_id(request.GET.get("agency"), scope)
    procedure_id = _int(request.GET.get("procedure"))
    if agency_id is not None:
        agency = Agency.objects.get(pk=agency_id)
        agency_ids = agency_subtree_ids(agency)
    else:
        agency = None
        agency_ids = scope
    filters = {"agency_ids": agency_ids, "period": period, "procedure_id": procedure_id}
    query = {"from": period.start.isoformat(), "to": period.end.isoformat()}
    if agency_id is not None:
        query["agency"] = agency_id
    context = {
        "tab": "late",
        "query": urlencode(query),
        "period": period,
        "period_error": period_error,
        "agency": agency,
        "agencies": Agency.objects.filter(pk__in=scope).order_by("level", "name").values("pk", "name"),
        "procedure_id": procedure_id,
        "totals": lateness.late_totals(**filters),
        "late_resolved": figures_totals(**filters)["late"],
        "by_agency": lateness.late_by(dimension="agency", **filters),
        "by_unit": lateness.late_by(dimension="unit", **filters),
        "by_officer": lateness.late_by(dimension="officer", **filters),
        "by_procedure": lateness.late_by(dimension="procedure", **filters),
        "late_steps": lateness.late_steps(**filters),
        "open": lateness.open_overdue_steps(agency_ids=agency_ids, now=now, procedure_id=procedure_id),
        "now": now,
    }
    return render(request, "stats/why_late.html", context)
