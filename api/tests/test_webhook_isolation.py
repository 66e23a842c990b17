"""Issue 26, item 5: one slow receiver never delays another. Before, deliveries went out one at a time
across all subscriptions, and a receiver trickling a byte every 5 s held its delivery (and every other
subscription's) far past the 10 s timeout. Here a real Celery worker, started as Procfile's `webhooks`
process is (its own queue, a thread pool, the Redis broker), takes the tasks the beat's dispatch queues:
a healthy receiver gets its delivery within 2 s while a receiver trickling one byte every 2 s is cut at
the 10 s deadline and its delivery recorded "timeout", to be retried.

Receivers are real HTTP servers on loopback (api/tests/receivers.py).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.models import WebhookDelivery
from api.tests.conftest import subscribe
from api.tests.receivers import Receiver, subprocess_env, verified
from api.webhook_delivery import deliveries_dispatch
from api.webhooks import deliveries_queue
from mentions.services import ticket_change_status
from mentions.tests.factories import AdvocateFactory, TicketFactory
from tests.local_processes import worker_stopped

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("local_receivers_allowed")]

ROOT = Path(__file__).resolve().parents[2]
DEADLINE = 10.0


@pytest.fixture
def webhook_worker(settings, tmp_path):
    """`celery worker -Q <queue> --pool=threads` on this test database, its own queue name so that no
    other test run's worker takes its tasks."""
    queue = f"webhooks-test-{os.getpid()}"
    settings.DESK_WEBHOOK_QUEUE = queue
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "advocacy",
                "worker",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--pool=threads",
                "--concurrency=4",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=subprocess_env(
                DESK_WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8",
                DESK_WEBHOOK_QUEUE=queue,
                DESK_WEBHOOK_DEADLINE_SECONDS=str(DEADLINE),
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(600):
            if b" ready." in log_path.read_bytes():
                break
            assert worker.poll() is None, log_path.read_text()
            time.sleep(0.1)
        else:
            pytest.fail("the worker did not start in 60 s:\n" + log_path.read_text())
        yield log_path
    finally:
        worker_stopped(worker, queue)


def test_a_trickling_receiver_does_not_delay_another_subscription(webhook_worker):
    trickler = Receiver(mode="trickle", trickle_every=2.0).start()
    healthy = Receiver().start()
    slow = subscribe(trickler.url(), name="Trickler")  # first: its task is queued first
    fine = subscribe(healthy.url(), name="Healthy")
    ada = AdvocateFactory()
    ticket_change_status(ticket=TicketFactory(assignee=ada), user=ada, status="solved")
    assert deliveries_queue() == 2

    started = time.monotonic()
    assert deliveries_dispatch() == 2  # what the beat's api.webhooks_run does: one task per subscription
    assert healthy.arrived.wait(30), webhook_worker.read_text()
    assert trickler.arrived.wait(30), webhook_worker.read_text()
    trickler_row = WebhookDelivery.objects.get(subscription=slow)
    for _ in range(300):
        trickler_row.refresh_from_db()
        # A queued delivery is "pending" with no attempt yet: wait for the attempt the deadline cut.
        if trickler_row.attempts and trickler_row.status == "pending":
            break
        time.sleep(0.1)
    recorded = time.monotonic() - started
    trickler.stop()
    healthy.stop()

    healthy_after = healthy.requests[0].at - started
    trickler_after = trickler.requests[0].at - started
    assert verified(healthy.requests[0], fine.secret)["event"] == "ticket.solved"
    assert WebhookDelivery.objects.get(subscription=fine).status == "delivered"
    assert (trickler_row.status, trickler_row.attempts, trickler_row.last_error) == ("pending", 1, "timeout")
    assert healthy_after < 2.0
    assert trickler_after < 2.0  # in flight the whole time the healthy one was delivered
    assert DEADLINE <= recorded - trickler_after < DEADLINE + 2
    print(
        f"\ntrickler's request arrived {trickler_after:.2f} s after dispatch; healthy receiver's delivery "
        f"{healthy_after:.2f} s; trickler's attempt cut and recorded 'timeout' {recorded:.2f} s after dispatch "
        f"(deadline {DEADLINE:.0f} s)"
    )
