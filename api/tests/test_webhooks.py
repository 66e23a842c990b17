"""Outgoing webhooks: a ticket solved is POSTed to the subscriber signed, retried after a failure,
and never sent twice; events nobody subscribed to, or from before the subscription, are not sent."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
import responses
from django.utils import timezone

from api.models import WebhookDelivery, WebhookSubscription
from api.webhooks import deliveries_queue, deliveries_send, subscription_start
from mentions.services import ticket_change_status
from mentions.tests.factories import AdvocateFactory, TicketFactory, UserFactory

# The change feed serves committed events only (mentions.change_feed): these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)

RECEIVER = "https://hooks.example.com/desk"
SECRET = "a-shared-secret-of-some-length"


def _subscribe(events: list[str]) -> WebhookSubscription:
    sub = WebhookSubscription(name="Status page", url=RECEIVER, events=events)
    sub.secret = SECRET
    subscription_start(sub)
    sub.save()
    return sub


def _verified(call) -> dict:
    """What a receiver does: recompute the signature over the exact body with the shared secret."""
    body = call.request.body
    timestamp = call.request.headers["X-Desk-Timestamp"]
    expected = "sha256=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(call.request.headers["X-Desk-Signature"], expected)
    return json.loads(body)


@responses.activate
def test_a_solved_ticket_is_delivered_once_through_a_failure_and_a_retry():
    ada = AdvocateFactory(username="ada")
    old = TicketFactory(assignee=ada)
    ticket_change_status(ticket=old, user=ada, status="solved")  # before the subscription: not sent
    sub = _subscribe(["solved"])
    ticket = TicketFactory(assignee=ada)
    ticket_change_status(ticket=ticket, user=ada, status="solved")
    ticket_change_status(ticket=ticket, user=ada, status="open")  # not subscribed: not sent
    responses.post(RECEIVER, status=503)
    responses.post(RECEIVER, status=204)

    assert deliveries_queue() == 1
    assert deliveries_send() == {"delivered": 0, "retrying": 1, "failed": 0}
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 503)
    assert row.next_attempt_at > timezone.now() + timedelta(seconds=25)  # backoff: not before it is due
    assert deliveries_send() == {"delivered": 0, "retrying": 0, "failed": 0}

    later = timezone.now() + timedelta(seconds=31)
    assert deliveries_send(now=later) == {"delivered": 1, "retrying": 0, "failed": 0}
    assert len(responses.calls) == 2
    first, second = (_verified(call) for call in responses.calls)
    assert first == second
    assert second["event"] == "ticket.solved" and second["ticket"] == ticket.pk and second["actor"] == "ada"
    assert responses.calls[1].request.headers["X-Desk-Delivery"] == str(row.pk)

    # Never twice: the queue and the sender run again and again, nothing more is sent.
    for _ in range(3):
        assert deliveries_queue() == 0
        assert deliveries_send(now=later + timedelta(hours=2))["delivered"] == 0
    assert len(responses.calls) == 2
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 2, 204)
    assert sub.deliveries.count() == 1


@responses.activate
def test_a_receiver_that_keeps_failing_ends_failed_in_the_delivery_log(admin_client):
    ada = AdvocateFactory()
    _subscribe(["solved"])
    ticket = TicketFactory(assignee=ada)
    ticket_change_status(ticket=ticket, user=ada, status="solved")
    responses.post(RECEIVER, body=ConnectionError("refused"))
    deliveries_queue()
    now = timezone.now()
    for attempt in range(8):
        deliveries_send(now=now + timedelta(hours=2 * attempt))
    row = WebhookDelivery.objects.get()
    assert (row.status, row.attempts) == ("failed", 8)
    assert "refused" in row.last_error
    page = admin_client.get("/admin/api/webhookdelivery/").content.decode()
    assert "Failed" in page and "refused" in page


def test_the_secret_is_stored_encrypted_and_never_shown(admin_client):
    response = admin_client.post(
        "/admin/api/webhooksubscription/add/",
        {"name": "BI", "url": RECEIVER, "events": ["created", "breached"], "secret": SECRET, "active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    sub = WebhookSubscription.objects.get()
    assert sub.secret == SECRET and SECRET not in sub.secret_encrypted
    page = admin_client.get(f"/admin/api/webhooksubscription/{sub.pk}/change/").content.decode()
    assert SECRET not in page


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client
