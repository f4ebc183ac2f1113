"""Whose figures a reader sees (docs/domain.md §2): a leader their agency and everything under it (a province
leader the province, a commune leader the commune), a supervisor of the provincial service centre the whole province.

Every dashboard, drill-down, export and indicator page selects through `figures_scope(user)`; an agency id outside it
is the same 404 as a missing one.
"""

from __future__ import annotations

from django.http import Http404

from accounts.roles import FIGURES_ROLES, Role
from agencies.models import Agency
from dossiers.permissions import actor_role, agency_subtree_ids


def figures_scope(user) -> list[int]:
    """The agency ids whose figures this user reads; empty for anyone who reads no figures."""
    role = actor_role(user)
    if role not in (*FIGURES_ROLES, Role.ADMIN):
        return []
    agency = user.staff_profile.agency
    if role in (Role.SUPERVISOR, Role.ADMIN):
        # The provincial centre monitors the whole province: the root of the agency's tree.
        parents = dict(Agency.objects.values_list("pk", "parent_id"))
        root = agency.pk
        while parents.get(root) is not None:
            root = parents[root]
        agency = Agency(pk=root)
    return agency_subtree_ids(agency)


def scoped_agency_id(value: str | None, scope: list[int]) -> int | None:
    """The `agency` of a figures page's query: None when absent, else an id inside the reader's scope — anything
    else (not a number, another scope's agency) is the 404 of a missing agency."""
    if not value:
        return None
    try:
        agency_id = int(value)
    except ValueError:
        raise Http404 from None
    if agency_id not in scope:
        raise Http404
    return agency_id
