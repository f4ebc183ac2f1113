"""A real `celery -A portal worker` in its own process, on the running test's database, for the tests that kill
one mid-task (tests/outbox/test_worker.py, tests/security/test_c32_worker_killed.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from privacy.backup import database_url as backup_database_url

ROOT = Path(settings.BASE_DIR)


def database_url() -> str:
    return backup_database_url(settings.DATABASES["default"])


def worker_start(name: str, log: Path, *, include: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A solo-pool worker named `name` loading the module `include` (the test's own tasks or gateway), which hands
    a lost worker's message out again after 2 s and looks for such messages every second."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CELERY_VISIBILITY_TIMEOUT": "2",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        **(env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo", "--without-mingle"]
    command += ["--without-gossip", "-I", include, "-n", f"{name}@%h", "--loglevel", "INFO"]
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)


def worker_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
