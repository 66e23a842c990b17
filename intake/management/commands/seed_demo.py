"""Demo data for the quick start: users, a replaying Hacker News channel and a channel of every other kind
with a week of conversations (intake/management/commands/_demo_week.py) and the month before it on eight public
platforms (_demo_month.py), views, a release-advocate rota from
this month on, the demo experts, and the team model as the demo's replay (mentions.assistant.demo: drafts, summaries
and second opinions, said to be the demo's), all stored through the real adapter and ingest service.

`--fresh` (`make demo-fresh`) starts over with a week ending today, on the embedded database only (_demo_fresh.py).

Safe to run again: existing users keep their passwords (`--reset-passwords` gives them new ones and ends their
sessions: they are signed out of every browser), history is only added once, and channels made before are left as
they were (polled or paused). The logins are printed last, framed, so they are the last thing seen before the desk
starts.
"""

import random
import secrets
from datetime import timedelta

from allauth.usersessions.adapter import get_adapter as usersessions_adapter
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from channels.adapters.hackernews import HackerNewsAdapter
from channels.adapters.hackernews.replay import DEMO_SLUG, demo_block, hit_for
from channels.demo.channels import DEMO_CHANNELS, demo_slug
from channels.demo.competitors import competitors_demo_ensure
from channels.demo.month import KINDS as MONTH_KINDS
from channels.models import Channel
from intake.pipeline import mentions_ingest
from mentions.coverage import coverage_load
from mentions.models import DutySettings, ReleaseRota, Rule, Tag, Ticket, TicketEvent, View
from mentions.permissions.roles import ADVOCATES, MANAGERS, roles_ensure
from mentions.services.team_model import team_model_demo_ensure

from ._demo_duty import duty_seed
from ._demo_fresh import demo_start_over
from ._demo_month import month_seed
from ._demo_products import competitor_products, products_seed
from ._demo_week import week_seed

RESET_COMMAND = "make demo-reset  (or: python manage.py seed_demo --reset-passwords)"
HN_SLUG = DEMO_SLUG
DEMO_SLUGS = [HN_SLUG, *(demo_slug(kind) for kind in DEMO_CHANNELS)]
TAGS = [
    "ci",
    "registry",
    "upgrade",
    "pricing",
    "kubernetes",
    "expert-responded",
    "reached-out-to-expert",
    "community-involvement",
]


class Command(BaseCommand):
    help = (
        "Create demo users, a Hacker News channel that replays bundled samples, a week of mentions on every "
        "other channel kind, views, the release rota and the demo experts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-passwords", action="store_true", help="Give the demo users new passwords and print them."
        )
        parser.add_argument(
            "--fresh",
            action="store_true",
            help="Start the demo over with a week ending today: the embedded database (SQLite under DESK_VAR_DIR) is "
            "made again and the demo users get new passwords. Refused on any other database.",
        )

    def handle(self, *args, **options):
        if options["fresh"]:
            self.stdout.write(demo_start_over())
        roles_ensure()
        logins = self._users(reset=options["reset_passwords"])
        existed = set(Channel.objects.filter(slug__in=DEMO_SLUGS).values_list("slug", flat=True))
        # Before any ticket is made: the worker judges the week with it (second opinions), then drafts and summarises.
        self.stdout.write(team_model_demo_ensure(replay=settings.DESK_DEMO_REPLAY))
        # Two products, GitLab and GitLab Runner, before any ticket: intake gives each ticket its product.
        products_seed()
        channel = self._channel()
        self._views(channel)
        # Share of voice: two made-up competitors, which the demo's Hacker News replay answers searches for.
        self.stdout.write(competitors_demo_ensure(competitor_products()))
        if not channel.tickets.exists():
            self._history(channel)
        advocate = get_user_model().objects.filter(username="advocate").first()
        week_seed(advocate=advocate)
        self._rota(advocate)
        # The experts app seeds its own demo directory (mentions does not know experts).
        call_command("seed_demo_experts", stdout=self.stdout)
        # And people theirs: who among the week's authors the team knows, contributions, codes and gifts.
        call_command("seed_demo_people", stdout=self.stdout)
        # And answers: questions answered weeks ago that this week asks again, saved replies, the index.
        call_command("seed_demo_answers", stdout=self.stdout)
        # And notifications the experts' public answers and a share answered on the platform (team engagement).
        call_command("seed_demo_engagement", stdout=self.stdout)
        # And slackapp its ticket: a teammate's Create ticket shortcut on a customer's question in an internal channel.
        call_command("seed_demo_slack", stdout=self.stdout)
        # And stories: the week read by the story detector, then the release day and an outage told on three platforms.
        call_command("seed_demo_stories", stdout=self.stdout)
        # And imports a sample export where admin's Start an import reads, for a newcomer to import offline.
        call_command("seed_demo_imports", stdout=self.stdout)
        # The month before the week, for the community figures (_demo_month): after the stories' detector has read the
        # week (the worker reads the month's tickets, as it judges them, behind the week's).
        if threads := month_seed(advocate=advocate):
            self.stdout.write(
                f"Demo: the month before the week, {threads} threads on {len(MONTH_KINDS)} platforms, answered and "
                "solved."
            )
        # The team's hours (two offices, a release-day duty) and a reply waiting for an advocate's approval.
        for made in duty_seed():
            self.stdout.write(f"Demo: {made}.")
        self.stdout.write(self._channels_said(existed))
        self.stdout.write(
            f"Demo ready: {Ticket.objects.count()} tickets on {Ticket.objects.values('channel').distinct().count()} "
            f"channels, {Ticket.objects.filter(status__in=Ticket.WAITING_STATUSES, assignee__isnull=True).count()} "
            "waiting."
        )
        self._print_logins(logins)

    def _channels_said(self, existed: set[str]) -> str:
        """What became of the demo's channels, as they are now: `make demo-reset` runs without DESK_DEMO_REPLAY and
        leaves the channels `make run` made as they were; only a channel made now without it is made paused."""
        demo = Channel.objects.filter(slug__in=DEMO_SLUGS)
        polled = demo.filter(enabled=True).count()
        said = f"Demo channels: {polled} polled, {demo.count() - polled} paused"
        made_now = [slug for slug in DEMO_SLUGS if slug not in existed]
        if settings.DESK_DEMO_REPLAY:
            return said + "."
        if not made_now:
            return said + ", left as they were (DESK_DEMO_REPLAY is off: none was read now)."
        return f"{said} (DESK_DEMO_REPLAY is off: the {len(made_now)} made now were made paused; none was read now)."

    def _users(self, *, reset: bool) -> list[tuple[str, str, str | None]]:
        """(username, role, new password or None when it was kept) for each demo user. A user given a new password
        is signed out of every browser: their sessions are ended (and the new password alone would end them at
        their next request)."""
        User = get_user_model()
        logins: list[tuple[str, str, str | None]] = []
        self.signed_out: list[str] = []
        for username, role in (("admin", None), ("manager", MANAGERS), ("advocate", ADVOCATES)):
            user = User.objects.filter(username=username).first()
            if user is not None and not reset:
                logins.append((username, role or "admin", None))
                continue
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_user(username=username, password=password)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
                usersessions_adapter().end_sessions(list(UserSession.objects.filter(user=user)))
                self.signed_out.append(username)
            if role is None:
                user.is_staff = user.is_superuser = True
                user.save()
            else:
                user.groups.add(Group.objects.get(name=role))
            logins.append((username, role or "admin", password))
        return logins

    def _print_logins(self, logins: list[tuple[str, str, str | None]]) -> None:
        """The logins in a frame, after everything else the command prints. A new password is printed once,
        here, so a newcomer can log in; it is never stored in clear."""
        lines = []
        for username, role, password in logins:
            shown = f"password: {password}" if password else "password unchanged (printed when it was made)"
            lines.append(f"user {username!r:<11} {role:<9} {shown}")
        if len(self.signed_out) == 1:
            lines.append(f"{self.signed_out[0]} has a new password and is signed out of every browser.")
        elif self.signed_out:
            names = ", ".join(self.signed_out[:-1]) + " and " + self.signed_out[-1]
            lines.append(f"{names} have new passwords and are signed out of every browser.")
        lines.append(f"Lost them? {RESET_COMMAND}")
        width = max(len(line) for line in lines)
        rule = "+" + "-" * (width + 2) + "+"
        self.stdout.write(rule)
        for line in lines:
            self.stdout.write(self.style.SUCCESS(f"| {line:<{width}} |"))
        self.stdout.write(rule)

    def _rota(self, advocate) -> None:
        """The handbook's release day (the 22nd; the demo's stories then move it to their release story's day, so the
        queue, the story and its release plan name one day) and a release advocate for this month and the next two,
        so the queue names who is on duty and the rota runs ahead of today."""
        if advocate is None:
            return
        if not DutySettings.objects.exists():
            DutySettings.objects.create(release_day=22)
        month = timezone.localdate().replace(day=1)
        for _ in range(3):
            # The desk-wide entry (every product's, issue 71): an entry of a product added since is another row.
            ReleaseRota.objects.get_or_create(
                month=month, product=None, defaults={"advocate": advocate, "note": "demo rota"}
            )
            month = (month + timedelta(days=32)).replace(day=1)

    def _channel(self) -> Channel:
        channel, _ = Channel.objects.get_or_create(
            slug=HN_SLUG,
            defaults={
                "name": "Hacker News (demo replay)",
                "kind": "hackernews",
                "config": {"keywords": ["gitlab"], "replay": True, "backfill_hours": 1},
                "our_accounts": ["gitlabhq"],
                "poll_interval_seconds": 30,
                # The handbook's Hacker News destination; without SLACK_BOT_TOKEN the lines wait.
                "slack_channel": "#hn-mentions",
            },
        )
        return channel

    def _views(self, channel: Channel) -> None:
        View.objects.get_or_create(slug="all", defaults={"name": "All mentions", "position": 0})
        hn, created = View.objects.get_or_create(
            slug="hacker-news", defaults={"name": "Hacker News", "position": 1, "allow_skip": True}
        )
        if created:
            hn.channels.add(channel)
        View.objects.get_or_create(
            slug="high-priority", defaults={"name": "High priority", "position": 2, "high_priority_only": True}
        )
        # The desk's judgement (docs/judgement.md): what needs a response, and what is not judged yet, so nothing
        # waits hidden until the worker judges it; deadline first, then needs-a-response before not-judged.
        View.objects.get_or_create(
            slug="needs-response",
            defaults={
                "name": "Needs a response",
                "position": 3,
                "judgements": ["needs_response", ""],
                "order": View.Order.DEADLINE,
            },
        )
        # The noise, reviewed in bulk (docs/judgement.md): the desk's sure noise waits here, after everything else in
        # Play (mentions' migration 0055 makes the same view on a fresh install).
        if not View.objects.filter(name="Noise").exists():
            View.objects.get_or_create(
                slug="noise",
                defaults={"name": "Noise", "position": 4, "judgements": ["noise"], "order": View.Order.OLDEST},
            )
        # Runs when the worker has judged a ticket noise; the ticket page offers "Not noise?" to undo it.
        Rule.objects.get_or_create(
            name="Solve noise",
            defaults={
                "description": "Mentions the desk judges noise are solved without a reply; the note says why.",
                "position": 1000,
                "enabled": True,
                "judgements": ["noise"],
                "close_without_reply": True,
            },
        )

    @transaction.atomic
    def _history(self, channel: Channel) -> None:
        """The Hacker News samples once, a day ago, with replies and solved tickets: all the replaying channel
        will ever serve it (channels.adapters.hackernews.replay.demo_block)."""
        rng = random.Random(42)
        now = timezone.now()
        end = int((now - timedelta(hours=1)).timestamp())
        # The samples once (one block of 16 items, threads together), a day back: the block the replay serves this
        # channel, so its polls find these same items and no copies; the week's other stories come from the other
        # platforms (channels/demo/week.py).
        hits = [hit_for(n) for n in demo_block(channel.created_at)]
        mentions = HackerNewsAdapter().parse_payload({"hits": hits})
        mentions_ingest(channel=channel, mentions=mentions)

        tags = {name: Tag.objects.get_or_create(name=name)[0] for name in TAGS}
        coverage = coverage_load()
        advocate = get_user_model().objects.filter(username="advocate").first()
        tickets = list(channel.tickets.filter(requested_at__lt=now - timedelta(days=1)))
        events: list[TicketEvent] = []
        when = []
        for ticket in tickets:
            if rng.random() < 0.08:
                continue  # a few old ones nobody answered: the backlog a median must not hide
            reply_after = timedelta(minutes=rng.randint(10, 60 * 12))
            if ticket.first_reply_at is None:
                ticket.first_reply_at = ticket.requested_at + reply_after
                ticket.first_reply_seconds = int(reply_after.total_seconds())
            ticket.first_reply_business_seconds = coverage.seconds(ticket.requested_at, ticket.first_reply_at)
            ticket.status = Ticket.Status.SOLVED
            ticket.solved_at = ticket.first_reply_at + timedelta(minutes=rng.randint(1, 600))
            ticket.assignee = advocate
            chosen_tags = rng.sample(list(tags.values()), k=rng.randint(0, 2))
            ticket.tags.add(*chosen_tags)
            history = [*((TicketEvent.Kind.TAG_ADDED, {"tag": tag.name}, ticket.first_reply_at) for tag in chosen_tags),
                       (TicketEvent.Kind.REPLIED, {"demo": True}, ticket.first_reply_at),
                       (TicketEvent.Kind.STATUS, {"from": "open", "to": "solved"}, ticket.solved_at)]  # fmt: skip
            for kind, data, at in history:
                events.append(TicketEvent(ticket=ticket, actor=advocate, kind=kind, data=data))
                when.append(at)
        Ticket.objects.bulk_update(
            tickets,
            [
                "first_reply_at",
                "first_reply_seconds",
                "first_reply_business_seconds",
                "status",
                "solved_at",
                "assignee",
            ],
            batch_size=500,
        )
        created = TicketEvent.objects.bulk_create(events, batch_size=1000)
        # auto_now_add ignores the value given: put the history at its real time.
        for event, at in zip(created, when, strict=True):
            TicketEvent.objects.filter(pk=event.pk).update(created_at=at)
        # The cursor starts where history ends, so the first poll backfills the last hour.
        channel.cursor = {"created_at_i": end, "recent_ids": []}
        Channel.objects.filter(pk=channel.pk).update(cursor=channel.cursor)
