"""Release day prepared (issue 46): a release source's feed read at the HTTP edge (`responses`), each release post a
plan once, the plan's story opened the day before the release on a frozen clock, mentions stored through the real
ingest joining it through the detector, the story page's drafts and Hacker News summary, hostile feed text escaped.

Feeds (stories/tests/fixtures/SOURCES.md, "Release posts"): `releases/gitlab_releases.atom` in the shape of GitLab's
releases.xml (Atom, the post's HTML escaped in `content type="html"`), `releases/wordpress_blog.rss` in the shape of
a WordPress blog's /feed/ (RSS 2.0, `content:encoded` in CDATA). Both are written in those shapes, not recorded.
DutySettings' release day is the 22nd (the default); 2026-12-22 is a Tuesday."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import responses
import time_machine
from django.urls import reverse

from stories.detection.detector import stories_detect
from stories.models import Key, Membership, ReleasePlan, ReleaseSource, Story, StoryReply
from stories.releases.drafts import hn_summary, hn_title, platform_drafts
from stories.releases.opening import releases_open
from stories.releases.polling import release_sources_poll
from stories.tests.helpers import channel, fixture, mention

pytestmark = pytest.mark.django_db

ATOM = "https://about.gitlab.com/releases.xml"
RSS = "https://blog.example.org/feed/"
POST = "https://about.gitlab.com/releases/2026/12/18/gitlab-18-7-released/"
POLLED = datetime(2026, 12, 19, 9, 0, tzinfo=UTC)
PATTERN = r"\d+\.\d+ released"  # the monthly post, not the patch releases


def _source(url: str = ATOM, **fields) -> ReleaseSource:
    return ReleaseSource.objects.create(name="Blog", feed_url=url, **fields)


def _poll(url: str, name: str, content_type: str, *, now: datetime = POLLED, **kw) -> dict[str, int]:
    with responses.RequestsMock() as mock:
        mock.get(url, body=fixture(name), content_type=content_type, **kw)
        return release_sources_poll(now=now)


def _plan_from_atom() -> ReleasePlan:
    _source(title_pattern=PATTERN)
    assert _poll(ATOM, "releases/gitlab_releases.atom", "application/atom+xml") == {"read": 1, "plans_made": 1}
    return ReleasePlan.objects.get()


def test_an_atom_release_post_becomes_a_plan_with_its_date_features_and_answer():
    plan = _plan_from_atom()
    assert (plan.url, plan.url_key, plan.via) == (
        POST,
        "about.gitlab.com/releases/2026/12/18/gitlab-18-7-released",
        ReleasePlan.Via.FEED,
    )
    assert plan.title == "GitLab 18.7 released with pipeline inputs in the UI and faster merge trains"
    assert plan.version == "18.7"
    assert plan.published_at == datetime(2026, 12, 18, tzinfo=UTC)
    # Published the 18th, before the month's release day: the release day on or after it, the 22nd.
    assert plan.release_date == date(2026, 12, 22)
    # The h2/h3 headings as plain text: the script's code dropped, the escaped markup kept as the characters it is.
    assert plan.features == [
        "Pipeline inputs in the run pipeline UI",
        "Faster merge trains",
        "Runner <b>helper image</b> pinned by digest",
    ]
    assert plan.answer == (
        f"Thanks for trying {plan.title}! What changed, and how to upgrade, is all in the release post: {POST}"
    )
    assert not plan.approved and plan.story is None


def test_an_rss_post_dated_ahead_is_released_on_its_own_date_and_the_default_pattern_takes_a_version():
    _source(RSS)
    assert _poll(RSS, "releases/wordpress_blog.rss", "application/rss+xml") == {"read": 1, "plans_made": 1}
    plan = ReleasePlan.objects.get()  # "Meet us at FOSDEM" is no release
    assert plan.title == "Example 4.2 is here" and plan.version == "4.2"
    assert plan.url_key == "blog.example.org/2026/12/23/example-4-2"  # utm_ parameters are not the post
    assert plan.release_date == date(2026, 12, 23)  # dated after the poll: the post's own day
    assert plan.features == [
        "Offline sync for every workspace",
        "A plugin API with typed hooks",
        "Dark mode <everywhere>",
    ]


def test_polling_again_makes_no_second_plan_and_asks_with_the_validators():
    source = _source(title_pattern=PATTERN)
    etag = 'W/"releases-1"'
    assert _poll(ATOM, "releases/gitlab_releases.atom", "application/atom+xml", headers={"ETag": etag})["plans_made"]
    ReleasePlan.objects.update(title="Edited by an admin")
    ReleaseSource.objects.update(next_poll_at=None)
    assert _poll(ATOM, "releases/gitlab_releases.atom", "application/atom+xml") == {"read": 1}
    assert ReleasePlan.objects.get().title == "Edited by an admin"  # what admins edit stays
    ReleaseSource.objects.update(next_poll_at=None, etag=etag)
    with responses.RequestsMock() as mock:
        mock.get(ATOM, status=304)
        assert release_sources_poll(now=POLLED) == {"unchanged": 1}
        assert mock.calls[0].request.headers["If-None-Match"] == etag
    assert ReleasePlan.objects.count() == 1
    source.refresh_from_db()
    assert source.failures == 0 and source.last_error == ""


def test_a_feed_declaring_entities_is_refused_and_backs_off():
    source = _source()
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><rss><channel><item>'
    bomb += b"<title>&b; 1.0 released</title><link>https://x.example/1</link></item></channel></rss>"
    with responses.RequestsMock() as mock:
        mock.get(ATOM, body=bomb, content_type="application/rss+xml")
        assert release_sources_poll(now=POLLED) == {"failed": 1}
    source.refresh_from_db()
    assert source.last_error == "The feed declares XML entities or external references, which are refused."
    assert source.failures == 1 and source.next_poll_at is not None and source.next_poll_at > POLLED
    assert not ReleasePlan.objects.exists()


def test_the_story_opens_the_day_before_the_release_once_and_not_two_days_before():
    plan = _plan_from_atom()
    assert releases_open(now=datetime(2026, 12, 20, 23, 59, tzinfo=UTC)) == {}  # day -2: nothing
    assert not Story.objects.exists()
    day_before = datetime(2026, 12, 21, 0, 5, tzinfo=UTC)
    assert releases_open(now=day_before) == {"opened": 1}
    assert releases_open(now=day_before.replace(minute=10)) == {}  # a second beat run: the same story
    plan.refresh_from_db()
    story = Story.objects.get()
    assert (plan.story, plan.opened_at) == (story, day_before)
    assert (story.origin, story.title, story.links) == (Story.Origin.RELEASE, plan.title, [plan.url_key])
    assert story.answer == ""  # not approved yet: no answer is used
    keys = set(Key.objects.filter(story=story).values_list("key", flat=True))
    assert {f"l:{plan.url_key}", "t:18.7", "t:pipelin", "t:merg"} <= keys


def test_approving_the_answer_in_admin_sets_it_on_the_open_story(admin_client):
    plan = _plan_from_atom()
    releases_open(now=datetime(2026, 12, 21, 0, 5, tzinfo=UTC))
    form = {
        "url": plan.url,
        "title": plan.title,
        "version": plan.version,
        "release_date": "2026-12-22",
        "feature_1": plan.feature_1,
        "feature_2": plan.feature_2,
        "feature_3": plan.feature_3,
        "answer": "Thanks! All of 18.7 is here: {link}",
        "approve": "on",
    }
    response = admin_client.post(reverse("admin:stories_releaseplan_change", args=[plan.pk]), form)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.approved and plan.answer_approved_by is not None
    story = Story.objects.get()
    assert (story.answer, story.answer_link) == ("Thanks! All of 18.7 is here: {link}", POST)
    # Edited again without approving: the approval is asked for again; the story keeps the approved text.
    admin_client.post(
        reverse("admin:stories_releaseplan_change", args=[plan.pk]), {**form, "answer": "x", "approve": ""}
    )
    plan.refresh_from_db()
    assert not plan.approved and Story.objects.get().answer == "Thanks! All of 18.7 is here: {link}"


@time_machine.travel(datetime(2026, 12, 22, 15, 0, tzinfo=UTC), tick=False)
def test_release_day_mentions_linking_the_post_or_discussing_the_release_join_the_story_with_the_answer():
    plan = _plan_from_atom()
    ReleasePlan.objects.update(answer="Thanks! All of 18.7 is here: {link}", answer_approved_at=POLLED)
    releases_open(now=datetime(2026, 12, 21, 0, 5, tzinfo=UTC))
    # Release day, 14:00: 38 h after it opened, past the 24 h window; the beat run keeps it live.
    assert releases_open(now=datetime(2026, 12, 22, 14, 0, tzinfo=UTC)) == {"kept_live": 1}
    at = datetime(2026, 12, 22, 14, 30, tzinfo=UTC)
    linked = mention(
        "twitter",
        "18.7 is out! http://www.about.gitlab.com/releases/2026/12/18/gitlab-18-7-released?utm_source=x",
        at=at,
    )
    talked = mention("reddit", "GitLab 18.7 merge trains feel faster, pipeline inputs are great", at=at, title="18.7")
    stories_detect()
    story = ReleasePlan.objects.get().story
    assert Membership.objects.get(ticket=linked).story == story
    assert Membership.objects.get(ticket=talked).story == story
    # The approved answer is each new ticket's draft, fitted to its platform.
    drafts = dict(StoryReply.objects.filter(story=story).values_list("ticket_id", "body"))
    assert drafts[linked.pk].endswith(POST) and "Thanks! All of 18.7 is here" in drafts[linked.pk]
    assert plan.pk == ReleasePlan.objects.get().pk


def test_the_hacker_news_draft_has_a_title_hn_takes_the_three_features_and_the_link():
    plan = _plan_from_atom()
    assert hn_title(plan) == plan.title and len(plan.title) <= 80
    plan.title = (
        "GitLab 18.7 released with pipeline inputs in the UI, faster merge trains and a runner pinned by digest"
    )
    assert hn_title(plan) == "GitLab 18.7 released with pipeline inputs in the UI, faster merge trains and a…"
    assert len(hn_title(plan)) <= 80
    assert hn_summary(plan) == (
        f"What's new in {plan.title}:\n"
        "- Pipeline inputs in the run pipeline UI\n"
        "- Faster merge trains\n"
        "- Runner <b>helper image</b> pinned by digest\n"
        "\n"
        f"Release post: {POST}"
    )


def test_the_story_page_shows_the_plan_drafts_per_platform_and_escapes_what_the_feed_said(advocate_client):
    channel("twitter")
    channel("mastodon")
    plan = _plan_from_atom()
    ReleasePlan.objects.update(answer="Thanks! <i>All</i> of 18.7: {link}", answer_approved_at=POLLED)
    releases_open(now=datetime(2026, 12, 21, 0, 5, tzinfo=UTC))
    page = advocate_client.get(Story.objects.get().get_absolute_url()).content.decode()
    assert 'data-testid="story-release"' in page
    assert "Runner &lt;b&gt;helper image&lt;/b&gt; pinned by digest" in page
    assert "<b>helper image" not in page and "alert(" not in page and "onerror" not in page
    assert "Thanks! &lt;i&gt;All&lt;/i&gt; of 18.7:" in page
    # No ticket yet: one draft per platform the desk has a channel of, each counted as its platform counts it.
    assert page.count('class="release-draft"') == 2
    drafts = {d.kind: d for d in platform_drafts(ReleasePlan.objects.get())}
    assert drafts["twitter"].length == 23 + len("Thanks! <i>All</i> of 18.7: ") < len(drafts["twitter"].body)
    assert f"X / Twitter · {drafts['twitter'].length}/280" in page
    assert f'value="{plan.title}"' in page and 'id="release-hn-text"' in page


def test_the_rehearsal_prints_day_minus_two_idle_and_day_minus_one_opening_once():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    feed = str(fixture.__globals__["FIXTURES"] / "releases" / "gitlab_releases.atom")
    call_command("release_rehearse", feed=feed, today="2026-12-21", pattern=PATTERN, stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("2026-12-18 09:00 feed: new plan") and "release 2026-12-22" in lines[0]
    assert lines[1:] == [
        "2026-12-19 00:05 open run: nothing to do",
        "2026-12-19 00:10 open run: nothing to do",
        "2026-12-20 00:05 open run: nothing to do",
        "2026-12-20 00:10 open run: nothing to do",
        "2026-12-21 00:05 open run: {'opened': 1}",
        "2026-12-21 00:10 open run: nothing to do",
        f"plan {ReleasePlan.objects.get().pk} (release 2026-12-22): story {Story.objects.get().pk} "
        f"{ReleasePlan.objects.get().title!r}",
    ]
