from celery import shared_task

from stories.detector import stories_detect
from stories.prune import stories_prune
from stories.spikes import spike_alerts_send, spikes_check
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


@shared_task(name="stories.spikes", ignore_result=True)
def spikes() -> dict[str, int]:
    """Spikes the after-ingest runs missed (a quiet minute still ends an hour), then the alerts still to post."""
    made = spikes_check()
    return {**made, "sent": spike_alerts_send()}


@shared_task(name="stories.spike_alerts_send", ignore_result=True)
def spike_alerts_post() -> int:
    """Queued on commit when a spike alert was made; the alert rows are the outbox (stories.spikes)."""
    return spike_alerts_send()


@shared_task(name="stories.prune", ignore_result=True)
def prune() -> dict[str, int]:
    """The detector's index past the window, term counts and signatures past the background's weeks (stories.prune)."""
    return stories_prune()
