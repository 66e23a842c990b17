"""The demo's release plan (seed_demo_stories): the 18.6 release post read from a local feed file in the shape of
GitLab's releases.xml (demo_release.atom) through the release reader (stories.releases.posts), recorded as a plan,
its answer the release story's and approved by the demo advocate, tied to the demo's release-day story so its page
shows the plan, the per-platform drafts and the Hacker News draft. The demo's release source is made paused: the
demo makes no request for it (`make run` stays on this machine)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import timezone

from stories.models import ReleasePlan, ReleaseSource, Story
from stories.releases.plans import plan_record
from stories.releases.posts import feed_posts

FEED = Path(__file__).resolve().parent / "demo_release.atom"


def release_plan_seed(story: Story, advocate: Any, *, url: str) -> ReleasePlan | None:
    """The plan of the release post at `url` (its address dated the story's day), published on that day."""
    source, _made = ReleaseSource.objects.get_or_create(
        name="GitLab releases (demo)",
        defaults={"feed_url": "https://about.gitlab.com/releases.xml", "enabled": False},
    )
    now = timezone.now()
    day = timezone.localdate(story.first_at)
    # The feed as GitLab would have published the post on the demo's release day (the file holds its shape).
    feed = FEED.read_text().replace("RELEASE-URL", url).replace("RELEASE-DATE", day.isoformat())
    posts = feed_posts(feed.encode(), "application/atom+xml", pattern=source.title_pattern)
    if not posts:
        return None
    plan, _new = plan_record(posts[0], source=source, via=ReleasePlan.Via.FEED, now=now)
    if plan is None:
        return None
    plan.release_date = day
    plan.answer = story.answer
    plan.answer_approved_by, plan.answer_approved_at = advocate, now
    plan.story, plan.opened_at = story, now
    plan.save()
    return plan
