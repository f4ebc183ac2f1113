"""One run of the generator in one transaction, and its report."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from demo.seeding.context import _Context
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


def demo_dossiers_create(*, count: int, seed: int, today: dt.date | None = None) -> SeedReport:
    """Create `count` demo dossiers in every status in one transaction, with bulk writes only.

    Needs the agency tree, the demo users (seed_demo) and procedure versions in force. Codes continue each
    (agency, day) sequence after its counter row, so a second run adds dossiers without breaking a sequence.
    """
    report = SeedReport()
    if count <= 0:
        return report
    started = time.perf_counter()
    today = today or timezone.localdate()
    statuses, channels = Counter(), Counter()
    with transaction.atomic():
        context = _Context.load(today=today)
        generator = _Generator(context, random.Random(seed), today)
        groups = generator.bases(count)
        writer = _Writer(context, groups, today)
        # Codes are numbered per agency, so each code agency's dossiers can be written while the next are planned.
        try:
            for group in groups:
                planned = time.perf_counter()
                plans = [generator.plan(p) for p in group]
                report.build_seconds += time.perf_counter() - planned
                writer.write(plans)
                statuses.update(p.d["status"] for p in plans)
                channels.update(p.d["channel"] for p in plans)
        except BaseException:
            writer.abort()
            raise
        report.rows = writer.finish()
    report.write_seconds = time.perf_counter() - started - report.build_seconds
    report.dossiers = sum(statuses.values())
    report.by_status, report.by_channel = dict(statuses), dict(channels)
    return report


def summary(report: SeedReport) -> dict[str, Any]:
    """Counts for printing: per status in workflow order, per channel, rows per table."""
    return {
        "status": [(str(label), report.by_status.get(value, 0)) for value, label in S.choices],
        "channel": [(str(label), report.by_channel.get(value, 0)) for value, label in Channel.choices],
        "rows": sorted(report.rows.items()),
    }
