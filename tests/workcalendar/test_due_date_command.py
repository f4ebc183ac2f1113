"""`manage.py due_date` (docs/domain.md §5.14): the due moment on the last line; bad input one line, non-zero."""

import datetime as dt
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from workcalendar.services import calendar_override_set

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("due_date", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(["--days", "0"], "2026-03-09T17:00+07:00", id="zero-days-same-day"),
        pytest.param(["--days", "0", "--cutoff", "09:00"], "2026-03-10T17:00+07:00", id="zero-days-after-cutoff"),
        pytest.param(["--days", "1", "--cutoff", "17:30"], "2026-03-10T10:00+07:00", id="late-cutoff-no-effect"),
        pytest.param(["--hours", "2.5"], "2026-03-09T14:30+07:00", id="decimal-hours"),
        pytest.param(["--hours", "1.5"], "2026-03-09T11:30+07:00", id="hours-land-on-lunch"),
        pytest.param(["--calendar-days", "5"], "2026-03-16T10:00+07:00", id="calendar-days-roll"),
        pytest.param(["--calendar-days", "0"], "2026-03-09T17:00+07:00", id="zero-calendar-days"),
    ],
)
def test_units_and_cutoff(args, expected):
    lines = run("--received", "2026-03-09 10:00", *args)
    assert lines[-1] == expected


def test_explains_the_effective_receipt_and_the_unit():
    lines = run("--received", "2026-03-09 12:10", "--days", "1")
    assert lines[-1] == "2026-03-10T13:30+07:00"
    text = "\n".join(lines[:-1])
    assert "2026-03-09T13:30+07:00" in text  # lunch-break receipt counts from 13:30
    assert "working_days" in text


def test_uses_the_current_calendar_with_overrides():
    assert run("--received", "2026-04-29 10:00", "--days", "3")[-1] == "2026-05-06T10:00+07:00"
    calendar_override_set(date=dt.date(2026, 5, 4), kind="day_off", legal_basis="Công văn của UBND tỉnh")
    lines = run("--received", "2026-04-29 10:00", "--days", "3")
    assert lines[-1] == "2026-05-07T10:00+07:00"
    assert any(line.endswith(": 1") for line in lines)  # calendar version 1


BAD_INPUTS = {
    "date-only": ["--received", "2026-04-29", "--days", "1"],
    "day-first": ["--received", "29/04/2026 10:00", "--days", "1"],
    "no-such-day": ["--received", "2026-02-30 10:00", "--days", "1"],
    "no-such-hour": ["--received", "2026-04-29 25:00", "--days", "1"],
    "empty-received": ["--received", "", "--days", "1"],
    "no-received": ["--days", "1"],
    "no-unit": ["--received", "2026-04-29 10:00"],
    "days-and-hours": ["--received", "2026-04-29 10:00", "--days", "1", "--hours", "2"],
    "days-and-calendar-days": ["--received", "2026-04-29 10:00", "--days", "1", "--calendar-days", "2"],
    "negative-days": ["--received", "2026-04-29 10:00", "--days", "-1"],
    "fractional-days": ["--received", "2026-04-29 10:00", "--days", "1.5"],
    "word-days": ["--received", "2026-04-29 10:00", "--days", "three"],
    "negative-calendar-days": ["--received", "2026-04-29 10:00", "--calendar-days", "-2"],
    "zero-hours": ["--received", "2026-04-29 10:00", "--hours", "0"],
    "negative-hours": ["--received", "2026-04-29 10:00", "--hours", "-1.5"],
    "nan-hours": ["--received", "2026-04-29 10:00", "--hours", "nan"],
    "infinite-hours": ["--received", "2026-04-29 10:00", "--hours", "Infinity"],
    "cutoff-word": ["--received", "2026-04-29 10:00", "--days", "1", "--cutoff", "15h"],
    "cutoff-hour-25": ["--received", "2026-04-29 10:00", "--days", "1", "--cutoff", "25:00"],
    "cutoff-minute-60": ["--received", "2026-04-29 10:00", "--days", "1", "--cutoff", "15:60"],
    "cutoff-one-digit": ["--received", "2026-04-29 10:00", "--days", "1", "--cutoff", "3:00"],
    "unknown-option": ["--received", "2026-04-29 10:00", "--days", "1", "--weeks", "1"],
}


@pytest.mark.parametrize("args", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input_is_a_one_line_command_error(args):
    with pytest.raises(CommandError) as caught:
        run(*args)
    message = str(caught.value)
    assert message.strip()
    assert "\n" not in message
    assert " / " in message  # Vietnamese, then English


@pytest.mark.parametrize(
    "args",
    [
        BAD_INPUTS["no-unit"],
        BAD_INPUTS["days-and-hours"],
        BAD_INPUTS["day-first"],
        BAD_INPUTS["negative-days"],
    ],
    ids=["argparse-missing", "argparse-exclusive", "bad-received", "negative"],
)
def test_bad_input_on_the_command_line_exits_non_zero_with_one_line(args):
    result = subprocess.run(  # noqa: S603 — our own manage.py with fixed arguments
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "due_date", *args],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={**os.environ, "PORTAL_TESTING": "1"},
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
