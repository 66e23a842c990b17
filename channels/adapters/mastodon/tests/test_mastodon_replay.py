"""The demo's Mastodon channel polled through the real adapter (channel_poll -> MastodonAdapter -> intake) against the
demo network (DESK_DEMO_REPLAY), offline. The answers come from the replay module (channels/adapters/mastodon/
replay.py), which follows the recorded shapes of tests/fixtures (notifications_mentions.json, tag_timeline_hoot.json,
account_statuses_page.json, search_statuses_empty.json, context_empty.json, the recorded error bodies) and
Mastodon's `Link` and `X-RateLimit-*` headers, and the documented attachment (docs_media_image.json). The
conversations are the demo week's Mastodon threads (channels.demo.threads.open_social)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
import time_machine

from channels.adapters.mastodon import MastodonAdapter, replay
from channels.adapters.mastodon.content import media_lines
from channels.demo.week import THREADS, thread_mentions, thread_start
from channels.http import build_session
from channels.models import Channel
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll, stored
from mentions.models import Message, Ticket

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

ANCHOR = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)  # the day the demo channel was made: its week ends then
API = replay.WEB
OURS = replay.DEMO_CHANNEL["our_accounts"][0]
WEEK = [(index, thread) for index, thread in enumerate(THREADS) if thread.kind == "mastodon"]


def demo_channel() -> Channel:
    return demo.channel("mastodon", ANCHOR)


def full(handle: str) -> str:
    return handle if "@" in handle else f"{handle}@{replay.INSTANCE}"


def shown(text: str, media: Any) -> str:
    """A status's text as the desk stores it: its media described after it (content.py)."""
    lines = media_lines([{"type": m.kind, "description": m.alt} for m in media])
    return "\n\n".join([text, *lines])


def week(now: datetime) -> list[list[tuple[datetime, str, str, str]]]:
    """Each demo thread opened by `now` as its posts by then: (time, author in full, text, kind)."""
    threads = []
    for index, thread in WEEK:
        if thread_start(thread, ANCHOR) <= now:
            posts = thread_mentions(thread, index=index, today=ANCHOR, ours=OURS, until=now)
            kinds = {OURS: Message.Kind.OUR_REPLY}
            threads.append(
                [
                    (m.created_at, full(m.author_handle), shown(m.text, m.media), kinds.get(m.author_handle, "inbound"))
                    for m in posts
                ]
            )
    return sorted(threads)


def tickets(made: Channel) -> list[list[tuple[datetime, str, str, str]]]:
    found = []
    for ticket in Ticket.objects.filter(channel=made):
        messages = ticket.messages.order_by("platform_created_at", "pk")
        found.append([(m.platform_created_at, m.author_handle, m.body, m.kind) for m in messages])
    return sorted(found)


def test_the_demo_threads_are_polled_through_the_adapter_once():
    with time_machine.travel(ANCHOR + timedelta(minutes=1), tick=False):
        made = demo_channel()
        result = ingested(poll(made))

        assert result.tickets_created == 3 and tickets(made) == week(ANCHOR)
        ours = Message.objects.get(channel=made, author_handle=OURS)
        assert ours.kind == Message.Kind.OUR_REPLY and "helper_image" in ours.body
        assert set(made.cursor["streams"]) == {"mentions", "tag:gitlab", f"own:{replay.account(replay.TEAM)['id']}"}
        [pictured] = [t for _, t in WEEK if t.media]
        opening = Message.objects.get(channel=made, body__startswith=pictured.text)
        [image] = pictured.media
        assert opening.media == [
            {"kind": "image", "url": image.url, "preview_url": image.preview_url, "alt": image.alt}
        ]
        for message in Message.objects.filter(channel=made):
            assert message.permalink == f"{message.author_url}/{message.external_id}"

        again = ingested(poll(made))
        assert again.created == 0 and tickets(made) == week(ANCHOR)


def test_posts_are_served_as_their_time_comes():
    first = WEEK[0][1]
    early = thread_start(first, ANCHOR) + timedelta(minutes=first.followups[-1][0] - 1)
    with time_machine.travel(early, tick=False) as clock:
        made = demo_channel()
        ingested(poll(made))
        assert tickets(made) == week(early)
        before = set(stored(made))

        clock.move_to(ANCHOR)
        result = ingested(poll(made))

        assert tickets(made) == week(ANCHOR) and result.threaded >= 1
        thanks = Message.objects.get(channel=made, body=first.followups[-1][2])
        assert thanks.external_id not in before
        assert thanks.ticket == Message.objects.get(channel=made, body=first.text).ticket


def test_a_watched_thread_is_read_from_its_context():
    with time_machine.travel(ANCHOR, tick=False):
        made = demo_channel()
        ingested(poll(made))
        opening = Message.objects.get(channel=made, body=WEEK[0][1].text)
        assert opening.external_id is not None and opening.ticket is not None
        ref = MastodonAdapter.thread_ref(opening.external_id, opening.thread_external_id, opening.raw)

        fetched = MastodonAdapter.fetch_thread(channel=made, session=build_session(), ref=ref)

        below = sorted(m.external_id for m in fetched.mentions)
        assert below == sorted(m.external_id or "" for m in opening.ticket.messages.exclude(pk=opening.pk))
        assert fetched.requests_made == 1


# --- the replay's answers, as the adapter asks for them ----------------------------------------------


def get(path: str, params: dict[str, Any] | None = None, *, signed: bool = True) -> requests.Response:
    headers = {"Authorization": f"Bearer {replay.TOKEN}"} if signed else {}
    return build_session().get(API + path, params=params or {}, headers=headers, timeout=5)


def test_timelines_page_forward_and_back_with_link_headers():
    with time_machine.travel(ANCHOR, tick=False):
        demo_channel()
        whole = get("/api/v1/timelines/tag/gitlab", {"limit": 40}).json()
        ids = [s["id"] for s in whole]
        assert len(ids) == 2 and ids == sorted(ids, key=int, reverse=True)

        newest = get("/api/v1/timelines/tag/gitlab", {"limit": 1})
        older = newest.links["next"]["url"]
        assert [s["id"] for s in newest.json()] == ids[:1] and f"max_id={ids[0]}" in older
        assert [
            s["id"] for s in build_session().get(older, headers={"Authorization": f"Bearer {replay.TOKEN}"}).json()
        ] == ids[1:]
        forward = get("/api/v1/timelines/tag/gitlab", {"limit": 1, "min_id": ids[1]})
        assert [s["id"] for s in forward.json()] == ids[:1]
        assert forward.headers["X-RateLimit-Remaining"] == "299"


def test_refusals_and_the_instance_are_mastodons():
    with time_machine.travel(ANCHOR, tick=False):
        demo_channel()
        assert get("/api/v1/notifications", signed=False).status_code == 401
        assert get("/api/v1/notifications", signed=False).json() == {"error": "The access token is invalid"}
        assert get("/api/v1/statuses/1/context").json() == {"error": "Not Found"}
        assert get("/api/v2/instance", signed=False).json()["configuration"]["statuses"]["max_characters"] == 500
        found = get("/api/v2/search", {"q": "firefox", "type": "statuses"}).json()
        assert set(found) == {"accounts", "statuses", "hashtags", "collections"}
        assert len(found["statuses"]) == 2  # the question and its "same here"
        me = get("/api/v1/accounts/verify_credentials").json()
        assert (me["acct"], me["url"]) == (replay.TEAM, f"{API}/@{replay.TEAM}")


def test_a_status_the_week_does_not_hold_is_favourited_and_boosted_as_the_instance_would():
    """The release-day story's statuses (seed_demo_stories) are not in the week: liking one from its ticket works."""
    with time_machine.travel(ANCHOR, tick=False):
        demo_channel()
        theirs = str((int((ANCHOR - timedelta(hours=2)).timestamp() * 1000) << 16) + 7003)
        signed = {"Authorization": f"Bearer {replay.TOKEN}"}
        liked = build_session().post(f"{API}/api/v1/statuses/{theirs}/favourite", headers=signed, timeout=5)
        assert liked.status_code == 200
        assert (liked.json()["id"], liked.json()["favourited"]) == (theirs, True)
        boosted = build_session().post(f"{API}/api/v1/statuses/{theirs}/reblog", headers=signed, timeout=5).json()
        assert (boosted["reblog"]["id"], boosted["reblogged"]) == (theirs, True)
        assert get(f"/api/v1/statuses/{theirs}").status_code == 404  # kept nowhere: it is not served afterwards
