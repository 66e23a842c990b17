"""Sign-in work outside the request. Thin: access.notices holds the logic."""

from __future__ import annotations

import smtplib

from celery import shared_task


# Retried only when the mail server could not be reached or hung up; a refused address is not retried.
@shared_task(
    name="access.sign_in_failures_notify",
    ignore_result=True,
    acks_late=True,
    autoretry_for=(smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def sign_in_failures_notify(user_id: int) -> bool:
    from access.notices import owner_notify

    return owner_notify(user_id=user_id)
