import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest

from accounts.models import CitizenProfile, User
from accounts.roles import GROUP_NAMES, ROLE_PERMISSIONS, Role
from accounts.services import staff_assign


@pytest.mark.django_db
def test_every_role_is_a_group_with_its_baseline_permissions():
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=GROUP_NAMES[role])
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert set(codenames) <= granted, role


@pytest.mark.django_db
def test_assigning_a_new_role_replaces_the_old_group(make_staff, demo_agencies):
    user = make_staff("lan", role=Role.DESK)
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.DESK]]

    staff_assign(user=user, agency=demo_agencies["000.00.10.H56"], role=Role.OFFICER)

    user.refresh_from_db()
    assert list(user.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.OFFICER]]
    assert user.staff_profile.agency.e_identifier == "000.00.10.H56"
    assert user.has_perm("procedures.view_procedure")
    assert not user.has_perm("procedures.change_procedure")


@pytest.mark.django_db
def test_seed_demo_creates_one_account_per_role_that_can_sign_in(client):
    call_command("seed_demo", force=True, verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)  # a second run updates, never duplicates

    roles = dict(User.objects.filter(staff_profile__isnull=False).values_list("username", "staff_profile__role"))
    assert roles == {
        "desk": "desk",
        "officer": "officer",
        "head": "head",
        "leader": "leader",
        "leader_xa": "leader",
        "supervisor": "supervisor",
        "admin": "admin",
    }
    assert CitizenProfile.objects.get(user__username="citizen").personal_id == "038190001234"
    for username in ["citizen", "desk", "officer", "head", "leader", "admin"]:
        # django-axes needs the request that signs in (docs/authentication.md).
        assert client.login(request=HttpRequest(), username=username, password="Demo@2026"), username
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_personal_id_must_have_twelve_digits(demo_agencies):
    user = User.objects.create_user(username="x", password="p")
    profile = CitizenProfile(user=user, full_name="X", personal_id="12345")
    with pytest.raises(ValidationError, match="12 chữ số"):
        profile.full_clean()


@pytest.mark.django_db
def test_changing_a_role_in_the_admin_moves_the_user_to_that_group(client, make_staff, demo_agencies):
    admin_user = make_staff("root", role=Role.ADMIN)
    admin_user.is_superuser = True
    admin_user.save()
    officer = make_staff("minh", role=Role.OFFICER, agency_id="000.00.10.H56")
    client.force_login(admin_user)

    response = client.post(
        f"/admin/accounts/staffprofile/{officer.staff_profile.pk}/change/",
        {
            "user": officer.pk,
            "agency": demo_agencies["000.00.10.H56"].pk,
            "role": "head",
            "title": "Trưởng phòng",
        },
    )

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.staff_profile.role == "head"
    assert list(officer.groups.values_list("name", flat=True)) == [GROUP_NAMES[Role.HEAD]]
