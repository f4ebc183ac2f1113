"""Site-wide tasks."""

from celery import shared_task


@shared_task(name="portal.ping")
def ping() -> str:
    """Answers "pong": lets the health check and tests prove a worker consumes the broker's queue."""
    return "pong"
