"""Rehearse release day on a frozen clock, from a feed file (no network): the feed read as the beat job reads it,
each release post a plan, then the opening run on the day before the release and on the given day, printing what it
did. `--today` is the day rehearsed (the desk's time zone); the feed is read three days before it, and the opening runs
at 00:05 and 00:10 on the two days before `--today` and on it: with `--today` the day before the release, day -2
does nothing and day -1 opens the story once.

    python manage.py release_rehearse --feed stories/tests/fixtures/releases/gitlab_releases.atom --today 2026-12-21

It writes to the desk's database like the beat job would (plans and a story): run it on a demo or test desk."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from stories.incidents.parse import FeedError
from stories.models import ReleasePlan
from stories.releases.models import DEFAULT_PATTERN
from stories.releases.opening import releases_open
from stories.releases.plans import plan_record
from stories.releases.posts import feed_posts


class Command(BaseCommand):
    help = "Read a release feed file, record its plans and run the day-before opening on a frozen clock."

    def add_arguments(self, parser):
        parser.add_argument("--feed", required=True, help="An RSS or Atom file.")
        parser.add_argument("--today", required=True, help="The day rehearsed, YYYY-MM-DD.")
        parser.add_argument("--pattern", default=DEFAULT_PATTERN, help="Which entries are release posts (regex).")

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["today"])
            body = Path(options["feed"]).read_bytes()
            posts = feed_posts(body, "", pattern=options["pattern"])
        except (ValueError, OSError, FeedError) as exc:
            raise CommandError(str(exc)) from None
        zone = timezone.get_current_timezone()
        polled = datetime.combine(today - timedelta(days=3), time(9), tzinfo=zone)
        with transaction.atomic():
            for post in reversed(posts):
                plan, made = plan_record(post, source=None, via=ReleasePlan.Via.FEED, now=polled)
                if plan is not None:
                    self.stdout.write(
                        f"{polled:%Y-%m-%d %H:%M} feed: {'new plan' if made else 'known plan'} {plan.pk} "
                        f"{plan.title!r} ({plan.version or 'no version'}), release {plan.release_date}, "
                        f"features {plan.features}"
                    )
        for offset in range(-2, 1):
            day = today + timedelta(days=offset)
            for minute in (5, 10):
                at = datetime.combine(day, time(0, minute), tzinfo=zone)
                done = releases_open(now=at)
                self.stdout.write(f"{at:%Y-%m-%d %H:%M} open run: {done or 'nothing to do'}")
        for post in posts:
            plan = ReleasePlan.objects.select_related("story").filter(url=post.url).first()
            if plan is not None:
                story = f"story {plan.story.pk} {plan.story.title!r}" if plan.story else "no story yet"
                self.stdout.write(f"plan {plan.pk} (release {plan.release_date}): {story}")
