"""Issue 26, item 5: outgoing webhooks lose nothing. A receiver down for two hours gets every delivery
after it returns, in event order, once; the subscription is paused on the way (its admins e-mailed once)
and resumes by itself; a later event never overtakes an earlier one; one sender per subscription; a
worker killed mid-send leaves a "sending" row that is reclaimed and sent again with the same webhook-id,
which the receiver drops as a duplicate.

Receivers are real HTTP servers (api/tests/receivers.py) that verify each delivery with the
`standardwebhooks` library, as the Standard Webhooks specification tells receivers to. The clock is
stepped through the services' `now` parameter; nothing of the desk's own code is mocked.
"""

import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import current_app
from django.core import mail
from django.db import connection
from django.utils import timezone

from api.models import WebhookDelivery, WebhookSubscription
from api.tests.conftest import queue_delivery, subscribe
from api.tests.receivers import Receiver, processed_once, subprocess_env, verified
from api.webhook_delivery import deliveries_reclaim, subscription_deliver, subscriptions_due
from api.webhooks import deliveries_queue
from mentions.services import ticket_change_status
from mentions.tests.factories import AdvocateFactory, TicketFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("local_receivers_allowed")]

ROOT = Path(__file__).resolve().parents[2]


def _tick(now) -> None:
    """One beat tick, in this thread: queue from the feed, then each due subscription's run."""
    deliveries_queue()
    for subscription_id in subscriptions_due(now=now):
        subscription_deliver(subscription_id=subscription_id, now=now)


def _solve(n: int) -> list[int]:
    ada = AdvocateFactory()
    tickets = [TicketFactory(assignee=ada) for _ in range(n)]
    for ticket in tickets:
        ticket_change_status(ticket=ticket, user=ada, status="solved")
    return [t.pk for t in tickets]


def test_a_receiver_down_for_two_hours_gets_everything_after_it_returns(settings):
    settings.DESK_WEBHOOK_PAUSE_AFTER_HOURS = 1
    UserFactory(is_superuser=True, is_staff=True, email="ops@example.com")
    UserFactory(is_superuser=True, is_active=False, email="gone@example.com")
    UserFactory(is_staff=True, email="staff@example.com")
    receiver = Receiver().start()
    sub = subscribe(receiver.url(), name="Status page")
    receiver.stop()  # down from the start

    solved = _solve(3)
    deliveries_queue()
    start = timezone.now()  # the simulated clock starts once they are queued (due at once)
    attempts_while_down, paused_at_minute, arrived_at_minute = 0, None, None
    for minute in range(0, 151):
        now = start + timedelta(minutes=minute)
        if minute == 30:
            solved += _solve(2)  # more events while it is down
        if minute == 120:
            receiver = Receiver(port=receiver.port).start()  # back up, same address
        _tick(now)
        sub.refresh_from_db()
        if minute < 120:
            attempts_while_down = WebhookDelivery.objects.order_by("id")[0].attempts
        if paused_at_minute is None and sub.paused_at:
            paused_at_minute = minute
            assert len(mail.outbox) == 1
        if arrived_at_minute is None and receiver.requests:
            arrived_at_minute = minute
    receiver.stop()

    # Every event arrived, in the order it happened, once, and verified.
    bodies = [verified(request, sub.secret) for request in receiver.requests]
    assert [body["ticket"] for body in bodies] == solved
    assert len(processed_once(receiver.requests)) == len(receiver.requests) == 5
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    # Tried 30 s, 1, 2, 4... minutes apart, at most an hour: paused after an hour of failures.
    assert attempts_while_down == 8
    assert paused_at_minute == 64
    assert arrived_at_minute == 124  # the hourly try after the pause, the first after it came back
    sub.refresh_from_db()
    assert (sub.paused_at, sub.failing_since, sub.consecutive_failures) == (None, None, 0)
    # The admins were told once that it paused and once that it delivers again; only active superusers.
    assert [message.to for message in mail.outbox] == [["ops@example.com"], ["ops@example.com"]]
    paused, resumed = mail.outbox
    assert "“Status page” paused" in paused.subject and "connection refused" in paused.body
    assert "5 deliveries are waiting" in paused.body and "none is lost" in paused.body
    assert f"/admin/api/webhooksubscription/{sub.pk}/change/" in paused.body
    assert "delivers again" in resumed.subject
    print(
        f"\nreceiver down at minute 0, back at 120: {attempts_while_down} attempts while down, paused at "
        f"minute {paused_at_minute}, all 5 delivered at minute {arrived_at_minute}, in order, once"
    )


def test_a_later_event_never_overtakes_an_earlier_one(receiver):
    """The receiver refuses the first delivery for a while and would take the second: the second waits."""
    accept_first = threading.Event()
    receiver.status_for = lambda request: 204 if accept_first.is_set() or b'"ticket":1' not in request.body else 500
    sub = subscribe(receiver.url())
    first, second = queue_delivery(sub, ticket_id=1), queue_delivery(sub, ticket_id=2)
    now = timezone.now()
    for minute in range(10):
        _tick(now + timedelta(minutes=minute))
    assert {request.body.count(b'"ticket":1') for request in receiver.requests} == {1}  # only the first, retried
    accept_first.set()
    _tick(now + timedelta(minutes=20))
    tickets = [verified(request, sub.secret)["ticket"] for request in receiver.requests]
    assert tickets[-2:] == [1, 2] and tickets.count(2) == 1
    first_at = WebhookDelivery.objects.get(pk=first.pk).delivered_at
    second_at = WebhookDelivery.objects.get(pk=second.pk).delivered_at
    assert first_at is not None and second_at is not None
    assert first_at <= second_at


def test_one_sender_per_subscription_at_a_time():
    """Two workers start on the same subscription at once (their own database connections): one sends,
    in order; the other finds it busy. The receiver never sees two of its requests at the same time."""
    receiver = Receiver(mode="hold").start()
    sub = subscribe(receiver.url())
    rows = [queue_delivery(sub, ticket_id=i) for i in range(3)]
    runs = {}

    def worker(name):
        try:
            runs[name] = subscription_deliver(subscription_id=sub.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    assert receiver.arrived.wait(10)
    for _ in range(200):  # the other worker gives up at once
        if len(runs) == 1:
            break
        time.sleep(0.05)
    assert [run.status for run in runs.values()] == ["busy"]
    assert len(receiver.requests) == 1  # held: the next waits for it
    receiver.release.set()
    for thread in threads:
        thread.join(20)
    receiver.stop()
    assert sorted(run.status for run in runs.values()) == ["busy", "done"]
    assert sorted(run.delivered for run in runs.values()) == [0, 3]
    assert [r.headers["webhook-id"] for r in receiver.requests] == [r.webhook_id for r in rows]


def test_a_worker_killed_mid_send_is_reclaimed_and_the_receiver_dedupes():
    """A worker (a real process) is killed with SIGKILL while the receiver holds its request: the row
    stays "sending" and its subscription leased. Once an attempt cannot still be running, the row is
    pending again and goes out with the same webhook-id; the receiver processes it once."""
    receiver = Receiver(mode="hold").start()
    sub = subscribe(receiver.url())
    row = queue_delivery(sub)
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            f"from api.webhook_delivery import subscription_deliver; subscription_deliver(subscription_id={sub.pk})",
        ],
        cwd=ROOT,
        env=subprocess_env(DESK_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8"),
        stdout=subprocess.DEVNULL,
    )
    try:
        assert receiver.arrived.wait(60), "the worker never posted"
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        worker.kill()
    killed_at = timezone.now()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sending", 1)

    # Not before an attempt could still be running (deadline 10 s + 30 s), nor while the lease holds.
    assert deliveries_reclaim(now=killed_at + timedelta(seconds=5)) == 0
    assert subscriptions_due(now=killed_at + timedelta(seconds=5)) == []
    later = killed_at + timedelta(seconds=75)
    assert deliveries_reclaim(now=later) == 1
    assert subscriptions_due(now=later) == [sub.pk]
    receiver.mode, receiver.arrived = "answer", threading.Event()
    receiver.release.set()
    assert subscription_deliver(subscription_id=sub.pk, now=later).delivered == 1
    receiver.stop()

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("delivered", 2)
    assert [r.headers["webhook-id"] for r in receiver.requests] == [row.webhook_id, row.webhook_id]
    assert all(verified(r, sub.secret) for r in receiver.requests)
    assert processed_once(receiver.requests) == [row.webhook_id]


@pytest.fixture
def eager_celery():
    """Queued tasks run at once in this process (celery's own setting), for the admin actions' runs."""
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = False


def test_admins_see_the_state_resume_give_up_and_send_again(client, receiver, eager_celery):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    sub = subscribe(receiver.url(), name="Warehouse")
    first, second = queue_delivery(sub, ticket_id=1), queue_delivery(sub, ticket_id=2)
    receiver.status = 503
    subscription_deliver(subscription_id=sub.pk)
    WebhookSubscription.objects.filter(pk=sub.pk).update(paused_at=timezone.now(), paused_reason="answered 503")

    page = client.get("/admin/api/webhooksubscription/").content.decode()
    assert "Paused since" in page and "answered 503" in page and "Resume now" in page
    log = client.get("/admin/api/webhookdelivery/").content.decode()
    assert "answered 503" in log

    # Resume now: due at once and sent (the action queues the run; eager here).
    receiver.status = 204
    client.post("/admin/api/webhooksubscription/", {"action": "resume_now", "_selected_action": [sub.pk]})
    assert [verified(r, sub.secret)["ticket"] for r in receiver.requests[1:]] == [1, 2]
    sub.refresh_from_db()
    assert sub.paused_at is None and "Delivering" in client.get("/admin/api/webhooksubscription/").content.decode()

    # A delivery the receiver will never take can be given up, and sent again later.
    third, fourth = queue_delivery(sub, ticket_id=3), queue_delivery(sub, ticket_id=4)
    client.post("/admin/api/webhookdelivery/", {"action": "give_up", "_selected_action": [third.pk]})
    subscription_deliver(subscription_id=sub.pk)
    assert [verified(r, sub.secret)["ticket"] for r in receiver.requests[3:]] == [4]
    client.post("/admin/api/webhookdelivery/", {"action": "send_again", "_selected_action": [third.pk]})
    subscription_deliver(subscription_id=sub.pk)
    assert [verified(r, sub.secret)["ticket"] for r in receiver.requests[3:]] == [4, 3]
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert (first.pk, second.pk) < (third.pk, fourth.pk)
