"""Decision 766 indicators per agency and for the province (docs/indicators.md)."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.utils import timezone

from accounts.roles import FIGURES_ROLES, Role
from indicators.models import Group
from indicators.selectors import PRESETS, figures_as_of, indicators_for, period_from, sort_rows
from portal.access import FIGURES, staff_only
from stats.scope import figures_scope, scoped_agency_id


@staff_only(roles=[*FIGURES_ROLES, Role.ADMIN], scope=FIGURES)
def indicators(request):
    """Bộ chỉ số 766: the scope's score per group and indicator with each formula and its counts, the agencies'
    table sortable by score, and one agency's detail (`agency`, inside the reader's scope, else 404)."""
    today = timezone.localdate()
    scope = figures_scope(request.user)
    period, message = period_from(request.GET, today=today)
    agency_id = scoped_agency_id(request.GET.get("agency"), scope)
    data = indicators_for(agency_ids=scope, period=period, today=today, agency_id=agency_id)
    sort = request.GET.get("sap-xep", "diem")
    query = urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})
    return render(
        request,
        "indicators/indicators.html",
        {
            "tab": "indicators",
            "query": query,
            "period": period,
            "presets": PRESETS,
            "message": message,
            "data": data,
            "rows": sort_rows(data.agencies, sort),
            "sort": sort,
            "groups": [(number, label, f"nhom{number}") for number, label in Group.choices],
            "scope_name": next((row["agency"].name for row in data.agencies if row["agency"].pk == scope[0]), ""),
            "selected": data.selected,
            "single": len(scope) == 1,
            "as_of": figures_as_of(),
        },
    )
