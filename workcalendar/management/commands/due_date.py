"""`manage.py due_date`: the due moment of a receipt, from the command line (docs/domain.md §5.14).

The last line of the output is the due moment in ISO 8601 with offset, to the minute, so scripts can take it
with `tail -n 1`; the lines above explain how it was reached.
"""

import datetime as dt
import re
import sys
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

from workcalendar.calendar import LOCAL_TZ, Duration, OfficeHours, due_moment, effective_receipt
from workcalendar.selectors import current_calendar

_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_RECEIVED = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$")


class Command(BaseCommand):
    help = str(
        _(
            "Tính thời điểm hẹn trả kết quả theo lịch làm việc hiện hành. "
            "Computes the due moment of a receipt with the current working calendar."
        )
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)

        def one_line_error(message):
            # argparse prints the usage block before its message; the contract is a single line on stderr.
            text = _("Tham số không hợp lệ / Invalid arguments: {message}").format(message=" ".join(message.split()))
            if parser.called_from_command_line:
                sys.stderr.write(f"CommandError: {text}\n")
                sys.exit(2)
            raise CommandError(text)

        parser.error = one_line_error
        return parser

    def add_arguments(self, parser):
        parser.add_argument(
            "--received", required=True, help=str(_("Thời điểm tiếp nhận, giờ Việt Nam: YYYY-MM-DD HH:MM"))
        )
        unit = parser.add_mutually_exclusive_group(required=True)
        unit.add_argument("--days", help=str(_("Số ngày làm việc (≥ 0; 0 = trả trong ngày)")))
        unit.add_argument("--hours", help=str(_("Số giờ làm việc (> 0, cho phép số thập phân)")))
        unit.add_argument("--calendar-days", dest="calendar_days", help=str(_("Số ngày theo lịch (≥ 0)")))
        parser.add_argument("--cutoff", help=str(_("Giờ chốt tiếp nhận HH:MM, ví dụ 15:00")))

    def handle(self, *args, **options):
        received = _parse_received(options["received"])
        duration = _parse_duration(options.get("days"), options.get("hours"), options.get("calendar_days"))
        cutoff = _parse_cutoff(options.get("cutoff"))
        hours = _default_office_hours()
        try:
            calendar, version = current_calendar()
        except DatabaseError as exc:
            raise CommandError(
                _(
                    "Không đọc được lịch làm việc, hãy chạy migrate / Cannot read the calendar, run migrate: {error}"
                ).format(error=" ".join(str(exc).split()))
            ) from exc

        effective = effective_receipt(received, calendar=calendar, hours=hours, cutoff=cutoff)
        due = due_moment(received, duration, calendar=calendar, hours=hours, cutoff=cutoff)
        lines = [
            _("Tiếp nhận / Received: {moment}").format(moment=_iso(received)),
            _("Giờ chốt / Cut-off: {cutoff}").format(cutoff=cutoff.strftime("%H:%M") if cutoff else "—"),
            _("Thời điểm tiếp nhận hiệu lực / Effective receipt: {moment}").format(moment=_iso(effective)),
            _("Thời hạn / Duration: {duration} ({unit})").format(duration=duration, unit=duration.unit),
            _("Phiên bản lịch / Calendar version: {version}").format(version=version),
            _("Hẹn trả / Due:"),
            _iso(due),
        ]
        self.stdout.write("\n".join(str(line) for line in lines))


def _default_office_hours() -> OfficeHours:
    """Default office hours from settings (§5.3), else the built-in 07:00–11:30, 13:30–17:00."""
    configured = getattr(settings, "DEFAULT_OFFICE_HOURS", None)
    return OfficeHours.parse(configured) if configured else OfficeHours()


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(LOCAL_TZ).isoformat(timespec="minutes")


def _parse_received(value) -> dt.datetime:
    text = " ".join(str(value or "").split())
    match = _RECEIVED.match(text)
    try:
        if match is None:
            raise ValueError(text)
        return dt.datetime(*(int(group) for group in match.groups()), tzinfo=LOCAL_TZ)
    except ValueError:
        raise CommandError(
            _("Thời điểm tiếp nhận không hợp lệ / Invalid --received: expected YYYY-MM-DD HH:MM, got “{value}”").format(
                value=text
            )
        ) from None


def _parse_duration(days, hours, calendar_days) -> Duration:
    options = (("days", days), ("hours", hours), ("calendar-days", calendar_days))
    given = [(name, value) for name, value in options if value is not None]
    if len(given) != 1:
        raise CommandError(
            _(
                "Cần đúng một trong --days, --hours, --calendar-days / "
                "Exactly one of --days, --hours, --calendar-days is required"
            )
        )
    name, value = given[0]
    if name == "hours":
        number = _decimal(value, name)
        if number <= 0:
            raise CommandError(
                _("Số giờ làm việc phải lớn hơn 0 / --hours must be greater than 0, got {value}").format(value=value)
            )
        return Duration.working_hours(number)
    number = _decimal(value, name)
    if number < 0 or number != number.to_integral_value():
        raise CommandError(
            _("Số ngày phải là số nguyên không âm / --{name} must be a whole number ≥ 0, got {value}").format(
                name=name, value=value
            )
        )
    count = int(number)
    if name == "days":
        # 0 working days is the same-day procedure of §5.5(d): due at closing of E's day.
        return Duration.working_days(count) if count else Duration.same_day()
    return Duration.calendar_days(count)


def _decimal(value, name: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise CommandError(
            _("Giá trị không phải là số / --{name} must be a number, got “{value}”").format(name=name, value=value)
        )
    return number


def _parse_cutoff(value) -> dt.time | None:
    if value is None:
        return None
    match = _HH_MM.match(str(value).strip())
    if match is None:
        raise CommandError(
            _("Giờ chốt không hợp lệ / Invalid --cutoff: expected HH:MM, got “{value}”").format(value=value)
        )
    return dt.time(int(match[1]), int(match[2]))
