"""The beat jobs of §5.12: each selection is set-based SQL, idempotent, and tells the staff once per threshold.

Shape of every job (docs/jobs.md):
1. an optional flag `UPDATE … WHERE NOT flag` (a second worker's UPDATE waits for the row lock, re-reads the
   condition and skips the row);
2. `INSERT INTO dossiers_jobmarker … SELECT … ON CONFLICT DO NOTHING` — one marker per dossier, kind and threshold;
   the unique constraint, not a check, makes a rerun or a concurrent run insert nothing; the rows carry this run's
   token;
3. `INSERT INTO outbox_outboxmessage … SELECT … FROM` the markers of this run joined to their recipients (the
   current step's handler, the unit head, for some kinds the desk) `ON CONFLICT (key) DO NOTHING RETURNING id` —
   one message per recipient per marker, keyed by the marker, kicked on commit.
All three run in one transaction. The only Python loop over dossiers is T11 (supplement expired), which must go
through the engine (`dossier_transition`), one transaction per dossier.

The SQL is plain and runs on PostgreSQL and SQLite (≥ 3.35: `ON CONFLICT`, `RETURNING`); only the JSON builder of the
payload differs.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import StaffProfile, User
from accounts.roles import Role
from dossiers.errors import DossierError
from dossiers.models import (
    Apology,
    ClockState,
    Dossier,
    DossierStep,
    JobMarker,
    SupplementRequest,
)
from dossiers.workflow import SUPPLIED, Status
from outbox.models import OutboxMessage
from outbox.services import outbox_kick, register_handler
from workcalendar.calendar import WORKING_HOURS, Duration, OfficeHours, due_moment

logger = logging.getLogger(__name__)

TOPIC = "dossier.staff_alert"
RUNNING = (Status.RECEIVED, Status.IN_PROCESSING)

# Who is told, per kind: the officer holding the current step, the head of the unit the dossier is at, the desk.
HANDLER, HEAD, DESK = "handler", "head", "desk"


@dataclass(frozen=True)
class Kind:
    """One selection of §5.12: its marker name, whom it tells, and the staff message's subject and body."""

    name: str
    recipients: tuple[str, ...]
    subject: str
    body: str


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "late",
            (HANDLER, HEAD, DESK),
            _lazy("Hồ sơ quá hạn"),
            _lazy("Hồ sơ {code} ({procedure}) đã quá hạn giải quyết (hẹn trả {threshold})."),
        ),
        Kind(
            "late_step",
            (HANDLER, HEAD),
            _lazy("Bước xử lý quá hạn"),
            _lazy("Bước xử lý của hồ sơ {code} ({procedure}) đã quá hạn (hạn bước {threshold})."),
        ),
        Kind(
            "due_soon",
            (HANDLER, HEAD),
            _lazy("Hồ sơ sắp đến hạn"),
            _lazy("Hồ sơ {code} ({procedure}) sắp đến hạn trả kết quả: {threshold}."),
        ),
        Kind(
            "apology",
            (HANDLER, HEAD),
            _lazy("Cần gửi văn bản xin lỗi"),
            _lazy(
                "Hồ sơ {code} ({procedure}) sẽ không trả kết quả đúng hẹn {threshold}: hôm nay là hạn cuối gửi "
                "văn bản xin lỗi và hẹn lại ngày trả kết quả cho người nộp."
            ),
        ),
        Kind(
            "late_acceptance",
            (DESK, HEAD),
            _lazy("Hồ sơ trực tuyến chưa được tiếp nhận"),
            _lazy("Hồ sơ trực tuyến {code} ({procedure}) đã quá hạn tiếp nhận ({threshold}) mà chưa được xem xét."),
        ),
        Kind(
            "uncollected",
            (DESK, HEAD),
            _lazy("Kết quả chưa trả"),
            _lazy(
                "Hồ sơ {code} ({procedure}) đã có kết quả từ {threshold} nhưng chưa được trả; nếu đã trả, hãy "
                "cập nhật trên phần mềm."
            ),
        ),
    )
}


@dataclass(frozen=True)
class JobResult:
    """What one run did: rows changed (flags set, markers inserted, T11 applied) and outbox messages written."""

    changed: int
    notified: int


# --- The SQL -------------------------------------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    return {
        "dossier": Dossier._meta.db_table,
        "step": DossierStep._meta.db_table,
        "marker": JobMarker._meta.db_table,
        "apology": Apology._meta.db_table,
        "staff": StaffProfile._meta.db_table,
        "outbox": OutboxMessage._meta.db_table,
    }


def _adapt(params: list) -> list:
    """Datetimes as the database stores them (SQLite compares UTC text; a local-time string would sort wrongly)."""
    return [connection.ops.adapt_datetimefield_value(p) if isinstance(p, dt.datetime) else p for p in params]


def _insert_markers(kind: str, select: str, params: list, *, run: str, now: dt.datetime) -> int:
    """Insert one marker per (dossier, threshold) that `select` yields; returns how many were new.

    `select` yields `dossier_id, threshold` rows and must end in a WHERE clause (SQLite parses `ON CONFLICT` after
    a SELECT only then).
    """
    sql = (
        "INSERT INTO {marker} (dossier_id, kind, threshold, run, created_at) "
        "SELECT s.dossier_id, %s, s.threshold, %s, %s FROM ({select}) s WHERE s.threshold IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM {marker} x WHERE x.dossier_id = s.dossier_id AND x.kind = %s "
        "AND x.threshold = s.threshold) "
        "ON CONFLICT DO NOTHING"
    ).format(select=select, **_tables())
    with connection.cursor() as cursor:
        cursor.execute(sql, _adapt([kind, run, now, *params, kind]))
        return cursor.rowcount


def _flag_and_mark(kind: str, update: str, params: list, *, run: str, now: dt.datetime) -> int:
    """Run a flag `UPDATE … RETURNING dossier_id, threshold` and insert a marker for each row it flagged.

    On PostgreSQL one statement (`WITH flagged AS (UPDATE …) INSERT … SELECT FROM flagged`): only the rows this run
    flagged are marked, so the cost follows the newly late, not every late dossier. Elsewhere (SQLite, no DML in
    a CTE) the UPDATE's rows come back and are inserted in one `executemany`. Returns how many rows were flagged.
    """
    tables = _tables()
    update = update.format(**tables)
    insert = "INSERT INTO {marker} (dossier_id, kind, threshold, run, created_at) ".format(**tables)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH flagged AS ({update}), marked AS ({insert} SELECT dossier_id, %s, threshold, %s, %s "
                "FROM flagged WHERE threshold IS NOT NULL ON CONFLICT DO NOTHING) SELECT count(*) FROM flagged",
                _adapt([*params, kind, run, now]),
            )
            return cursor.fetchone()[0]
        cursor.execute(update, _adapt(params))
        rows = [(dossier_id, threshold) for dossier_id, threshold in cursor.fetchall() if threshold is not None]
        cursor.executemany(
            f"{insert} VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [_adapt([dossier_id, kind, threshold, run, now]) for dossier_id, threshold in rows],
        )
        return len(rows)


_RECIPIENT_SQL = {
    # The officer holding the open current step, else the dossier's current handler.
    HANDLER: "SELECT m.id AS marker_id, COALESCE(st.handler_id, d.current_handler_id) AS user_id {base} "
    "AND COALESCE(st.handler_id, d.current_handler_id) IS NOT NULL",
    # The heads of the unit the dossier is at: the current step's agency, else the processing or receiving agency.
    HEAD: "SELECT m.id AS marker_id, sp.user_id AS user_id {base_staff} "
    "ON sp.agency_id = COALESCE(st.agency_id, d.processing_agency_id, d.receiving_agency_id) AND sp.role = %s",
    # The desk of the receiving agency (its own one-stop desk when the dossier names one).
    DESK: "SELECT m.id AS marker_id, sp.user_id AS user_id {base_staff} "
    "ON sp.agency_id = d.receiving_agency_id AND sp.role = %s "
    "AND (d.desk_id IS NULL OR sp.desk_id IS NULL OR sp.desk_id = d.desk_id)",
}
_ROLE_PARAM = {HEAD: Role.HEAD, DESK: Role.DESK}


def _payload_sql() -> str:
    builder = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    return f"{builder}('marker_id', r.marker_id, 'user_id', r.user_id)"


def _insert_messages(kind: Kind, *, run: str, now: dt.datetime) -> list[int]:
    """One outbox message per recipient of each marker of this run; returns the new messages' ids.

    No dossier id on the message: a staff alert must not hold the applicant's messages or the national sync of the
    dossier in line behind it (the outbox keeps order per dossier id).
    """
    tables = _tables()
    from_markers = (
        "FROM {marker} m JOIN {dossier} d ON d.id = m.dossier_id LEFT JOIN {step} st ON st.id = d.current_step_id"
    ).format(**tables)
    where = "WHERE m.run = %s AND m.kind = %s"
    parts, params = [], []
    for who in kind.recipients:
        if who == HANDLER:
            parts.append(_RECIPIENT_SQL[who].format(base=f"{from_markers} {where}"))
            params += [run, kind.name]
        else:
            staff = f"{from_markers} JOIN {tables['staff']} sp"
            # The join condition comes first in the text, the run filter after it.
            parts.append(_RECIPIENT_SQL[who].format(base_staff=staff) + f" {where}")
            params += [_ROLE_PARAM[who], run, kind.name]
    sql = (
        "INSERT INTO {outbox} (topic, key, dossier_id, payload, state, attempts, next_attempt_at, last_error, "
        "created_at) "
        "SELECT %s, %s || CAST(r.marker_id AS TEXT) || ':' || CAST(r.user_id AS TEXT), NULL, {payload}, "
        "'pending', 0, %s, '', %s FROM ({union}) r WHERE r.user_id IS NOT NULL "
        "ON CONFLICT (key) DO NOTHING RETURNING id"
    ).format(payload=_payload_sql(), union=" UNION ".join(parts), **tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, _adapt([TOPIC, f"job:{kind.name}:", now, now, *params]))
        ids = [row[0] for row in cursor.fetchall()]
    for message_id in ids:
        transaction.on_commit(lambda message_id=message_id: outbox_kick(message_id))
    return ids


def _run(kind: str, select: str = "", params: list = (), *, now: dt.datetime, update: str = "") -> JobResult:
    """One selection in one transaction: markers (from a flag UPDATE, or from a SELECT), then the messages."""
    run = uuid.uuid4().hex
    with transaction.atomic():
        if update:
            changed = _flag_and_mark(kind, update, list(params), run=run, now=now)
        else:
            changed = _insert_markers(kind, select, list(params), run=run, now=now)
        messages = _insert_messages(KINDS[kind], run=run, now=now) if changed else []
    return JobResult(changed=changed, notified=len(messages))


def _start_of_today(now: dt.datetime) -> dt.datetime:
    return timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)


# --- The selections --------------------------------------------------------------------------------------------


def job_late(*, now: dt.datetime | None = None) -> JobResult:
    """Newly late dossiers: set `is_overdue` and `overdue_since` (on the partial index of open running dossiers not
    yet flagged), tell handler, head and desk once per due moment. `services.dossiers_flag_overdue` calls this."""
    now = now or timezone.now()
    update = (
        "UPDATE {dossier} SET is_overdue = %s, overdue_since = %s WHERE status IN (%s, %s) AND is_overdue = %s "
        "AND clock_state = %s AND current_due_at < %s RETURNING id AS dossier_id, current_due_at AS threshold"
    )
    params = [True, timezone.localdate(now), *RUNNING, False, ClockState.RUNNING, _start_of_today(now)]
    return _run("late", params=params, now=now, update=update)


def job_late_steps(*, now: dt.datetime | None = None) -> JobResult:
    """Open steps past their due moment: set the step's `is_late`, tell its handler and the head once per step due.

    A paused step is left alone: its due moment moves when the clock resumes.
    """
    now = now or timezone.now()
    update = (
        "UPDATE {step} SET is_late = %s WHERE finished_at IS NULL AND paused = %s AND is_late = %s AND due_at < %s "
        "RETURNING dossier_id, due_at AS threshold"
    )
    return _run("late_step", params=[True, False, False, now], now=now, update=update)


def due_soon_bound(now: dt.datetime) -> dt.datetime:
    """`now` plus `DUE_SOON_WORKING_HOURS` working hours (default office hours, the calendar in force): once per run."""
    from workcalendar.selectors import current_calendar

    calendar, _version = current_calendar()
    hours = Decimal(str(settings.DUE_SOON_WORKING_HOURS))
    return due_moment(now, Duration(WORKING_HOURS, hours), calendar=calendar, hours=OfficeHours())


def job_due_soon(*, now: dt.datetime | None = None) -> JobResult:
    """Running dossiers due within the window: tell handler and head once per due moment (a new due, a new alert)."""
    now = now or timezone.now()
    select = (
        "SELECT id AS dossier_id, current_due_at AS threshold FROM {dossier} WHERE status IN (%s, %s) "
        "AND clock_state = %s AND current_due_at >= %s AND current_due_at <= %s"
    ).format(**_tables())
    return _run("due_soon", select, [*RUNNING, ClockState.RUNNING, now, due_soon_bound(now)], now=now)


def job_apology(*, now: dt.datetime | None = None) -> JobResult:
    """Running dossiers, not yet late, without an apology, whose apology deadline is today or past: remind handler
    and head once per due moment.

    A dossier already late is the "late" job's; the apology deadline is the working day before the due date, so
    `apology_deadline <= today` implies a due moment before the end of the next working day — the bound that keeps
    the statement on the partial index of open running dossiers not yet flagged.
    """
    from workcalendar.selectors import current_calendar

    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar, _version = current_calendar()
    day_after = calendar.next_working_day(today) + dt.timedelta(days=1)
    horizon = _start_of_today(now).replace(year=day_after.year, month=day_after.month, day=day_after.day)
    select = (
        "SELECT d.id AS dossier_id, d.current_due_at AS threshold FROM {dossier} d WHERE d.status IN (%s, %s) "
        "AND d.is_overdue = %s AND d.current_due_at < %s AND d.clock_state = %s AND d.apology_deadline <= %s "
        "AND NOT EXISTS (SELECT 1 FROM {apology} a WHERE a.dossier_id = d.id)"
    ).format(**_tables())
    params = [*RUNNING, False, horizon, ClockState.RUNNING, today]
    return _run("apology", select, params, now=now)


def job_late_acceptance(*, now: dt.datetime | None = None) -> JobResult:
    """Online dossiers still `submitted` after their acceptance deadline: set `late_acceptance`, alert the desk."""
    now = now or timezone.now()
    update = (
        "UPDATE {dossier} SET late_acceptance = %s WHERE status = %s AND late_acceptance = %s "
        "AND acceptance_due_at < %s RETURNING id AS dossier_id, acceptance_due_at AS threshold"
    )
    return _run("late_acceptance", params=[True, Status.SUBMITTED, False, now], now=now, update=update)


def uncollected_bound(now: dt.datetime) -> dt.datetime:
    """The moment `RESULT_UNCOLLECTED_DAYS` working days before `now` (the calendar in force): once per run."""
    from workcalendar.selectors import current_calendar

    calendar, _version = current_calendar()
    local = timezone.localtime(now)
    day = local.date()
    for _i in range(settings.RESULT_UNCOLLECTED_DAYS):
        day = calendar.previous_working_day(day)
    return local.replace(year=day.year, month=day.month, day=day.day)


def job_uncollected(*, now: dt.datetime | None = None) -> JobResult:
    """Results ready but not returned for the set number of working days: remind the desk and head once."""
    now = now or timezone.now()
    select = (
        "SELECT id AS dossier_id, completed_at AS threshold FROM {dossier} WHERE status = %s AND completed_at < %s"
    ).format(**_tables())
    return _run("uncollected", select, [Status.RESULT_READY, uncollected_bound(now)], now=now)


def expired_supplement_ids(now: dt.datetime) -> list[int]:
    """Dossiers whose applicant's supplement deadline passed with nothing sent (the `supplied` ones wait for T10)."""
    return list(
        SupplementRequest.objects.filter(
            dossier__status=Status.SUPPLEMENT_REQUESTED,
            applicant_deadline__lt=now,
            supplied_at__isnull=True,
        )
        .exclude(dossier__substate=SUPPLIED)
        .order_by("dossier_id")
        .values_list("dossier_id", flat=True)
    )


def job_expire_supplements(*, now: dt.datetime | None = None) -> JobResult:
    """T11 for every id the SQL selects, each through the engine (the system as actor), one transaction each.

    A dossier another worker or a person changed meanwhile is refused by the engine and skipped; the engine writes
    the applicant's notification itself.
    """
    from dossiers.services import dossier_transition

    now = now or timezone.now()
    done = 0
    for dossier_id in expired_supplement_ids(now):
        try:
            dossier_transition(dossier=dossier_id, action="expire_supplement", actor=None, now=now)
        except DossierError as refused:
            logger.info("jobs: T11 skipped for dossier %s: %s", dossier_id, refused)
            continue
        done += 1
    return JobResult(changed=done, notified=done)


JOBS = {
    "late": job_late,
    "late_steps": job_late_steps,
    "due_soon": job_due_soon,
    "apology": job_apology,
    "late_acceptance": job_late_acceptance,
    "uncollected": job_uncollected,
    "expire_supplements": job_expire_supplements,
}


# Closed for good: no selection of §5.12 can match such a dossier again, so its markers guard nothing.
CLOSED = (Status.RETURNED, Status.REFUSED, Status.WITHDRAWN, Status.STOPPED)


def job_markers_purge(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete the markers of dossiers closed (returned, refused, withdrawn, stopped) more than `days` days ago
    (`JOB_MARKER_KEEP_DAYS`, default 30); returns how many. One set-based DELETE.

    A marker only stops a selection from reporting the same threshold twice, and every selection reads open
    dossiers only, so a closed dossier's markers are dead weight: without this the table grows by every late,
    due-soon and apology report for ever. The closing moment is when the result was returned, the dossier refused,
    or else completed (withdrawn, stopped). Kept for a while all the same, for whoever reads the alerts' history.
    """
    now = now or timezone.now()
    keep = getattr(settings, "JOB_MARKER_KEEP_DAYS", 30) if days is None else days
    tables = _tables()
    sql = (
        "DELETE FROM {marker} WHERE dossier_id IN (SELECT d.id FROM {dossier} d WHERE d.status IN ({closed}) "
        "AND COALESCE(d.returned_at, d.refused_at, d.completed_at) < %s)"
    ).format(closed=", ".join(["%s"] * len(CLOSED)), **tables)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, _adapt([*CLOSED, now - dt.timedelta(days=keep)]))
        return cursor.rowcount


def run_all(*, now: dt.datetime | None = None) -> dict[str, JobResult]:
    """Every selection once, each in its own transaction (a failure in one does not undo the others' work)."""
    now = now or timezone.now()
    return {name: job(now=now) for name, job in JOBS.items()}


# --- Delivering a staff alert ------------------------------------------------------------------------------------


def _local_moment(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%H:%M %d/%m/%Y}"


def staff_alert(payload: dict, *, key: str) -> bool:
    """Mail one staff member about one marker; returns whether a message left (no e-mail address: nothing)."""
    from dossiers.notifications import IDEMPOTENCY_HEADER

    marker = JobMarker.objects.select_related("dossier__procedure_version").filter(pk=payload["marker_id"]).first()
    user = User.objects.filter(pk=payload["user_id"]).first()
    kind = KINDS.get(marker.kind) if marker is not None else None
    if kind is None or user is None or not user.email:
        return False
    dossier = marker.dossier
    with translation.override("vi"):
        context = {
            "code": dossier.code or "",
            "procedure": dossier.procedure_version.name,
            "threshold": _local_moment(marker.threshold),
        }
        subject = _("Hồ sơ {code}: {title}").format(code=context["code"], title=kind.subject)
        body = kind.body.format(**context)
    EmailMessage(subject, body, to=[user.email], headers={IDEMPOTENCY_HEADER: key}).send()
    return True


register_handler(TOPIC, staff_alert)
