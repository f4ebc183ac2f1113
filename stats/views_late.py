"""Why late (docs/statistics.md "Why late"): which step, unit and officer used time beyond its budget."""

from django.shortcuts import render

from accounts.roles import FIGURES_ROLES, Role
from portal.access import FIGURES, staff_only


@staff_only(roles=[*FIGURES_ROLES, Role.ADMIN], scope=FIGURES)
def why_late(request):
    """Vì sao trễ hạn (placeholder until the page lands)."""
    return render(request, "stats/why_late.html", {"tab": "late"})
