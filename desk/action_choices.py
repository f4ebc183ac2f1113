"""Where and to whom a dossier may be handed on the generic action forms (T6 forward, T7 step, assign).

Only the choices shown are narrowed: the officers and heads of the agency the step goes to, the active agencies with
the dossier's own first. The form still accepts any staff account and any active agency, so a forged value reaches
the engine, which refuses a handler outside the step's agency on the field (`dossiers.services._handler_of`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from accounts.roles import Role
from agencies.models import Agency, AgencyLevel
from dossiers import workflow
from dossiers.forms import staff_label
from dossiers.permissions import actor_role

# The people who hold a processing step; the desk's own steps are opened by the engine, not handed over here.
HANDLER_ROLES = (Role.HEAD, Role.OFFICER)
# The submit button that re-renders the form with the chosen agency's staff, without doing the action.
REFRESH = "refresh_handlers"


def narrow_choices(form, *, dossier, user, asked: str | None) -> bool:
    """Fill the form's agency and handler choices; True when the handler list follows the agency chosen on it.

    `asked` is the agency posted or asked for (?agency=); when it is not an active agency, the default is the
    current step's agency for a step change, else the dossier's processing agency.
    """
    if "handler" not in form.fields:
        if "agency" in form.fields:
            _set_agencies(form, dossier, _active_agencies())
        return False
    if "agency" not in form.fields:
        # Assignment: the step stays where it is, only its holder changes.
        step = dossier.current_step
        _set_handlers(form, user, step.agency_id if step is not None else None)
        return False
    agencies = _active_agencies()
    default = _default_agency(form, dossier)
    chosen = _chosen(asked, {a.pk for a in agencies}, default)
    _set_agencies(form, dossier, agencies)
    form.initial["agency"] = chosen
    _set_handlers(form, user, chosen)
    form.fields["agency"].widget.attrs["data-handlers-follow"] = ""
    return True


def _active_agencies() -> list[Agency]:
    return list(Agency.objects.active().only("pk", "name", "level").order_by("name", "pk"))


def _default_agency(form, dossier) -> int | None:
    step = dossier.current_step
    if form.transition.key == "step" and step is not None and step.finished_at is None:
        return step.agency_id
    return dossier.processing_agency_id or dossier.receiving_agency_id


def _chosen(asked: str | None, active: set[int], default: int | None) -> int | None:
    try:
        pk = int(asked or "")
    except ValueError:
        return default
    return pk if pk in active else default


def _set_agencies(form, dossier, agencies: list[Agency]) -> None:
    """The dossier's processing (and receiving) agency first, then the others grouped by level, by name."""
    own_ids = [pk for pk in (dossier.processing_agency_id, dossier.receiving_agency_id) if pk]
    own = sorted((a for a in agencies if a.pk in own_ids), key=lambda a: own_ids.index(a.pk))
    groups = [(_("Cơ quan của hồ sơ"), [(a.pk, a.name) for a in own])] if own else []
    for level, label in AgencyLevel.choices:
        rows = [(a.pk, a.name) for a in agencies if a.level == level and a.pk not in own_ids]
        if rows:
            groups.append((label, rows))
    form.fields["agency"].choices = [("", _("— Chọn —")), *groups]


def _set_handlers(form, user, agency_id: int | None) -> None:
    staff = get_user_model().objects.none()
    if agency_id is not None:
        staff = (
            get_user_model()
            .objects.filter(is_active=True, staff_profile__agency_id=agency_id, staff_profile__role__in=HANDLER_ROLES)
            .select_related("staff_profile")
            .only("full_name", "first_name", "last_name", "staff_profile__role")
            .order_by("staff_profile__role", "full_name", "pk")
        )
    if form.transition.key == "assign" and actor_role(user) == workflow.OFFICER:
        staff = staff.filter(pk=user.pk)  # an officer takes a step for themself only
    form.fields["handler"].choices = [("", _("— Chọn —")), *((u.pk, staff_label(u)) for u in staff)]
