"""The versioned override table (docs/domain.md §5.2): services, versions, selectors and the admin."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.workcalendar.helpers import HOURS, local
from workcalendar.calendar import Duration, due_moment
from workcalendar.models import CalendarChange, CalendarOverride, CalendarVersion, ChangeAction, OverrideKind
from workcalendar.selectors import calendar_at, current_calendar
from workcalendar.services import CalendarChangeError, calendar_override_remove, calendar_override_set

pytestmark = pytest.mark.django_db

MAY_4 = dt.date(2026, 5, 4)
BASIS = "Công văn số 01/UBND-VX ngày 01/4/2026 của UBND tỉnh"


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(username="quantri", password="Demo@2026")


def example_b_due(calendar):
    return due_moment(local(2026, 4, 29, 10), Duration.working_days(3), calendar=calendar, hours=HOURS)


def test_a_new_override_opens_version_one(admin_user):
    override = calendar_override_set(
        date=MAY_4, kind=OverrideKind.DAY_OFF, legal_basis=BASIS, note="Nghỉ bù", actor=admin_user
    )
    assert (override.version_from, override.version_to, override.created_by) == (1, None, admin_user)
    assert CalendarVersion.objects.get().number == 1
    change = CalendarChange.objects.get()
    assert (change.version, change.date, change.action, change.actor) == (
        1,
        MAY_4,
        ChangeAction.SET,
        admin_user,
    )


def test_changing_a_date_closes_the_old_row_and_opens_a_new_one(admin_user):
    first = calendar_override_set(date=MAY_4, kind="day_off", legal_basis=BASIS, actor=admin_user)
    second = calendar_override_set(date=MAY_4, kind="working_day", legal_basis=BASIS + " (sửa)", actor=None)
    first.refresh_from_db()
    assert (first.version_from, first.version_to, first.kind) == (1, 2, "day_off")
    assert (second.version_from, second.version_to, second.kind) == (2, None, "working_day")
    assert list(CalendarOverride.objects.current()) == [second]
    assert set(CalendarOverride.objects.at_version(1)) == {first}


def test_an_identical_override_publishes_no_new_version(admin_user):
    first = calendar_override_set(date=MAY_4, kind="day_off", legal_basis=BASIS, actor=admin_user)
    again = calendar_override_set(date=MAY_4, kind="day_off", legal_basis=f"  {BASIS} ", actor=admin_user)
    assert again == first
    assert CalendarVersion.objects.get().number == 1


def test_removing_closes_the_row_and_logs_who_and_why(admin_user):
    calendar_override_set(date=MAY_4, kind="day_off", legal_basis=BASIS, actor=admin_user)
    version = calendar_override_remove(date=MAY_4, actor=admin_user, reason="Quyết định bị bãi bỏ")
    assert version == 2
    row = CalendarOverride.objects.get()
    assert row.version_to == 2
    assert not CalendarOverride.objects.current().exists()
    change = CalendarChange.objects.get(version=2)
    assert (change.action, change.reason, change.actor) == (
        ChangeAction.REMOVE,
        "Quyết định bị bãi bỏ",
        admin_user,
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: calendar_override_remove(date=MAY_4, actor=None, reason="Không có"),
        lambda: calendar_override_remove(date=MAY_4, actor=None, reason="  "),
        lambda: calendar_override_set(date=MAY_4, kind="holiday", legal_basis=BASIS),
        lambda: calendar_override_set(date=MAY_4, kind="day_off", legal_basis=" "),
        lambda: calendar_override_set(date=local(2026, 5, 4), kind="day_off", legal_basis=BASIS),
    ],
    ids=["nothing-to-remove", "no-reason", "bad-kind", "no-legal-basis", "datetime-not-date"],
)
def test_refused_changes_leave_the_calendar_untouched(call):
    with pytest.raises(CalendarChangeError):
        call()
    assert not CalendarOverride.objects.exists()
    assert not CalendarChange.objects.exists()
    assert CalendarVersion.objects.filter(number__gt=0).count() == 0


def test_services_never_edit_rows_in_place(admin_user):
    calendar_override_set(date=MAY_4, kind="day_off", legal_basis=BASIS, actor=admin_user)
    calendar_override_set(date=dt.date(2026, 5, 9), kind="working_day", legal_basis=BASIS, actor=admin_user)
    before = {row["id"]: row for row in CalendarOverride.objects.values()}

    with CaptureQueriesContext(connection) as queries:
        calendar_override_set(date=MAY_4, kind="working_day", legal_basis=BASIS, actor=admin_user)
        calendar_override_remove(date=dt.date(2026, 5, 9), actor=admin_user, reason="Bỏ")

    after = {row["id"]: row for row in CalendarOverride.objects.values()}
    for pk, old in before.items():
        assert old["version_to"] is None
        assert after[pk] == {**old, "version_to": after[pk]["version_to"]}
        assert after[pk]["version_to"] == (3 if old["date"] == MAY_4 else 4)
    updates = [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "workcalendar_calendaroverride"')
    ]
    assert len(updates) == 2
    assert all('SET "version_to" =' in sql and sql.count("=") == 2 for sql in updates)  # SET … WHERE pk only


def test_versions_and_old_answers(admin_user):
    calendar, version = current_calendar()
    assert (version, calendar.version) == (0, 0)
    assert example_b_due(calendar) == local(2026, 5, 6, 10)

    calendar_override_set(date=MAY_4, kind="day_off", legal_basis=BASIS, actor=admin_user)
    calendar, version = current_calendar()
    assert version == 1
    assert example_b_due(calendar) == local(2026, 5, 7, 10)  # the extra day off moves it a day

    calendar_override_set(date=dt.date(2026, 5, 2), kind="working_day", legal_basis=BASIS, actor=admin_user)
    calendar, version = current_calendar()
    assert version == 2
    assert example_b_due(calendar) == local(2026, 5, 6, 10)  # Sat 2/5 worked makes up for it

    calendar_override_remove(date=MAY_4, actor=admin_user, reason="Bỏ")
    assert current_calendar()[1] == 3
    assert example_b_due(current_calendar()[0]) == local(2026, 5, 5, 10)

    # a stored due moment can always be recomputed with the calendar it used
    assert example_b_due(calendar_at(0)) == local(2026, 5, 6, 10)
    assert example_b_due(calendar_at(1)) == local(2026, 5, 7, 10)
    assert example_b_due(calendar_at(2)) == local(2026, 5, 6, 10)
    assert calendar_at(1).version == 1
    with pytest.raises(ValueError, match="Unknown calendar version"):
        calendar_at(4)


def test_a_version_is_read_from_the_cache_after_the_first_time(admin_user, django_assert_num_queries):
    calendar_override_set(date=MAY_4, kind="day_off", legal_basis=BASIS, actor=admin_user)
    calendar_at(1)
    with django_assert_num_queries(1):  # the counter row only
        calendar = calendar_at(1)
    assert calendar.overrides == {MAY_4: "day_off"}


def test_the_cache_is_not_shared_with_a_reset_database(admin_user):
    calendar_override_set(date=MAY_4, kind="day_off", legal_basis=BASIS, actor=admin_user)
    assert current_calendar()[0].overrides == {MAY_4: "day_off"}
    # a fresh database numbers its versions from 1 again, with other overrides
    for model in (CalendarOverride, CalendarChange, CalendarVersion):
        model.objects.all().delete()
    calendar_override_set(date=MAY_4, kind="working_day", legal_basis=BASIS, actor=admin_user)
    assert current_calendar()[0].overrides == {MAY_4: "working_day"}


# --- Admin --------------------------------------------------------------------------------------------------


def test_admin_add_goes_through_the_service(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:workcalendar_calendaroverride_add")
    data = {"date": "04/05/2026", "kind": "day_off", "legal_basis": BASIS, "note": ""}
    assert client.post(url, data).status_code == 302
    # adding a date that already has an override alters it rather than failing on the unique constraint
    assert client.post(url, {**data, "kind": "working_day"}).status_code == 302
    rows = CalendarOverride.objects.order_by("version_from")
    assert [(r.kind, r.version_from, r.version_to, r.created_by) for r in rows] == [
        ("day_off", 1, 2, admin_user),
        ("working_day", 2, None, admin_user),
    ]


def test_admin_change_and_delete_go_through_the_services(client, admin_user):
    client.force_login(admin_user)
    row = calendar_override_set(date=MAY_4, kind="day_off", legal_basis=BASIS, actor=admin_user)
    change_url = reverse("admin:workcalendar_calendaroverride_change", args=[row.pk])
    response = client.post(change_url, {"kind": "working_day", "legal_basis": BASIS, "note": "Làm bù"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.kind, row.version_to) == ("day_off", 2)
    new = CalendarOverride.objects.current().get()
    assert (new.date, new.kind, new.note) == (MAY_4, "working_day", "Làm bù")

    delete_url = reverse("admin:workcalendar_calendaroverride_delete", args=[new.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 302
    new.refresh_from_db()
    assert new.version_to == 3  # closed, not deleted
    assert CalendarOverride.objects.count() == 2
    assert CalendarChange.objects.get(version=3).action == ChangeAction.REMOVE


def test_admin_bulk_delete_closes_current_rows(client, admin_user):
    client.force_login(admin_user)
    a = calendar_override_set(date=MAY_4, kind="day_off", legal_basis=BASIS, actor=admin_user)
    b = calendar_override_set(date=dt.date(2026, 5, 9), kind="working_day", legal_basis=BASIS, actor=admin_user)
    url = reverse("admin:workcalendar_calendaroverride_changelist")
    response = client.post(url, {"action": "delete_selected", "_selected_action": [a.pk, b.pk], "post": "yes"})
    assert response.status_code == 302
    assert not CalendarOverride.objects.current().exists()
    assert CalendarOverride.objects.count() == 2


def test_admin_lists_rows_in_force_by_default_and_history_on_request(client, admin_user):
    client.force_login(admin_user)
    calendar_override_set(date=MAY_4, kind="day_off", legal_basis="Căn cứ cũ", actor=admin_user)
    calendar_override_set(date=MAY_4, kind="working_day", legal_basis="Căn cứ mới", actor=admin_user)
    url = reverse("admin:workcalendar_calendaroverride_changelist")
    current = client.get(url).content.decode()
    assert "Căn cứ mới" in current
    assert "Căn cứ cũ" not in current
    history = client.get(url, {"in_force": "all"}).content.decode()
    assert "Căn cứ mới" in history
    assert "Căn cứ cũ" in history
    closed = client.get(url, {"in_force": "closed"}).content.decode()
    assert "Căn cứ cũ" in closed
    assert "Căn cứ mới" not in closed


def test_admin_history_rows_are_read_only(client, admin_user):
    client.force_login(admin_user)
    old = calendar_override_set(date=MAY_4, kind="day_off", legal_basis=BASIS, actor=admin_user)
    calendar_override_set(date=MAY_4, kind="working_day", legal_basis=BASIS, actor=admin_user)
    change_url = reverse("admin:workcalendar_calendaroverride_change", args=[old.pk])
    assert client.get(change_url).status_code == 200  # viewable
    assert client.post(change_url, {"kind": "day_off", "legal_basis": "x"}).status_code == 403
    delete_url = reverse("admin:workcalendar_calendaroverride_delete", args=[old.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    old.refresh_from_db()
    assert (old.kind, old.legal_basis, old.version_to) == ("day_off", BASIS, 2)
    assert CalendarVersion.objects.get().number == 2


def test_admin_change_log_is_read_only(client, admin_user):
    client.force_login(admin_user)
    calendar_override_set(date=MAY_4, kind="day_off", legal_basis=BASIS, actor=admin_user)
    assert client.get(reverse("admin:workcalendar_calendarchange_changelist")).status_code == 200
    assert client.get(reverse("admin:workcalendar_calendarchange_add")).status_code == 403
