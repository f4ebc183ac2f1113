"""Writing the plans: ids reserved up front, codes, then every table by COPY on PostgreSQL (from a second
thread) or by multi-row inserts elsewhere; the counters and the pause links last.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import itertools
import json
import queue
import threading
from collections import Counter
from operator import itemgetter

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from demo.seeding.context import _Context
from demo.seeding.names import WINDOW_DAYS
from demo.seeding.paths import REGISTER, _Plan
from dossiers.models import (
    Apology,
    Applicant,
    ApplicantIdentity,
    ClockState,
    CodeCounter,
    DocumentCounter,
    DocumentNumber,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierPause,
    DossierStep,
    DueAdjustment,
    FeeLine,
    RegisterCounter,
    RegisterEntry,
    SupplementRequest,
)
from dossiers.numbering import ISSUED_BY_PROCESSING_BODY, NUMBERED_FORMS
from dossiers.workflow import Status as S
from workcalendar.calendar import LOCAL_TZ


class _Table:
    """One model's rows in a fixed column order, produced from the plans; other columns get their defaults."""

    def __init__(self, model: type[models.Model], columns: str, rows) -> None:
        self.model = model
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        names = columns.split()
        extra = [f for f in model._meta.concrete_fields if f.attname not in names and not f.primary_key]
        self.fields = [by_name[c] for c in names] + extra
        now = timezone.now()
        extra_values = tuple(now if getattr(f, "auto_now_add", False) else f.get_default() for f in extra)
        self.rows = (row + extra_values for row in rows) if extra_values else rows  # an iterator, read once
        self.count = 0

    def chunks(self, size: int):
        while chunk := list(itertools.islice(self.rows, size)):
            self.count += len(chunk)
            yield chunk


class _Writer:
    """Writes the groups of plans as they come, then fills the links that need database ids.

    Per group: ids in creation order, codes, and one table after another, parents first. On PostgreSQL the rows go
    by COPY from a second thread on the same connection and transaction (`_Copier`), foreign keys checked as each
    COPY ends, so the server loads one group while Python plans the next; elsewhere by multi-row inserts. Nothing
    else may use the connection between the constructor and `finish()`, so every query is made up front.

    Register lines and document numbers (dossiers/numbering.py) are consecutive per desk or issuing body across
    groups, in the order of their moments, and they are in the events' data, which the digests cover: a group's
    events wait until every group that shares a desk or an issuing body with it has been planned; then its numbers
    are given, after the counters' last ones, and its events, register entries and document numbers written.
    """

    def __init__(self, context: _Context, groups: list[list[_Plan]], today: dt.date) -> None:
        self.c = context
        self.identifiers = {a.pk: a.e_identifier for a in context.agencies.values()}
        self.counters: dict[tuple[int, dt.date], int] = {}
        first = today - dt.timedelta(days=WINDOW_DAYS + 60)
        self.existing = {
            (agency, day): last
            for agency, day, last in CodeCounter.objects.select_for_update()
            .filter(day__range=(first, today))
            .values_list("agency_id", "day", "last")
        }
        self.registers = {
            (desk, year): [book, last]
            for desk, year, book, last in RegisterCounter.objects.select_for_update().values_list(
                "desk_id", "year", "book", "last"
            )
        }
        self.documents = {
            (agency, year, form): last
            for agency, year, form, last in DocumentCounter.objects.select_for_update().values_list(
                "agency_id", "year", "form_key", "last"
            )
        }
        self.book = getattr(settings, "DOSSIER_REGISTER_BOOK", 1)
        self.registers_used: set[tuple] = set()
        self.documents_used: set[tuple] = set()
        # Each group's desks and issuing bodies, and how many groups not yet planned share each of them.
        number_keys = [set().union(*(self._number_keys(p) for p in group)) for group in groups]
        self.unplanned: Counter[tuple] = Counter(key for keys in number_keys for key in keys)
        self.number_keys = iter(number_keys)
        self.to_number: dict[tuple, list] = {}
        self.waiting: list[tuple[list[_Plan], set]] = []
        self.dossier_ids = iter(_reserve_ids(Dossier, sum(len(g) for g in groups)))
        self.applicant_ids = iter(_reserve_ids(Applicant, sum(1 for g in groups for p in g if not p.citizen)))
        # The current step is the one open step; only these statuses can have one at the end of their path.
        open_max = sum(1 for g in groups for p in g if p.d["status"] in _WITH_OPEN_STEP)
        self.open_step_ids = iter(_reserve_ids(DossierStep, open_max))
        self.first_id: int | None = None
        self.last_id = 0
        self.counts: Counter[str] = Counter()
        self.copier: _Copier | None = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Foreign keys checked as each COPY ends rather than all at commit, so that work overlaps too —
                # but for the dossier's current step, written after the dossier.
                constraints = connection.introspection.get_constraints(cursor, Dossier._meta.db_table)
                current = [
                    n for n, c in constraints.items() if c["foreign_key"] and c["columns"] == ["current_step_id"]
                ]
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for name in current:
                    cursor.execute(f"SET CONSTRAINTS {connection.ops.quote_name(name)} DEFERRED")
            self.copier = _Copier(connection.connection)

    def write(self, plans: list[_Plan]) -> None:
        plans.sort(key=lambda p: p.d["created_at"])
        self._codes(plans)
        citizen = self.c.citizen_applicant[0] if self.c.citizen_applicant else None
        for p in plans:
            p.d["id"] = next(self.dossier_ids)
            p.d["applicant_id"] = next(self.applicant_ids) if p.applicant else citizen
            p.d["current_step_id"] = next(self.open_step_ids) if p.open_step is not None else None
        self.first_id = min(self.first_id or plans[0].d["id"], plans[0].d["id"])
        self.last_id = max(self.last_id, plans[-1].d["id"])
        self._load(self._tables(plans))
        keys = next(self.number_keys)
        for p in plans:
            for entry in p.numbered:
                if (key := self._number_key(p, entry)) is not None:
                    self.to_number.setdefault(key, []).append((entry[1], p.d["id"], p, entry))
        self.waiting.append((plans, keys))
        for key in keys:
            self.unplanned[key] -= 1
            if self.unplanned[key] == 0:
                self._number(self.to_number.pop(key, []))
        ready = [w for w in self.waiting if not any(self.unplanned[key] for key in w[1])]
        self.waiting = [w for w in self.waiting if any(self.unplanned[key] for key in w[1])]
        for group, _keys in ready:
            self._load(self._numbered_tables(group))

    def _load(self, tables: list[_Table]) -> None:
        for table in tables:
            if self.copier is not None:
                self.copier.load(table)
            else:
                with connection.cursor() as cursor:
                    _insert(cursor, table)
            self.counts[table.model._meta.label] += table.count

    def _number_keys(self, p: _Plan) -> set[tuple]:
        """The desk and the bodies whose sequences a dossier may take a number from (see `_number_key`)."""
        receiving = p.d["receiving_agency_id"]
        keys = {("agency", receiving), ("agency", p.d["processing_agency_id"] or receiving)}
        if (desk := self.c.desks.get(receiving)) is not None:
            keys.add(("desk", desk))
        return keys

    def _number_key(self, p: _Plan, entry: list) -> tuple | None:
        """The desk of a register line, the issuing body of a form, as `dossiers.numbering` chooses them: the
        dossier's desk — the receiving body's first active desk — and its body, or the processing body for the
        apology. A dossier without a desk is not entered in a register."""
        receiving = p.d["receiving_agency_id"]
        if entry[0] == REGISTER:
            desk = p.d.get("desk_id") or self.c.desks.get(receiving)
            return ("desk", desk) if desk is not None else None
        if NUMBERED_FORMS[entry[0]].issuer == ISSUED_BY_PROCESSING_BODY:
            return ("agency", p.d["processing_agency_id"] or receiving)
        return ("agency", receiving)

    def _number(self, entries: list[tuple]) -> None:
        """Number one desk's register lines or one body's forms in the order of their moments (the dossier id
        breaks a tie), each sequence per local year after its counter; the numbers go into the events' data."""
        entries.sort(key=itemgetter(0, 1))
        for moment, _dossier_id, p, entry in entries:
            kind, year = entry[0], moment.astimezone(LOCAL_TZ).year
            if kind == REGISTER:
                desk = p.d.get("desk_id") or self.c.desks[p.d["receiving_agency_id"]]
                counter = self.registers.setdefault((desk, year), [self.book, 0])
                counter[1] += 1
                self.registers_used.add((desk, year))
                book, number = counter
                entry[2]["register"] = {"book": book, "number": number, "year": year}
                entry.append((desk, year, book, number, moment))
            else:
                agency, form = self._number_key(p, entry)[1], NUMBERED_FORMS[kind]
                key = (agency, year, kind)
                number = self.documents[key] = self.documents.get(key, 0) + 1
                self.documents_used.add(key)
                entry[2]["document_number"] = f"{number}/{form.symbol}"
                entry.append((kind, number, form.symbol, year, agency, moment))

    def abort(self) -> None:
        """Stop the worker thread before the transaction is rolled back on this one."""
        if self.copier is not None:
            self.copier.close(raise_error=False)

    def finish(self) -> dict[str, int]:
        for entries in self.to_number.values():  # none left once every group is planned
            self._number(entries)
        for group, _keys in self.waiting:
            self._load(self._numbered_tables(group))
        self.to_number, self.waiting = {}, []
        if self.copier is not None:
            self.copier.close()
        if self.first_id is not None:
            self._link(self.first_id, self.last_id)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to how Django declares them
        CodeCounter.objects.bulk_create(
            [CodeCounter(agency_id=a, day=day, last=last) for (a, day), last in sorted(self.counters.items())],
            update_conflicts=True,
            unique_fields=["agency", "day"],
            update_fields=["last"],
            batch_size=2000,
        )
        self.counts[CodeCounter._meta.label] = len(self.counters)
        RegisterCounter.objects.bulk_create(
            [RegisterCounter(desk_id=d, year=y, book=self.registers[d, y][0], last=self.registers[d, y][1])
             for d, y in sorted(self.registers_used)],
            update_conflicts=True,
            unique_fields=["desk", "year"],
            update_fields=["last"],
        )  # fmt: skip
        DocumentCounter.objects.bulk_create(
            [DocumentCounter(agency_id=a, year=y, form_key=f, last=self.documents[a, y, f])
             for a, y, f in sorted(self.documents_used)],
            update_conflicts=True,
            unique_fields=["agency", "year", "form_key"],
            update_fields=["last"],
        )  # fmt: skip
        self.counts[RegisterCounter._meta.label] = len(self.registers_used)
        self.counts[DocumentCounter._meta.label] = len(self.documents_used)
        return dict(self.counts)

    def _codes(self, plans: list[_Plan]) -> None:
        """Codes per (agency, local day) in the order they were issued, after each counter's last number."""
        issued = sorted(
            (p.code_agency.pk, p.code_at.astimezone(LOCAL_TZ).date(), p.code_at, i)
            for i, p in enumerate(plans)
            if p.code_at is not None
        )
        for agency, day, _moment, i in issued:
            key = (agency, day)
            number = self.counters[key] = self.counters.get(key, self.existing.get(key, 0)) + 1
            plans[i].d["code"] = f"{self.identifiers[agency]}-{day:%y%m%d}-{number:04d}"

    def _link(self, first: int, last: int) -> None:
        """Each resume adjustment's pause, whose id the database gave (one pause at most per seeded dossier):
        one set-based update over a few per cent of the dossiers, joined to the pauses grouped by dossier, after
        analysing both tables: planned on the statistics of the empty tables the transaction had just filled, the
        update read all the pauses once per adjustment — quadratic, many minutes at a million dossiers."""
        qn = connection.ops.quote_name
        adjustment, pause = qn(DueAdjustment._meta.db_table), qn(DossierPause._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # what the COPYs wrote, for the planner: a hash join, not a loop
                cursor.execute(f"ANALYZE {adjustment}, {pause}")
            cursor.execute(
                f"UPDATE {adjustment} SET pause_id = p.pause_id FROM (SELECT dossier_id, MAX(id) AS pause_id "  # noqa: S608
                f"FROM {pause} WHERE dossier_id BETWEEN %s AND %s GROUP BY dossier_id) p "
                f"WHERE {adjustment}.dossier_id = p.dossier_id AND {adjustment}.dossier_id BETWEEN %s AND %s "
                f"AND {adjustment}.pause_id IS NULL AND {adjustment}.kind IN (%s, %s)",
                [first, last, first, last, DueAdjustment.Kind.RESTART, DueAdjustment.Kind.CONTINUE],
            )

    def _tables(self, plans: list[_Plan]) -> list[_Table]:
        """Every table as an iterator over the plans, parents before children."""
        columns = [f.attname for f in Dossier._meta.concrete_fields]
        defaults = {f.attname: f.get_default() for f in Dossier._meta.concrete_fields}
        dossier_row = itemgetter(*columns)
        version = self.c.calendar_version

        def adjustments():
            for p in plans:
                for kind, _pause, previous, new, left, reason, basis, actor, when in p.adjustments:
                    yield (p.d["id"], kind, previous, new, left, reason, basis, version, actor, when)

        def supplements():
            for p in plans:
                if s := p.supplement:
                    yield (p.d["id"], s["stage"], s["items"], s["reason"], s["legal_basis"], s["requested_at"],
                           s["requested_by_id"], s["applicant_deadline"], s["supplied_at"], s["accepted_at"],
                           s["previous_due_at"], s["new_due_at"])  # fmt: skip

        def pauses():
            for p in plans:
                if x := p.pause:
                    yield (p.d["id"], x["kind"], x["started_at"], x["ended_at"], x["reason"], x["legal_basis"],
                           x["actor_id"])  # fmt: skip

        def steps(open_: bool):
            for p in plans:
                for index, step in enumerate(p.steps):
                    if open_ and index == p.open_step:
                        # `paused` copies the dossier's clock onto its open step, as the engine keeps it.
                        yield (p.d["current_step_id"], p.d["id"], *step, p.d.get("clock_state") == ClockState.PAUSED)
                    elif not open_ and index != p.open_step:
                        yield (p.d["id"], *step)

        def children(attribute, key=None):
            for p in plans:
                rows = getattr(p, attribute)
                for row in sorted(rows, key=key) if key else rows:
                    yield (p.d["id"], *row)

        return [
            _Table(Applicant, "id kind name tax_code phone email address user_id created_at",
                   ((p.d["applicant_id"], *p.applicant, None, p.d["created_at"]) for p in plans if p.applicant)),
            _Table(ApplicantIdentity, "applicant_id doc_type number",
                   ((p.d["applicant_id"], *p.identity) for p in plans if p.applicant)),
            _Table(Dossier, " ".join(columns), (dossier_row({**defaults, **p.d}) for p in plans)),
            _Table(DossierStep, "dossier_id order name agency_id handler_id started_at due_at finished_at outcome "
                   "is_late", steps(False)),
            _Table(DossierStep, "id dossier_id order name agency_id handler_id started_at due_at finished_at outcome "
                   "is_late paused", steps(True)),
            _Table(DossierDocument, "dossier_id required_document_id name form count checked digitisation",
                   children("documents")),
            _Table(FeeLine, "dossier_id name amount", children("fees")),
            _Table(DossierPause, "dossier_id kind started_at ended_at reason legal_basis actor_id", pauses()),
            _Table(SupplementRequest, "dossier_id stage items reason legal_basis requested_at requested_by_id "
                   "applicant_deadline supplied_at accepted_at previous_due_at new_due_at", supplements()),
            _Table(DueAdjustment, "dossier_id kind previous_due_at new_due_at remaining reason legal_basis "
                   "calendar_version actor_id created_at", adjustments()),
            _Table(Apology, "dossier_id reason new_due_at issued_at signer_id is_late",
                   ((p.d["id"], *p.apology) for p in plans if p.apology)),
        ]  # fmt: skip

    def _numbered_tables(self, plans: list[_Plan]) -> list[_Table]:
        """The group's events, once its numbers are in their data, and the register entries and document numbers."""
        at = itemgetter(3)

        def events():
            """Each dossier's events in time order — the order of their ids — chained by `event_digest`."""
            for p in plans:
                dossier_id, previous = p.d["id"], ""
                for action, actor, role, moment, frm, to, note, visible, data in sorted(p.events, key=at):
                    data = _RawJson(_canonical_json(data)) if data else _EMPTY_JSON
                    digest = _event_digest(dossier_id, action, actor, role, moment, frm, to, note, visible, data,
                                           previous)  # fmt: skip
                    yield (dossier_id, action, actor, role, moment, frm, to, note, visible, data, previous, digest)
                    previous = digest

        def numbered(register: bool):
            for p in plans:
                for entry in p.numbered:
                    if len(entry) > 3 and (entry[0] == REGISTER) == register:
                        yield (p.d["id"], *entry[3])

        return [
            _Table(DossierEvent, "dossier_id action actor_id actor_role at from_status to_status note "
                   "visible_to_citizen data prev_hash digest", events()),
            _Table(RegisterEntry, "dossier_id desk_id year book number entered_at", numbered(True)),
            _Table(DocumentNumber, "dossier_id form_key number symbol year agency_id issued_at", numbered(False)),
        ]  # fmt: skip


class _RawJson(str):
    """A JSON document already encoded (an event's data, encoded once for its digest and for COPY)."""


_EMPTY_JSON = _RawJson("{}")
# `dossiers.audit.event_canonical`'s encoding (sorted keys, no spaces, UTF-8), without json.dumps's per-call set-up.
_canonical_json = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode
_json_string = json.encoder.encode_basestring  # what that encoder does to a str (ensure_ascii=False)
_CANONICAL = '{"action":%s,"actor":%s,"at":"%s","data":%s,"dossier":%d,"from":%s,"note":%s,"prev":%s,"role":%s,"to":%s,"visible":%s}'  # noqa: E501


def _event_digest(dossier_id, action, actor, role, moment, frm, to, note, visible, data: _RawJson, prev) -> str:
    """`dossiers.audit.event_digest` of one event, the same bytes built directly: the seeder hashes millions of
    events, and json.dumps of the whole object per event was a fifth of its time. `data` is the canonical JSON of
    the event's data; tests/demo/test_seed_demo.py checks every digest against `event_digest` itself."""
    text = _CANONICAL % (
        _json_string(action),
        "null" if actor is None else int(actor),
        moment.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        data,
        dossier_id,
        _json_string(frm or ""),
        _json_string(note or ""),
        _json_string(prev or ""),
        _json_string(role or ""),
        _json_string(to or ""),
        "true" if visible else "false",
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _reserve_ids(model: type[models.Model], n: int) -> list[int]:
    """`n` primary keys for rows written with explicit ids, which their children refer to before they exist."""
    if n == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n])
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the transaction holds the only write lock; AUTOINCREMENT must skip the reserved ids too.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        first = cursor.fetchone()[0] + 1
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            first = max(first, (row[0] if row else 0) + 1)
            if row:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [first + n - 1, table])
            else:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, first + n - 1])
    return list(range(first, first + n))


_TEXT = (models.CharField, models.TextField)
_WITH_OPEN_STEP = (S.RECEIVED, S.IN_PROCESSING, S.SUPPLEMENT_REQUESTED, S.AWAITING_FINANCIAL_OBLIGATION)


class _Copier:
    """PostgreSQL COPY (CSV) from a worker thread on the dossier transaction's connection: the server loads one
    chunk while the caller encodes the next (libpq waits with the GIL released).

    In CSV an unquoted empty field is NULL, so text columns that are never NULL are read with FORCE_NOT_NULL. The
    caller must not use the connection until `close()` returns; an error stops the queue and is raised by the
    next `load` or by `close`.
    """

    def __init__(self, raw_connection, chunk: int = 50_000) -> None:
        self.raw, self.chunk = raw_connection, chunk
        self.stamps = _Stamps()
        self.queue: queue.Queue = queue.Queue(maxsize=12)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="seed-copy", daemon=True)
        self.thread.start()

    def load(self, table: _Table) -> None:
        qn = connection.ops.quote_name
        json_at = [i for i, f in enumerate(table.fields) if f.get_internal_type() == "JSONField"]
        moments_at = [i for i, f in enumerate(table.fields) if f.get_internal_type() == "DateTimeField"]
        text = [qn(f.column) for f in table.fields if isinstance(f, _TEXT) and not f.null]
        options = "FORMAT csv" + (f", FORCE_NOT_NULL ({', '.join(text)})" if text else "")
        columns = ", ".join(qn(f.column) for f in table.fields)
        sql = f"COPY {qn(table.model._meta.db_table)} ({columns}) FROM STDIN WITH ({options})"
        for rows in table.chunks(self.chunk):
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerows(_as_text(row, json_at, moments_at, self.stamps) for row in rows)
            buffer.seek(0)
            if self.error is not None:
                raise self.error
            self.queue.put((sql, buffer))

    def _run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue
            sql, buffer = item
            try:
                with self.raw.cursor() as cursor:
                    if hasattr(cursor, "copy_expert"):  # psycopg2
                        cursor.copy_expert(sql, buffer, size=1 << 20)
                    else:  # psycopg 3
                        with cursor.copy(sql) as copy:
                            copy.write(buffer.getvalue())
            except BaseException as error:  # noqa: BLE001 - handed over to the caller's thread
                self.error = error

    def close(self, *, raise_error: bool = True) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and raise_error:
            raise self.error


_encode_json = json.JSONEncoder(ensure_ascii=False).encode  # json.dumps without its per-call set-up


class _Stamps(dict):
    """The text of each moment, formatted once: csv formats a datetime with its zone through str(), which costs
    more than the rest of a row; most seeded moments fall on whole office minutes and come back many times."""

    def __missing__(self, moment: dt.datetime) -> str:
        text = self[moment] = str(moment)
        return text


def _as_text(row: tuple, json_at: list[int], moments_at: list[int], stamps: _Stamps) -> list:
    """A row for csv: JSON values encoded (an already encoded one as it is), moments through `stamps`."""
    row = list(row)
    for i in json_at:
        value = row[i]
        if value is not None and not isinstance(value, _RawJson):
            row[i] = _encode_json(value) if value or not isinstance(value, dict) else "{}"
    for i in moments_at:
        if (value := row[i]) is not None:
            row[i] = stamps[value]
    return row


def _insert(cursor, table: _Table, chunk: int = 2000) -> None:
    """Multi-row INSERT, each value prepared by its field as bulk_create does — without bulk_create's
    pre_save, which would replace the historical `created_at` of auto_now_add fields with now."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in table.fields)
    sql = f"INSERT INTO {qn(table.model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(table.fields))})"
    prepare = [f.get_db_prep_save for f in table.fields]

    def value_of(value):  # an event's data, encoded once for its digest, is given back to the field as data
        return json.loads(value) if isinstance(value, _RawJson) else value

    for rows in table.chunks(chunk):
        cursor.executemany(
            sql, [[p(value_of(value), connection) for p, value in zip(prepare, row, strict=True)] for row in rows]
        )
