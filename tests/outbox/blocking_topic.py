"""A test-only outbox topic for a worker started in a subprocess (`celery worker -I tests.outbox.blocking_topic`).

Its first call blocks, holding the message's row lock, until the test kills the worker; a later call counts one
effect. Both counters live in Redis under the run's own key, in the database named by REDIS_URL.
"""

import os
import time

import redis

from outbox.services import register_handler

TOPIC = "test.block_until_killed"
BLOCK_SECONDS = 30  # a bound, so a worker the test failed to kill still stops blocking


def counters(run: str) -> tuple[str, str]:
    return f"outbox-test:{run}:started", f"outbox-test:{run}:effects"


def block_until_killed(payload: dict, *, key: str) -> None:
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    started, effects = counters(payload["run"])
    if client.incr(started) == 1:
        time.sleep(BLOCK_SECONDS)
        raise RuntimeError("the test did not kill this worker")
    client.incr(effects)


register_handler(TOPIC, block_until_killed)
