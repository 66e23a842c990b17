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
