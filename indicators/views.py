"""Decision 766 indicators per agency and for the province (docs/indicators.md)."""

from django.shortcuts import render

from accounts.roles import FIGURES_ROLES, Role
from portal.access import FIGURES, staff_only


@staff_only(roles=[*FIGURES_ROLES, Role.ADMIN], scope=FIGURES)
def indicators(request):
    """Bộ chỉ số 766 (placeholder until the page lands)."""
    return render(request, "indicators/indicators.html", {"tab": "indicators"})
