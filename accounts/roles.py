"""Staff roles as Django groups (docs/domain.md §2). The admin manages membership; this file the baseline
permissions each group gets, re-applied after every migrate (extra permissions added in the admin stay)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DESK = "desk", _("Cán bộ Bộ phận Một cửa")
    OFFICER = "officer", _("Chuyên viên thụ lý")
    HEAD = "head", _("Lãnh đạo đơn vị (phê duyệt)")
    LEADER = "leader", _("Lãnh đạo UBND tỉnh")
    SUPERVISOR = "supervisor", _("Trung tâm Phục vụ hành chính công (theo dõi, giám sát)")
    ADMIN = "admin", _("Quản trị hệ thống")


# Who reads figures and never opens a dossier, its files or forms (docs/domain.md §2, §11): the dashboard's roles.
FIGURES_ROLES = (Role.LEADER, Role.SUPERVISOR)

# Group name shown in the admin, per role.
GROUP_NAMES = {
    Role.DESK: "Cán bộ Một cửa",
    Role.OFFICER: "Chuyên viên thụ lý",
    Role.HEAD: "Lãnh đạo đơn vị",
    Role.LEADER: "Lãnh đạo tỉnh",
    Role.SUPERVISOR: "Giám sát Trung tâm PVHCC",
    Role.ADMIN: "Quản trị hệ thống",
}

_VIEW_CATALOGUE = ["procedures.view_procedure", "procedures.view_procedureversion", "agencies.view_agency"]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.DESK: [*_VIEW_CATALOGUE, "agencies.view_onestopdesk"],
    Role.OFFICER: [*_VIEW_CATALOGUE],
    Role.HEAD: [*_VIEW_CATALOGUE, "accounts.view_staffprofile"],
    Role.LEADER: [*_VIEW_CATALOGUE],
    Role.SUPERVISOR: [*_VIEW_CATALOGUE],
    Role.ADMIN: [
        "agencies.add_agency",
        "agencies.change_agency",
        "agencies.view_agency",
        "agencies.add_onestopdesk",
        "agencies.change_onestopdesk",
        "agencies.view_onestopdesk",
        "procedures.add_procedure",
        "procedures.change_procedure",
        "procedures.view_procedure",
        "procedures.add_procedureversion",
        "procedures.change_procedureversion",
        "procedures.view_procedureversion",
        "procedures.add_field",
        "procedures.change_field",
        "procedures.view_field",
        "workcalendar.add_calendaroverride",
        "workcalendar.change_calendaroverride",
        "workcalendar.view_calendaroverride",
        "workcalendar.delete_calendaroverride",
        "workcalendar.view_calendarchange",
        "accounts.add_staffprofile",
        "accounts.change_staffprofile",
        "accounts.view_staffprofile",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.add_user",
    ],
}


def sync_role_groups(sender=None, **kwargs) -> None:
    """Create one group per role and grant its baseline permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.using(using).get_or_create(name=GROUP_NAMES[role])
        wanted = [c.split(".", 1) for c in codenames]
        perms = Permission.objects.using(using).filter(
            content_type__app_label__in={a for a, _c in wanted}, codename__in={c for _a, c in wanted}
        )
        group.permissions.add(*perms)
