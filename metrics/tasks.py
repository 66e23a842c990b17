from celery import shared_task

from metrics.rollups import rollups_refresh
from metrics.services import business_seconds_recompute


@shared_task(name="metrics.business_seconds_recompute", acks_late=True, ignore_result=True)
def recompute_business_seconds() -> int:
    return business_seconds_recompute()


@shared_task(name="metrics.rollups_refresh", ignore_result=True)
def refresh_rollups() -> dict[str, int]:
    """Rebuild the KPI rollups of the days changed since the last read, so pages rarely have to."""
    return rollups_refresh()


@shared_task(name="metrics.community_ahead", ignore_result=True)
def community_ahead() -> int:
    """The Community page's usual ranges ranked before a manager asks (metrics.community.ahead): idempotent, a run
    on a day already ranked only reads the people of today met since the last."""
    from metrics.community.ahead import members_ahead

    return members_ahead()


@shared_task(name="metrics.reports_send", ignore_result=True)
def reports_send() -> dict[str, int]:
    """Scheduled reports (metrics.reports): idempotent, each period is recorded as sent when queued, so a late
    or doubled beat sends nothing twice; deliveries carry their own attempts."""
    from metrics.reports import reports_run

    return reports_run()
