import itertools
import socket

import pytest

from api.models import WebhookDelivery, WebhookSubscription
from api.tests.receivers import Receiver, Resolver
from api.webhook_signing import secret_generate
from api.webhooks import subscription_start

_event_ids = itertools.count(1)


@pytest.fixture
def resolver(monkeypatch):
    """Answers for made-up host names, at the operating system's boundary (receivers.Resolver)."""
    fake = Resolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", fake)
    return fake


@pytest.fixture
def receiver():
    """A receiver that accepts everything, on 127.0.0.1; stopped after the test."""
    started = Receiver().start()
    yield started
    started.stop()


@pytest.fixture
def local_receivers_allowed(settings):
    settings.DESK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]


def subscribe(url: str, *, events=("solved",), secret: str | None = None, name: str = "Status page"):
    """A subscription as the admin form saves it (from the feed's end), with a Standard Webhooks secret."""
    sub = WebhookSubscription(name=name, url=url, events=list(events))
    sub.secret = secret or secret_generate()
    subscription_start(sub)
    sub.save()
    return sub


def queue_delivery(sub: WebhookSubscription, *, ticket_id: int = 1, **fields) -> WebhookDelivery:
    """A delivery as api.webhooks.deliveries_queue makes it, for tests about sending only."""
    event_id = next(_event_ids)
    payload = {"event": "ticket.solved", "ticket": ticket_id, "history_event": {"id": event_id}}
    return WebhookDelivery.objects.create(
        subscription=sub, event_id=event_id, ticket_id=ticket_id, event="solved", payload=payload, **fields
    )
