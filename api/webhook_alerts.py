"""E-mail to the desk's admins when a webhook subscription is paused (and when it delivers again), once
each time: sent after the transaction that paused it commits, never raised into the delivery."""

from __future__ import annotations

import logging
import smtplib
from typing import Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Count, Q
from django.urls import reverse

from api.models import WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)


def subscription_alert(*, subscription_id: int, what: Literal["paused", "resumed"]) -> int:
    """Mail every active superuser with an address. Returns how many were mailed."""
    sub = (
        WebhookSubscription.objects.filter(pk=subscription_id)
        .annotate(waiting=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.PENDING)))
        .first()
    )
    if sub is None:
        return 0
    recipients = list(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    if not recipients:
        logger.warning("webhook %s: %s, and no active superuser has an e-mail address to tell", sub.name, what)
        return 0
    # Scheme and host only: a receiver's path or query may hold a token of its own.
    where = "{0.scheme}://{0.netloc}".format(urlsplit(sub.url))
    link = settings.SITE_URL + reverse("admin:api_webhooksubscription_change", args=[sub.pk])
    if what == "paused":
        subject = f"Webhook “{sub.name}” paused: its receiver has failed since {sub.failing_since:%Y-%m-%d %H:%M} UTC"
        body = (
            f"Every delivery to {where} has failed since {sub.failing_since:%Y-%m-%d %H:%M} UTC "
            f"({sub.consecutive_failures} attempts; last: {sub.last_failure}).\n\n"
            f"{sub.waiting} deliveries are waiting, in order; none is lost. The desk tries the oldest once an "
            "hour and resumes by itself on the first success. Once the receiver is fixed, “Resume now” sends "
            f"them at once:\n{link}\n"
        )
    else:
        subject = f"Webhook “{sub.name}” delivers again"
        body = (
            f"{where} accepted a delivery again; the {sub.waiting} waiting deliveries are going out in order.\n{link}\n"
        )
    try:
        send_mail(subject, body, None, recipients)
    except (OSError, smtplib.SMTPException):
        logger.exception("webhook %s: could not e-mail the admins that it is %s", sub.name, what)
        return 0
    return len(recipients)
