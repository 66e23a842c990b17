"""The demo's Slack-originated ticket (`manage.py seed_demo` runs it): a teammate shared a customer's question in
the internal #customer-success channel and pressed *Create ticket* on it. The shortcut's delivery, in Slack's
documented message-shortcut shape, is stored as the desk's Slack endpoint stores it (slackapp.bolt.event_store)
and worked as the worker works it (slackapp.tasks.event_work): the same handler (slackapp.tickets) makes the ticket
on the desk's Slack channel, the permalink falls back to the workspace's archive address (no Slack on the demo
network), and the ticket's link waits in the outbox for a Slack token. Made only on the demo network
(DESK_DEMO_REPLAY), like the week: the workspace and channel are made up, and a desk that reaches Slack must not
ask it about them. Idempotent: the demo workspace's delivery is stored once."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.management import BaseCommand
from django.utils import timezone

from slackapp.bolt import event_store
from slackapp.deliveries import delivery_key, delivery_kind
from slackapp.models import SlackEvent
from slackapp.tasks import event_work

TEAM = {"id": "T0DEMODESK", "domain": "gitlab-demo"}
TEAMMATE = {"id": "U0DEMOSAM", "name": "sam.okafor"}
CHANNEL = {"id": "C0DEMOCS01", "name": "customer-success"}
# Its first line becomes the ticket's subject, as any message's does.
QUESTION = (
    "Customer question from Northwind: does the GitLab agent for Kubernetes work behind an NTLM proxy?\n"
    "They're on Premium (250 seats, self-managed 18.5); their platform team runs the agent behind a proxy that "
    "needs NTLM auth, and it disconnects every few minutes. Is NTLM supported, or should they open the proxy for "
    "kas? They asked for an answer before their change window on Thursday."
)
# What a reader makes of it (as the demo threads' `truth`, channels/demo/threads/thread.py): a customer's question for
# the team, brought by a teammate.
TRUTH = "needs_response"
HOURS_AGO = 20  # yesterday afternoon (Europe), waiting on the queue this morning


def demo_shortcut(*, at_ts: str) -> dict:
    """The *Create ticket* message shortcut's payload (api.slack.com/reference/interaction-payloads/shortcuts,
    as slackapp/tests/fixtures/message_action.json records it) on the teammate's message posted at `at_ts`."""
    return {
        "type": "message_action",
        "token": "demo-slack-verification-token",
        "action_ts": at_ts,
        "team": TEAM,
        "user": TEAMMATE,
        "channel": CHANNEL,
        "callback_id": "create_ticket",
        "trigger_id": f"demo.{TEAM['id']}.{at_ts}",
        "message_ts": at_ts,
        "message": {"type": "message", "user": TEAMMATE["id"], "text": QUESTION, "ts": at_ts},
        "response_url": "",
    }


class Command(BaseCommand):
    help = "Seed the demo's ticket made from a Slack message with the Create ticket shortcut (run by seed_demo)."

    def handle(self, *args, **options):
        if not settings.DESK_DEMO_REPLAY or SlackEvent.objects.filter(team_id=TEAM["id"]).exists():
            return
        posted = timezone.now() - timedelta(hours=HOURS_AGO)
        body = demo_shortcut(at_ts=f"{int(posted.timestamp())}.000200")
        row = event_store(key=delivery_key(body), kind=delivery_kind(body), body=body)
        if row is not None:
            status = event_work(row.pk)  # the worker may not run yet: seed_demo runs before it starts
            self.stdout.write(f"Slack: a teammate's Create ticket shortcut on #{CHANNEL['name']} ({status}).")
