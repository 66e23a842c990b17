from celery import shared_task

from stories.detector import stories_detect


@shared_task(name="stories.detect", ignore_result=True)
def detect() -> dict[str, int]:
    """Tickets not read by the detector after their ingest (a worker was down, a failed run) join stories within a
    minute; reading is once per ticket and runs are serialised, so this is safe beside the after-ingest runs."""
    result = stories_detect()
    return {"read": result.read, "joined": result.joined, "made": result.made}


# acks_late: a worker lost mid-way leaves the message to another, which sends what is still queued; each ticket's
# post carries its draft's key, so nothing is posted twice.
@shared_task(name="stories.answer_send", acks_late=True, ignore_result=True)
def answer_send(story_id: int, user_id: int) -> dict[str, int]:
    """Send a story's queued drafts (one answer to many): stories.services.sending."""
    from stories.services import story_replies_send

    return story_replies_send(story_id=story_id, user_id=user_id)
