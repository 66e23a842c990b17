from celery import shared_task

from stories.detector import stories_detect


@shared_task(name="stories.detect", ignore_result=True)
def detect() -> dict[str, int]:
    """Tickets not read by the detector after their ingest (a worker was down, a failed run) join stories within a
    minute; reading is once per ticket and runs are serialised, so this is safe beside the after-ingest runs."""
    result = stories_detect()
    return {"read": result.read, "joined": result.joined, "made": result.made}
