"""Writes on users: the only place that attaches a role, so group membership never drifts from it."""

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import StaffProfile, User
from accounts.roles import GROUP_NAMES, Role


@transaction.atomic
def staff_assign(*, user: User, agency, role: Role | str, desk=None, title: str = "") -> StaffProfile:
    """Attach a user to an agency with a role; the role's group replaces any other role group."""
    role = Role(role)
    profile, _created = StaffProfile.objects.update_or_create(
        user=user, defaults={"agency": agency, "role": role, "desk": desk, "title": title}
    )
    role_groups = Group.objects.filter(name__in=GROUP_NAMES.values())
    user.groups.remove(*role_groups)
    group, _created = Group.objects.get_or_create(name=GROUP_NAMES[role])
    user.groups.add(group)
    if not user.is_staff:
        user.is_staff = role == Role.ADMIN
        user.save(update_fields=["is_staff"])
    return profile
