"""Who may see and do what on a dossier — used by views, the API and template buttons alike.

A citizen sees their own dossiers; staff those of their agency and those routed to it; leaders those of their
agency's subtree (docs/domain.md §2, §11). Someone else's dossier is the same 404 as a missing one.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.roles import FIGURES_ROLES, Role
from agencies.models import Agency
from dossiers import workflow
from dossiers.models import Dossier, DossierStep


def actor_role(user) -> str | None:
    """The workflow role of a user: their staff role, else "citizen" for any signed-in person."""
    if user is None or not user.is_authenticated:
        return None
    profile = getattr(user, "staff_profile", None)
    if profile is not None:
        return profile.role
    return workflow.CITIZEN


def agency_subtree_ids(agency: Agency) -> list[int]:
    """The agency and everything under it (a few thousand rows at most: one query, walked here)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, stack = [], [agency.pk]
    while stack:
        pk = stack.pop()
        found.append(pk)
        stack.extend(children.get(pk, ()))
    return found


def dossiers_visible_to(user) -> QuerySet[Dossier]:
    """Every dossier the user may open; fetch through this, never by raw id."""
    role = actor_role(user)
    if role is None:
        return Dossier.objects.none()
    if role == workflow.CITIZEN:
        # The owner is the citizen account the dossier belongs to (set from the applicant's account at the
        # counter too): one indexed column, no join — the list stays fast at millions of rows.
        return Dossier.objects.filter(owner=user)
    agency = user.staff_profile.agency
    if role == Role.ADMIN:
        return Dossier.objects.all()
    if role in FIGURES_ROLES:
        # Leaders and supervisors read figures (the dashboard's drill-down selects through stats.selectors within
        # their scope); no dossier page, file or form is theirs (§2, §11).
        return Dossier.objects.none()
    # EXISTS (a step of this dossier at the agency), not pk IN (every step at the agency): checked on each candidate
    # through the steps' dossier index, where IN builds the agency's whole step list (hundreds of thousands of rows)
    # before the first row — a search by code took half a second at a million dossiers.
    routed = Exists(DossierStep.objects.filter(dossier_id=OuterRef("pk"), agency=agency))
    return Dossier.objects.filter(Q(receiving_agency=agency) | Q(processing_agency=agency) | routed).exclude(
        status=workflow.Status.DRAFT
    )


def dossier_actions_available(user, dossier: Dossier, *, now: dt.datetime | None = None) -> list[workflow.Transition]:
    """The actions this user may take on this dossier now, in table order, each with its input declaration.

    The one source for buttons, the desk's forms and the API: role, source status, scope and the transition's
    guards — the same checks `services.dossier_transition` makes, so a screen never offers what would be refused.
    """
    from dossiers.guards import first_refusal

    role = actor_role(user)
    candidates = [
        t for t in workflow.TRANSITIONS.values() if role is not None and role in t.roles and dossier.status in t.sources
    ]
    # One scope check (a query for staff), and only when some action is possible at all.
    if not candidates or not in_scope(user, role, dossier):
        return []
    now = now or timezone.now()
    return [t for t in candidates if first_refusal(t.guards, dossier, now) is None]


def dossier_abilities(user, dossier: Dossier, *, now: dt.datetime | None = None) -> dict[str, bool]:
    """Action key → whether this user may do it on this dossier now (derived from the available actions)."""
    available = {t.key for t in dossier_actions_available(user, dossier, now=now)}
    return {key: key in available for key in workflow.TRANSITIONS}


def in_scope(user, role: str, dossier: Dossier) -> bool:
    """Whether the dossier lies in the user's scope (the same rule as `dossiers_visible_to`, for one row)."""
    if role == workflow.CITIZEN:
        return dossier.owner_id == user.pk
    if role == Role.ADMIN:
        return True
    return dossiers_visible_to(user).filter(pk=dossier.pk).exists()
