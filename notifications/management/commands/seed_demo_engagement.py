"""The demo's team engagement (`manage.py seed_demo` runs it, after the experts and the answers): the experts who
answered the demo's outreaches answer in public on the ticket's platform, two add to answers of weeks ago, and a
share to Slack is answered there by another team member, each read through the ingest as the thread watcher would
bring it, so the monthly report's "Team engagement" counts distinct members, platforms and the share. Idempotent:
the answers keep their platform ids, and the share is made once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand

from channels.adapters.base import IncomingMention
from experts.models import Expert, ExpertIdentity, Outreach
from intake.pipeline import mentions_ingest
from mentions.models import Message, Ticket, TicketEvent
from notifications.share import ticket_share

# Each expert's handle on whichever platform they answer on in the demo.
HANDLES = {"Vera Runner": "vera_ci", "Pat Registry": "pat_pkg", "Cory Diff": "corydiff"}
ANSWERS = {
    "registry": "The registry's pull limit counts per IP for anonymous pulls: sign in with a deploy token and "
    "the limit goes away. Docs: https://docs.gitlab.com/ee/user/packages/container_registry/",
    "kubernetes": "The agent needs the `kas` address of your instance, not gitlab.com's: set "
    "`config.kasAddress` in the Helm values and it connects.",
}
# Weeks ago (answers' seed_demo_answers): an expert added to our answer on two of the questions answered then, so
# the report's default month (the last full one, which those usually fall in) has team engagement too.
EARLIER = {
    "stackexchange": (
        "Vera Runner",
        "To add to that: the helper image's tag must match the runner's version exactly (`x86_64-v17.5.0`), or the "
        "pods fail with the same ErrImagePull.",
    ),
    "discourse": (
        "Cory Diff",
        "If the queue was not paused: `gitlab-rake gitlab:background_migrations:status` shows a migration stuck on "
        "the pipelines table; retrying it from the admin area unblocks them.",
    ),
}
# The demo week's forum question about review apps (channels.demo.week), which no story takes.
SHARE_SUBJECT, SHARE_CHANNEL, SHARER = "review apps", "#dev-questions", "Cory Diff"
SHARE_ANSWER = (
    "Review apps work with the agent: give the environment a `kubernetes:agent:` and an `on_stop` job, and each "
    "merge request gets its own namespace, removed when it merges. Example: https://docs.gitlab.com/ee/ci/review_apps/"
)


class Command(BaseCommand):
    help = "Seed the demo's public answers by team members and a share answered after it (run by seed_demo)."

    def handle(self, *args: Any, **options: Any) -> None:
        answered = 0
        for outreach in Outreach.objects.filter(status=Outreach.Status.ANSWERED).select_related("ticket", "expert"):
            tag = next((t for t in ANSWERS if outreach.ticket.tags.filter(name=t).exists()), None)
            if tag and outreach.answered_at:
                answered += self._answer(outreach.ticket, outreach.expert, ANSWERS[tag], outreach.answered_at)
        for kind, (name, text) in EARLIER.items():
            first = Message.objects.filter(external_id__startswith=f"demo-answered-{kind}-", parent_external_id="")
            found = first.select_related("ticket").first()
            expert = Expert.objects.filter(name=name).first()
            if found and found.ticket and expert:
                answered += self._answer(found.ticket, expert, text, found.platform_created_at + timedelta(hours=4))
        answered += self._share()
        self.stdout.write(f"Demo team engagement: {answered} public answer(s) by team members read.")

    def _answer(self, ticket: Ticket, expert: Expert, text: str, at: datetime) -> int:
        handle = HANDLES.get(expert.name)
        first = ticket.messages.filter(kind=Message.Kind.INBOUND).order_by("platform_created_at", "pk").first()
        if handle is None or first is None or not first.external_id:
            return 0
        ExpertIdentity.objects.get_or_create(kind=ticket.channel.kind, handle=handle, defaults={"expert": expert})
        external_id = f"{first.external_id}-team-{handle}"
        base = first.permalink.split("#")[0] if first.permalink else ""
        mention = IncomingMention(
            external_id=external_id,
            created_at=at,
            text=text,
            author_handle=handle,
            author_name=expert.name,
            permalink=f"{base}#{external_id}" if base else "",
            parent_id=first.external_id,
            thread_id=first.thread_external_id or first.external_id,
        )
        return mentions_ingest(channel=ticket.channel, mentions=[mention]).our_replies

    def _share(self) -> int:
        expert = Expert.objects.filter(name=SHARER).first()
        made = TicketEvent.objects.filter(kind=TicketEvent.Kind.NOTE, data__slack_share=SHARE_CHANNEL).first()
        ticket = made.ticket if made else self._share_ticket()
        if ticket is None or expert is None:
            return 0
        if made is None:
            advocate = get_user_model().objects.filter(username="advocate").first()
            ticket_share(ticket=ticket, channel=SHARE_CHANNEL, note="Cory, is this one yours?", actor=advocate)
            # Shared half an hour after the mention came in, as on the demo's week, not at seeding time.
            TicketEvent.objects.filter(
                ticket=ticket, kind=TicketEvent.Kind.NOTE, data__slack_share=SHARE_CHANNEL
            ).update(created_at=ticket.requested_at + timedelta(minutes=30))
        return self._answer(ticket, expert, SHARE_ANSWER, ticket.requested_at + timedelta(hours=3))

    def _share_ticket(self) -> Ticket | None:
        return Ticket.objects.filter(subject__icontains=SHARE_SUBJECT).order_by("pk").first()
