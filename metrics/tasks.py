from celery import shared_task

from metrics.services import business_seconds_recompute


@shared_task(name="metrics.business_seconds_recompute", acks_late=True, ignore_result=True)
def recompute_business_seconds() -> int:
    return business_seconds_recompute()
