"""Who may see and do what on a dossier — used by views, the API and template buttons alike.

A citizen sees their own dossiers; staff those of their agency and those routed to it; leaders those of their
agency's subtree (shared/domain.md §2, §11). Someone else's dossier is the same 404 as a missing one.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.roles import Role
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
    if role == Role.LEADER:
        ids = agency_subtree_ids(agency)
        return Dossier.objects.filter(Q(receiving_agency_id__in=ids) | Q(processing_agency_id__in=ids))
    # pk IN (steps at the agency) rather than EXISTS: PostgreSQL can then OR three index scans.
    routed = DossierStep.objects.filter(agency=agency).values("dossier_id")
    return Dossier.objects.filter(Q(receiving_agency=agency) | Q(processing_agency=agency) | Q(pk__in=routed)).exclude(
        status=workflow.Status.DRAFT
    )


def dossier_abilities(user, dossier: Dossier) -> dict[str, bool]:
    """Action key → whether this user may do it on this dossier now (buttons, views and services agree)."""
    role = actor_role(user)
    candidates = {
        key: role is not None and role in transition.roles and dossier.status in transition.sources
        for key, transition in workflow.TRANSITIONS.items()
    }
    # One scope check (a query for staff), and only when some action is possible at all.
    allowed = any(candidates.values()) and in_scope(user, role, dossier)
    return {key: bool(possible and allowed) for key, possible in candidates.items()}


def in_scope(user, role: str, dossier: Dossier) -> bool:
    """Whether the dossier lies in the user's scope (the same rule as `dossiers_visible_to`, for one row)."""
    if role == workflow.CITIZEN:
        return dossier.owner_id == user.pk
    if role == Role.ADMIN:
        return True
    return dossiers_visible_to(user).filter(pk=dossier.pk).exists()
