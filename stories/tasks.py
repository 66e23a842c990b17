from celery import shared_task

from stories.detector import stories_detect
from stories.status_feeds import status_poll


@shared_task(name="stories.detect", ignore_result=True)
def detect() -> dict[str, int]:
    """Tickets not read by the detector after their ingest (a worker was down, a failed run) join stories within a
    minute; reading is once per ticket and runs are serialised, so this is safe beside the after-ingest runs."""
    result = stories_detect()
    return {"read": result.read, "joined": result.joined, "made": result.made}


@shared_task(name="stories.status_poll", ignore_result=True)
def status_poll_due() -> dict[str, int]:
    """The status feeds that are due, each read with a conditional GET (stories.status_feeds)."""
    return status_poll()
