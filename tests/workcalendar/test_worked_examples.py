"""The worked examples of docs/domain.md §5.13, through the arithmetic and through `manage.py due_date` (§5.14)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from tests.workcalendar.helpers import CALENDAR, HOURS, local
from workcalendar.calendar import Duration, due_moment, remaining_after_pause, resume_due

# case → received, duration, cut-off, command-line unit options, due moment.
EXAMPLES = {
    "A": (
        local(2023, 10, 27, 9, 32),
        Duration.working_days(5),
        None,
        ["--days", "5"],
        local(2023, 11, 3, 9, 32),
    ),
    "B": (local(2026, 4, 29, 10), Duration.working_days(3), None, ["--days", "3"], local(2026, 5, 6, 10)),
    "C": (local(2026, 2, 13, 16), Duration.same_day(), dt.time(15), ["--days", "0"], local(2026, 2, 23, 17)),
    "D": (local(2026, 8, 21, 10), Duration.working_days(2), None, ["--days", "2"], local(2026, 8, 24, 10)),
    "E": (local(2026, 11, 23, 15), Duration.working_hours(4), None, ["--hours", "4"], local(2026, 11, 25, 9)),
    "H": (local(2026, 2, 12, 10), Duration.working_days(5), None, ["--days", "5"], local(2026, 2, 26, 10)),
}

# Example G: 10 working days from Mon 2/3/2026 10:00; supplement requested Thu 5/3, accepted Wed 11/3 14:00.
G_RECEIVED = local(2026, 3, 2, 10)
G_PAUSED = local(2026, 3, 5, 9, 15)
G_RESUMED = local(2026, 3, 11, 14)
G_DURATION = Duration.working_days(10)


@pytest.mark.parametrize("case", sorted(EXAMPLES))
def test_worked_example_through_the_arithmetic(case):
    received, duration, cutoff, _options, expected = EXAMPLES[case]
    assert due_moment(received, duration, calendar=CALENDAR, hours=HOURS, cutoff=cutoff) == expected


def test_example_c_as_zero_working_days_is_the_same_day_rule():
    received, _duration, cutoff, _options, expected = EXAMPLES["C"]
    assert due_moment(received, Duration.working_days(0), calendar=CALENDAR, hours=HOURS, cutoff=cutoff) == expected


def test_example_g_continue_and_restart():
    due = due_moment(G_RECEIVED, G_DURATION, calendar=CALENDAR, hours=HOURS)
    assert due == local(2026, 3, 16, 10)

    remaining = remaining_after_pause(
        due=due, pause_start=G_PAUSED, duration=G_DURATION, calendar=CALENDAR, hours=HOURS
    )
    assert remaining == Duration.working_days(7)  # 6/3, 9–13/3, 16/3
    assert resume_due(G_RESUMED, remaining, calendar=CALENDAR, hours=HOURS) == local(2026, 3, 20, 14)

    restarted = due_moment(G_RESUMED, G_DURATION, calendar=CALENDAR, hours=HOURS)
    assert restarted == local(2026, 3, 25, 14)


def _run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("due_date", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(EXAMPLES))
def test_worked_example_through_the_command(case):
    received, _duration, cutoff, options, expected = EXAMPLES[case]
    args = ["--received", f"{received:%Y-%m-%d %H:%M}", *options]
    if cutoff is not None:
        args += ["--cutoff", f"{cutoff:%H:%M}"]
    assert _run(*args)[-1] == expected.isoformat(timespec="minutes")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param("7", "2026-03-20T14:00+07:00", id="G-continue-7-days-left"),
        pytest.param("10", "2026-03-25T14:00+07:00", id="G-restart"),
    ],
)
def test_example_g_through_the_command_from_the_resume_moment(days, expected):
    assert _run("--received", "2026-03-11 14:00", "--days", days)[-1] == expected


@pytest.mark.django_db
def test_example_b_prints_exactly_the_documented_last_line():
    lines = _run("--received", "2026-04-29 10:00", "--days", "3")
    assert lines[-1] == "2026-05-06T10:00+07:00"
    assert len(lines) > 1  # explanatory lines come first
    assert any("2026-04-29T10:00+07:00" in line for line in lines[:-1])  # the effective receipt moment
