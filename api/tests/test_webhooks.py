"""Outgoing webhooks end to end: a ticket solved is queued from the change feed, POSTed to a real
receiver signed with the Standard Webhooks scheme (verified here with the `standardwebhooks` library,
as a receiver would: https://www.standardwebhooks.com/), retried after a failure with the same
webhook-id, and never sent twice; events nobody subscribed to, or from before the subscription, are not
sent. The old X-Desk-* headers still verify for one version (README before issue 26: HMAC-SHA256 of
"timestamp.body" with the secret's text)."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from api.models import WebhookDelivery, WebhookSubscription
from api.tests.conftest import subscribe
from api.tests.receivers import verified
from api.webhook_delivery import subscription_deliver, subscriptions_due
from api.webhooks import deliveries_queue
from mentions.services import ticket_change_status
from mentions.tests.factories import AdvocateFactory, TicketFactory, UserFactory

# The change feed serves committed events only (mentions.change_feed): these tests commit.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("local_receivers_allowed")]

LEGACY_SECRET = "a-shared-secret-of-some-length"


def _send(now=None) -> None:
    """What the beat and the delivery tasks do, in this thread: queue, then each due subscription."""
    deliveries_queue()
    for subscription_id in subscriptions_due(now=now):
        subscription_deliver(subscription_id=subscription_id, now=now)


def test_a_solved_ticket_is_delivered_once_through_a_failure_and_a_retry(receiver):
    ada = AdvocateFactory(username="ada")
    old = TicketFactory(assignee=ada)
    ticket_change_status(ticket=old, user=ada, status="solved")  # before the subscription: not sent
    sub = subscribe(receiver.url())
    ticket = TicketFactory(assignee=ada)
    ticket_change_status(ticket=ticket, user=ada, status="solved")
    ticket_change_status(ticket=ticket, user=ada, status="open")  # not subscribed: not sent
    receiver.status = 503

    _send()
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("pending", 1, 503, "answered 503")
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=25)  # backoff: not before it is due
    _send()
    assert len(receiver.requests) == 1

    receiver.status = 204
    later = timezone.now() + timedelta(seconds=31)
    _send(now=later)
    assert len(receiver.requests) == 2
    first, second = (verified(request, sub.secret) for request in receiver.requests)
    assert first == second
    assert second["event"] == "ticket.solved" and second["ticket"] == ticket.pk and second["actor"] == "ada"
    ids = {request.headers["webhook-id"] for request in receiver.requests}
    assert ids == {row.webhook_id} and row.webhook_id.startswith("msg_")

    # Never twice: the queue and the sender run again and again, nothing more is sent.
    for _ in range(3):
        _send(now=later + timedelta(hours=2))
    assert len(receiver.requests) == 2
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("delivered", 2, 204, "")
    assert sub.deliveries.count() == 1


@pytest.mark.parametrize("kind", ["generated whsec_ secret", "secret from before (raw text)"])
def test_a_receiver_verifies_with_the_standardwebhooks_library(receiver, kind):
    """Both kinds of secret verify with the library; the signature covers webhook-id, so a changed id
    (or body, or timestamp) fails; the old headers still verify for receivers not yet moved over."""
    sub = subscribe(receiver.url(), secret=None if kind.startswith("generated") else LEGACY_SECRET)
    ada = AdvocateFactory()
    ticket_change_status(ticket=TicketFactory(assignee=ada), user=ada, status="solved")
    _send()
    (request,) = receiver.requests
    secret = sub.secret
    assert secret.startswith("whsec_") == kind.startswith("generated")
    assert verified(request, secret)["event"] == "ticket.solved"

    key = secret if secret.startswith("whsec_") else secret.encode()
    earlier = str(int(request.headers["webhook-timestamp"]) - 1)  # still within the library's 5 minutes
    for header, value in [("webhook-id", "msg_other"), ("webhook-timestamp", earlier)]:
        with pytest.raises(WebhookVerificationError):
            Webhook(key).verify(request.body, {**request.headers, header: value})
    with pytest.raises(WebhookVerificationError):
        Webhook(key).verify(request.body.replace(b"solved", b"opened"), request.headers)

    # The scheme before Standard Webhooks, kept for one version.
    timestamp = request.headers["X-Desk-Timestamp"]
    legacy = hmac.new(secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Desk-Signature"] == f"sha256={legacy}"
    assert request.headers["X-Desk-Delivery"] == str(WebhookDelivery.objects.get().pk)
    assert request.headers["webhook-timestamp"] == timestamp


def test_the_secret_is_generated_stored_encrypted_and_never_shown_again(admin_client, resolver):
    resolver.answers["hooks.example.com"] = ["93.184.216.34"]
    page = admin_client.get("/admin/api/webhooksubscription/add/").content.decode()
    generated = page.split('name="secret" value="')[1].split('"')[0]
    assert generated.startswith("whsec_") and len(base64.b64decode(generated[6:])) == 32
    response = admin_client.post(
        "/admin/api/webhooksubscription/add/",
        {"name": "BI", "url": "https://hooks.example.com/desk", "events": ["created"], "secret": generated},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    sub = WebhookSubscription.objects.get()
    assert sub.secret == generated and generated not in sub.secret_encrypted
    page = admin_client.get(f"/admin/api/webhooksubscription/{sub.pk}/change/").content.decode()
    assert generated not in page
    # A key of the wrong size is refused beside the field.
    short = "whsec_" + base64.b64encode(b"x" * 8).decode()
    response = admin_client.post(
        f"/admin/api/webhooksubscription/{sub.pk}/change/",
        {"name": "BI", "url": "https://hooks.example.com/desk", "events": ["created"], "secret": short},
    )
    assert "must hold 24 to 64 bytes (this one holds 8)" in response.content.decode()


def test_the_payload_is_the_one_receivers_already_parse(receiver):
    sub = subscribe(receiver.url(), events=["solved"])
    ada = AdvocateFactory(username="ada")
    ticket = TicketFactory(assignee=ada)
    ticket_change_status(ticket=ticket, user=ada, status="solved")
    _send()
    body = verified(receiver.requests[0], sub.secret)
    assert set(body) == {"event", "ticket", "ticket_url", "history_event", "actor", "at"}
    assert json.loads(receiver.requests[0].body) == body
    assert receiver.requests[0].headers["Content-Type"] == "application/json"


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client
