"""The leaders' dashboard (docs/dashboard.md)."""

from django.shortcuts import render

from accounts.roles import FIGURES_ROLES, Role
from portal.access import FIGURES, staff_only


@staff_only(roles=[*FIGURES_ROLES, Role.ADMIN], scope=FIGURES)
def dashboard(request):
    """Số liệu: the figures of the reader's scope (placeholder until the dashboard lands)."""
    return render(request, "stats/dashboard.html", {"tab": "home"})
