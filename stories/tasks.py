from celery import shared_task

from stories.detection.detector import stories_detect
from stories.detection.prune import stories_prune
from stories.detection.spikes import spike_alerts_send, spikes_check
from stories.incidents.polling import status_poll


@shared_task(name="stories.detect", ignore_result=True)
def detect() -> dict[str, int]:
    """Tickets not read by the detector after their ingest (a worker was down, a failed run) join stories within a
    minute; reading is once per ticket and runs are serialised, so this is safe beside the after-ingest runs. It
    also looks below the newest ticket read, for any whose ingest committed late."""
    result = stories_detect(sweep=True)
    return {"read": result.read, "joined": result.joined, "made": result.made}


@shared_task(name="stories.status_poll", ignore_result=True)
def status_poll_due() -> dict[str, int]:
    """The status feeds that are due, each read with a conditional GET (stories.incidents.polling)."""
    return status_poll()


@shared_task(name="stories.spikes", ignore_result=True)
def spikes() -> dict[str, int]:
    """Spikes the after-ingest runs missed (a quiet minute still ends an hour), then the alerts still to post."""
    made = spikes_check()
    return {**made, "sent": spike_alerts_send()}


@shared_task(name="stories.spike_alerts_send", ignore_result=True)
def spike_alerts_post() -> int:
    """Queued on commit when a spike alert was made; the alert rows are the outbox (stories.detection.spikes)."""
    return spike_alerts_send()


@shared_task(name="stories.prune", ignore_result=True)
def prune() -> dict[str, int]:
    """The detector's index past the window, term counts and signatures past the background's weeks
    (stories.detection.prune)."""
    return stories_prune()


# acks_late: a worker lost mid-way leaves the message to another, which sends what is still queued; each ticket's
# post carries its draft's key, so nothing is posted twice.
@shared_task(name="stories.answer_send", acks_late=True, ignore_result=True)
def answer_send(story_id: int, user_id: int) -> dict[str, int]:
    """Send a story's queued drafts (one answer to many): stories.answering.sending."""
    from stories.answering.sending import story_replies_send

    return story_replies_send(story_id=story_id, user_id=user_id)


@shared_task(name="stories.issues_follow", ignore_result=True)
def issues_follow() -> dict[str, int]:
    """Read the linked issues that are due (each at most every DESK_ISSUE_FOLLOW_MINUTES); draft follow-ups for those
    that closed or got a milestone (stories.issues.follow)."""
    from stories.issues.follow import issues_follow as follow

    return follow()


# acks_late: a worker lost mid-way leaves the message to another; each follow-up's post carries its own key.
@shared_task(name="stories.issue_followups_send", acks_late=True, ignore_result=True)
def issue_followups_send(issue_id: int, user_id: int) -> dict[str, int]:
    """Send an issue's queued follow-ups (stories.issues.sending)."""
    from stories.issues.sending import followups_send

    return followups_send(issue_id=issue_id, user_id=user_id)


@shared_task(name="stories.releases", ignore_result=True)
def releases() -> dict[str, int]:
    """Release day prepared: the due release feeds read (stories.releases.polling), then the plans whose release is
    tomorrow or today opened as stories and kept live through the day (stories.releases.opening)."""
    from stories.releases.opening import releases_open
    from stories.releases.polling import release_sources_poll

    return {**release_sources_poll(), **releases_open()}
