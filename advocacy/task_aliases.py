"""Celery task names that changed, accepted for one release. REMOVE IN THE NEXT RELEASE (with this module and
its import in advocacy/celery.py).

Each task's name is `<app>.<task>` of the app whose module defines it. Some were named after the app they
lived in before (polling was mentions', Slack was channels' and experts'). A message queued under an old name
before the upgrade (a poll the beat dispatched, an outreach retry counting down, a community post waiting on
Slack's Retry-After) must still run once a worker on the new code takes it: each old name is a thin task that
runs the renamed task's own function, with the alias's request (so a bound task's `retry` and retry count
work), and logs that the old name was used.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task

logger = logging.getLogger(__name__)

# Old name -> new name. Remove in the next release.
RENAMED: dict[str, str] = {
    "channels.poll_due": "intake.poll_due",
    "channels.poll": "intake.poll",
    "mentions.watch_threads": "intake.watch_threads",
    "mentions.tickets_ingested": "intake.tickets_ingested",
    "channels.slack_flush": "notifications.slack_flush",
    "mentions.urgent_sweep": "notifications.urgent_sweep",
    "mentions.front_page_announce": "notifications.front_page_announce",
    "mentions.coverage_digest": "notifications.coverage_digest",
    "experts.outreach_retry": "notifications.outreach_retry",
    "experts.community_post": "notifications.community_post",
}


def _alias(old: str, new: str) -> None:
    @shared_task(name=old, bind=True, ignore_result=True)
    def alias(self: Task, *args: Any, **kwargs: Any) -> Any:
        logger.info("celery: task %s ran under its old name %s (queued before the upgrade)", new, old)
        run = self.app.tasks[new].run
        # A bound task's function takes the task as its first argument: give it this one, whose request
        # is the message being run.
        function = getattr(run, "__func__", None)
        return function(self, *args, **kwargs) if function is not None else run(*args, **kwargs)


for _old, _new in RENAMED.items():
    _alias(_old, _new)
