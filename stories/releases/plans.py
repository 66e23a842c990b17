"""A release post recorded once as a `ReleasePlan` (keyed by its normalised address: scheme, www., a trailing slash
and utm_ parameters do not make another post), whichever way it came (the feed, Slack, both, again).

The release date: a post dated in the future (a scheduled post in the feed) is released that day, the post's own
word; otherwise the desk's release day (DutySettings.release_date) on or after the post's date (a post published
ahead of the release, or announced in Slack without a date), in the desk's time zone. A post published on the
release day itself gets that day, and its story opens at once (stories.releases.opening).

A post seen again changes nothing an admin may have edited (title, features, answer): only a missing date or
version is filled in."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from mentions.models import DutySettings
from stories.detection.text import link_normalise
from stories.models import ReleasePlan, ReleaseSource
from stories.releases.posts import ReleasePost


def release_date_for(published_at: datetime | None, *, now: datetime) -> date:
    today = timezone.localdate(now)
    if published_at is not None and timezone.localdate(published_at) > today:
        return timezone.localdate(published_at)
    day = timezone.localdate(published_at) if published_at is not None else today
    duty = DutySettings.current()
    release = duty.release_date(day)
    if release < day:  # this month's release day is past: the next month's
        release = duty.release_date((day.replace(day=1) + timedelta(days=32)).replace(day=1))
    return release


def answer_fill(template: str, *, title: str, link: str) -> str:
    """The source's template with {title} and {link} (nothing else is a placeholder: braces stay as written)."""
    return template.replace("{title}", title).replace("{link}", link)


def plan_record(
    post: ReleasePost, *, source: ReleaseSource | None, via: str, now: datetime | None = None
) -> tuple[ReleasePlan | None, bool]:
    """The plan of `post`, made if new. Returns (plan, made); (None, False) for an address that names no page."""
    now = now or timezone.now()
    key = link_normalise(post.url)
    if not key:
        return None, False
    plan = ReleasePlan.objects.filter(url_key=key).first()
    if plan is not None:
        return _fill(plan, post, now), False
    features = [*post.features, "", "", ""]
    template = source.answer_template if source is not None else ""
    try:
        with transaction.atomic():
            plan = ReleasePlan.objects.create(
                source=source,
                product_id=source.product_id if source is not None else None,
                via=via,
                url=post.url,
                url_key=key,
                title=post.title,
                version=post.version,
                published_at=post.published_at,
                release_date=release_date_for(post.published_at, now=now),
                feature_1=features[0],
                feature_2=features[1],
                feature_3=features[2],
                answer=answer_fill(template, title=post.title, link=post.url) if template else "",
            )
    except IntegrityError:  # recorded meanwhile (the feed and Slack at once)
        return ReleasePlan.objects.get(url_key=key), False
    return plan, True


def _fill(plan: ReleasePlan, post: ReleasePost, now: datetime) -> ReleasePlan:
    changed = []
    if plan.published_at is None and post.published_at is not None and plan.story_id is None:
        plan.published_at = post.published_at
        plan.release_date = release_date_for(post.published_at, now=now)
        changed += ["published_at", "release_date"]
    if not plan.version and post.version:
        plan.version = post.version
        changed.append("version")
    if not plan.features and post.features:
        plan.feature_1, plan.feature_2, plan.feature_3 = [*post.features, "", "", ""][:3]
        changed += ["feature_1", "feature_2", "feature_3"]
    if changed:
        plan.save(update_fields=[*changed, "updated_at"])
    return plan
