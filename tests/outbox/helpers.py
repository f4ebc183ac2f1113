"""Helpers for tests that talk to the real broker and worker."""

import time
from collections.abc import Callable
from contextlib import contextmanager

from portal.celery import app

CLOSED_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: a connection is refused at once


def wait_for(condition: Callable[[], bool], *, timeout: float = 20, what: str = "the condition") -> None:
    """Poll until `condition()` holds; fail after `timeout` seconds (a bound on waiting, never an assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@contextmanager
def broker_at(url: str):
    """Point this process's Celery app at another broker for the block (the shared Redis server stays up)."""
    previous = app.conf.broker_url
    app.conf.broker_url = url
    try:
        yield
    finally:
        app.conf.broker_url = previous


@contextmanager
def not_eager():
    """Send tasks to the broker instead of running them in-process, as production does."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = previous
