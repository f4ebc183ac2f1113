"""One run of the generator in one transaction, and its report."""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import multiprocessing
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from demo.seeding.context import _Context
from demo.seeding.paths import _Plan
from demo.seeding.planning import _Generator
from demo.seeding.writing import _Writer
from dossiers.models import Channel
from dossiers.workflow import Status as S


@dataclass
class SeedReport:
    """What one run created, for the command's summary and the benchmark."""

    dossiers: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_channel: dict[int, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0  # planning in Python
    write_seconds: float = 0.0  # everything else: rows, encoding, the database (partly while planning)


# Dossiers are planned in chunks of this many, each with its own random sequence, seeded in order from the run's
# (after the base draws): the same seed gives the same dossiers whether chunks are planned here or by workers.
CHUNK = 2_000
# From this many dossiers on PostgreSQL, worker processes may plan while this one writes (fork: no set-up to copy).
PARALLEL_FROM = 20_000


def demo_dossiers_create(
    *, count: int, seed: int, today: dt.date | None = None, workers: int | None = None
) -> SeedReport:
    """Create `count` demo dossiers in every status in one transaction, with bulk writes only.

    Needs the agency tree, the demo users (seed_demo) and procedure versions in force. Codes continue each
    (agency, day) sequence after its counter row, so a second run adds dossiers without breaking a sequence.
    `workers` processes plan the dossiers while this one numbers and writes them; by default, from
    `PARALLEL_FROM` dossiers on PostgreSQL, one per CPU beyond two (`_spare_cpus`), else none (0: plan here).
    """
    report = SeedReport()
    if count <= 0:
        return report
    started = time.perf_counter()
    today = today or timezone.localdate()
    statuses, channels = Counter(), Counter()
    if workers is None:
        parallel = count >= PARALLEL_FROM and connection.vendor == "postgresql" and _can_fork()
        workers = min(_spare_cpus(), 4) if parallel else 0
    with transaction.atomic():
        context = _Context.load(today=today)
        generator = _Generator(context, random.Random(seed), today)
        groups = generator.bases(count)
        planner = _Planner(generator, groups, workers)  # forks before the writer starts its thread
        try:
            writer = _Writer(context, groups, today)
            # Codes are numbered per agency, so each code agency's dossiers can be written while the next are planned.
            try:
                for plans in planner.planned():
                    writer.write(plans)
                    statuses.update(p.d["status"] for p in plans)
                    channels.update(p.d["channel"] for p in plans)
            except BaseException:
                writer.abort()
                raise
            report.rows = writer.finish()
        finally:
            planner.close()
    report.build_seconds = planner.seconds
    report.write_seconds = time.perf_counter() - started - report.build_seconds
    report.dossiers = sum(statuses.values())
    report.by_status, report.by_channel = dict(statuses), dict(channels)
    return report


def _spare_cpus() -> int:
    """CPUs left for planning workers: one goes to this process, one to the database server. Below four there is
    none to spare — measured on two cores, workers cost half as much CPU again (fork, pickling) for no gain."""
    cpus = os.cpu_count() or 1
    return cpus - 2 if cpus >= 4 else 0


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


# What a forked worker plans from: set just before the fork, inherited, never sent.
_FORKED: tuple[_Generator, list[list[_Plan]]] | None = None


class _Planner:
    """The groups of planned dossiers, in order: planned here, or by `workers` forked processes a few chunks ahead.

    A worker plans a chunk of base plans (`_plan_chunk`) and sends the plans back without the objects this process
    already holds (the version, the agencies: ids instead, put back by `_restore`). `seconds` is the time this
    process spent planning or waiting for plans.
    """

    def __init__(self, generator: _Generator, groups: list[list[_Plan]], workers: int) -> None:
        global _FORKED
        self.generator, self.groups = generator, groups
        self.jobs = [(g, start, generator.rng.getrandbits(64)) for g, group in enumerate(groups)
                     for start in range(0, len(group), CHUNK)]  # fmt: skip
        self.seconds = 0.0
        self.pool = None
        if workers > 0:
            _FORKED = (generator, groups)
            try:
                self.pool = multiprocessing.get_context("fork").Pool(workers)
            finally:
                _FORKED = None if self.pool is None else _FORKED
            self.versions = {v.id: v for v in generator.c.versions}
            self.agencies = generator.c.agencies
            # The first chunks go out now: the workers plan while the writer reserves ids and reads the counters.
            self.todo = iter(self.jobs)
            self.pending: collections.deque = collections.deque()
            for job in itertools.islice(self.todo, 3 * workers):
                self.pending.append((job, self.pool.apply_async(_plan_chunk, (job,))))

    def planned(self):
        if self.pool is None:
            current, plans = 0, []
            for g, start, seed in self.jobs:
                if g != current:
                    yield plans
                    current, plans = g, []
                started = time.perf_counter()
                plans.extend(_plan(self.generator, self.groups[g], start, seed))
                self.seconds += time.perf_counter() - started
            if plans:
                yield plans
            return
        pending, todo = self.pending, self.todo
        current, plans = 0, []
        while pending:
            (g, _start, _seed), result = pending.popleft()
            if g != current:
                yield plans
                current, plans = g, []
            started = time.perf_counter()
            chunk = result.get()
            self.seconds += time.perf_counter() - started
            for job in itertools.islice(todo, 1):
                pending.append((job, self.pool.apply_async(_plan_chunk, (job,))))
            for p in chunk:
                _restore(p, self.versions, self.agencies)
            plans.extend(chunk)
        if plans:
            yield plans

    def close(self) -> None:
        global _FORKED
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None
        _FORKED = None


def _plan(generator: _Generator, group: list[_Plan], start: int, seed: int) -> list[_Plan]:
    """Plan one chunk of a group with the chunk's own random sequence."""
    generator.rng = random.Random(seed)
    return [generator.plan(p) for p in group[start : start + CHUNK]]


def _plan_chunk(job: tuple[int, int, int]) -> list[_Plan]:
    """In a worker: plan a chunk and strip what the parent holds already, for a small pickle."""
    assert _FORKED is not None
    generator, groups = _FORKED
    g, start, seed = job
    plans = _plan(generator, groups[g], start, seed)
    for p in plans:
        p.v, p.receiving, p.code_agency = p.v.id, p.receiving.pk, p.code_agency.pk
    return plans


def _restore(p: _Plan, versions: dict, agencies: dict) -> None:
    p.v, p.receiving, p.code_agency = versions[p.v], agencies[p.receiving], agencies[p.code_agency]


def summary(report: SeedReport) -> dict[str, Any]:
    """Counts for printing: per status in workflow order, per channel, rows per table."""
    return {
        "status": [(str(label), report.by_status.get(value, 0)) for value, label in S.choices],
        "channel": [(str(label), report.by_channel.get(value, 0)) for value, label in Channel.choices],
        "rows": sorted(report.rows.items()),
    }
