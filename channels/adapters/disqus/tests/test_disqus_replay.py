"""The demo's blog-comments channel polled through the real Disqus adapter against its replay
(channels.adapters.disqus.replay, whose shapes follow the recorded responses in fixtures/: threads_listPosts.json,
posts_list.json, threads_details.json, error_code2_missing_argument.json; posts/create's post in the same shape and
its refusals with the codes of disqus.com/api/docs/errors/, the token refresh as disqus.com/api/docs/auth/ documents
it). Nothing here reaches the network: DESK_DEMO_REPLAY mounts channels.demo.replay."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from channels.adapters.disqus import DisqusAdapter
from channels.adapters.disqus import replay as disqus_replay
from channels.demo.accounts import demo_accounts_ensure
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.week import THREADS, thread_start
from channels.http import build_session
from channels.models import Channel
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll
from mentions.models import Message, Ticket
from mentions.services.replies import SendFailed, ticket_send_reply
from mentions.tests.factories import AdvocateFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "disqus"
ANCHOR = datetime(2025, 3, 14, 10, 30, tzinfo=UTC)  # the day the demo was seeded: its week ends then
WEEK = [(n, thread) for n, thread in enumerate(THREADS) if thread.kind == KIND]
LIST_POSTS = "https://disqus.com/api/3.0/forums/listPosts.json"
CREATE = "https://disqus.com/api/3.0/posts/create.json"
SPEC = DEMO_CHANNELS[KIND]


def post_id(n: int, k: int = 0) -> str:
    return str(disqus_replay.POST_BASE + 100 * n + k)


def stored_thread(channel: Channel, n: int) -> list[demo.Post]:
    """The ticket of the week's comment thread `n`, found by its opening comment's post id."""
    opening = Message.objects.get(channel=channel, external_id=post_id(n))
    assert opening.ticket is not None
    return demo.ticket_posts(opening.ticket)


def test_a_poll_stores_the_week_one_ticket_per_comment_thread_with_our_replies():
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        outcome = poll(channel)

    assert outcome.status == "ok", outcome.error
    assert len(demo.assert_week_stored(channel, ANCHOR)) == len(WEEK) == 2
    for n, thread in WEEK:
        assert stored_thread(channel, n) == demo.thread_posts(n, ANCHOR)
        assert len(stored_thread(channel, n)) == 1 + len(thread.followups)
    ours = Message.objects.get(channel=channel, kind=Message.Kind.OUR_REPLY)
    assert ours.author_handle == DEMO_CHANNELS[KIND]["our_accounts"][0]
    assert ours.parent_external_id == post_id(WEEK[0][0])
    assert ingested(outcome).our_replies == 1
    # The article is the post's thread (related=thread): its title, and the comment's permalink on its page.
    opening = Message.objects.get(channel=channel, external_id=post_id(WEEK[0][0]))
    assert opening.title == "Introducing merge trains for everyone"
    link = "https://about.gitlab.com/blog/introducing-merge-trains-for-everyone/"
    assert opening.permalink == f"{link}#comment-{opening.external_id}"
    assert opening.author_handle == "blog_reader_bo"
    assert opening.author_url == "https://disqus.com/by/blog_reader_bo/"
    assert opening.raw["thread"]["id"] == str(disqus_replay.THREAD_BASE + WEEK[0][0])


def test_a_second_poll_stores_nothing_twice():
    channel = demo.channel(KIND, ANCHOR)
    demo.poll_at(channel, ANCHOR, ANCHOR)
    demo.assert_second_poll_stores_nothing(channel, at=ANCHOR + timedelta(minutes=5))
    assert (Message.objects.filter(channel=channel).count(), Ticket.objects.filter(channel=channel).count()) == (3, 2)


def test_a_reply_still_to_come_is_served_once_its_time_has_come():
    """The demo's clock in the middle of the week: the merge-trains comment is up, our reply 4 hours later."""
    channel = demo.channel(KIND, ANCHOR)
    n, thread = WEEK[0]
    opened = thread_start(thread, ANCHOR)
    demo.poll_at(channel, ANCHOR, opened + timedelta(minutes=60))
    assert [(p.text, p.kind) for p in stored_thread(channel, n)] == [(thread.text, "inbound")]
    assert not Message.objects.filter(channel=channel, external_id=post_id(n, 1)).exists()
    assert Ticket.objects.filter(channel=channel).count() == 1  # the other thread opens days later: not there yet

    assert demo.poll_at(channel, ANCHOR, opened + timedelta(minutes=241)).created == 1
    answered = [(thread.text, "inbound"), (thread.followups[0][2], "our_reply")]
    assert [(p.text, p.kind) for p in stored_thread(channel, n)] == answered
    assert Ticket.objects.filter(channel=channel).count() == 1


def test_the_listing_pages_with_cursor_next_and_refuses_what_disqus_refuses():
    demo.channel(KIND, ANCHOR)
    params: dict[str, str | int] = {"forum": "gitlab", "limit": 1, "order": "asc", "related": "thread", "api_key": "k"}
    session = build_session()
    read: list[str] = []
    cursor = ""
    with time_machine.travel(ANCHOR, tick=False):
        for _ in range(5):
            page = session.get(LIST_POSTS, params={**params, "cursor": cursor} if cursor else params).json()
            assert page["code"] == 0
            read.extend(post["id"] for post in page["response"])
            if not page["cursor"]["hasNext"]:
                break
            cursor = page["cursor"]["next"]
        newer = session.get(LIST_POSTS, params={**params, "limit": 100, "since": "2025-03-12T00:00:00"}).json()
        no_key = session.get(LIST_POSTS, params={"forum": "gitlab"})
        other_forum = session.get(LIST_POSTS, params={**params, "forum": "elsewhere"})
        bad_cursor = session.get(LIST_POSTS, params={**params, "cursor": "not-a-cursor"})
        unknown = session.get("https://disqus.com/api/3.0/posts/vote.json", params={"api_key": "k"})

    assert read == [post_id(WEEK[0][0]), post_id(WEEK[0][0], 1), post_id(WEEK[1][0])]
    assert [post["id"] for post in newer["response"]] == [post_id(WEEK[1][0])]
    assert (no_key.status_code, no_key.json()["code"]) == (400, 5)
    assert (other_forum.status_code, other_forum.json()["code"]) == (400, 8)
    assert (bad_cursor.status_code, bad_cursor.json()["code"]) == (400, 2)
    assert unknown.status_code == 404
    assert unknown.json() == {"code": 1, "response": "Endpoint not valid"}


def test_the_watcher_reads_an_article_thread_and_the_connection_test_names_the_forum():
    channel = demo.channel(KIND, ANCHOR)
    n, thread = WEEK[0]
    with time_machine.travel(ANCHOR, tick=False):
        poll(channel)
        opening = Message.objects.get(channel=channel, external_id=post_id(n))
        ref = DisqusAdapter.thread_ref(post_id(n), opening.thread_external_id, opening.raw)
        fetched = DisqusAdapter.fetch_thread(channel=channel, session=build_session(), ref=ref)
        connection = DisqusAdapter().test_connection(channel=channel, session=build_session())

    assert ref == str(disqus_replay.THREAD_BASE + n)
    assert [m.external_id for m in fetched.mentions] == [post_id(n, 1), post_id(n)]  # newest first
    assert [m.text for m in reversed(fetched.mentions)] == [thread.text, thread.followups[0][2]]
    assert connection == "Disqus answered: forum GitLab (https://about.gitlab.com/blog/)"


def _waiting_ticket() -> Ticket:
    """The demo channel polled at ANCHOR with our account connected as `seed_demo` connects it; the ticket of the
    week's comment nobody has answered."""
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        assert poll(channel).status == "ok"
    assert [a.username for a in demo_accounts_ensure()] == SPEC["our_accounts"]
    ticket = Message.objects.get(channel=channel, external_id=post_id(WEEK[1][0])).ticket
    assert ticket is not None
    return ticket


def test_a_reply_from_the_desk_is_a_post_under_the_comment_with_an_id_of_its_own():
    ticket = _waiting_ticket()
    week_ids = set(Message.objects.filter(channel=ticket.channel).values_list("external_id", flat=True))
    with time_machine.travel(ANCHOR + timedelta(hours=1), tick=False):
        reply = ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Thanks: the docs page is fixed now.")

    n = WEEK[1][0]
    assert (reply.external_id or "").isdigit() and reply.external_id not in week_ids
    assert reply.raw["parent"] == int(post_id(n)) and reply.raw["thread"] == str(disqus_replay.THREAD_BASE + n)
    assert reply.raw["author"]["username"] == SPEC["our_accounts"][0]
    assert reply.raw["raw_message"] == "Thanks: the docs page is fixed now."
    assert reply.permalink.endswith(f"#comment-{reply.external_id}") and reply.permalink.startswith(disqus_replay.BLOG)
    assert reply.created_at == ANCHOR + timedelta(hours=1)


def test_any_numbered_comment_is_answered_and_refusals_are_disqus_codes():
    demo.channel(KIND, ANCHOR)
    form = {
        "parent": "5900000001",  # a comment on the forum the demo week does not hold
        "message": "Thanks for the report!",
        "api_key": SPEC["credentials"]["api_key"],
        "access_token": SPEC["account_tokens"]["access_token"],
    }
    session = build_session()
    with time_machine.travel(ANCHOR, tick=False):
        elsewhere = session.post(CREATE, data=form).json()
        refused = {
            name: session.post(CREATE, data={**form, **change})
            for name, change in {
                "not a post id": {"parent": "t3_abc"},
                "empty": {"message": " "},
                "another token": {"access_token": "stale"},
                "another app": {"api_key": "k"},
            }.items()
        }

    assert elsewhere["code"] == 0 and elsewhere["response"]["parent"] == 5900000001
    assert elsewhere["response"]["thread"].isdigit() and elsewhere["response"]["forum"] == disqus_replay.FORUM
    assert {name: (r.status_code, r.json()["code"]) for name, r in refused.items()} == {
        "not a post id": (400, 2),
        "empty": (400, 2),
        "another token": (400, 4),
        "another app": (400, 5),
    }
    assert refused["another token"].json()["response"] == "You must provide an authenticated user for this method"


def test_a_refused_token_is_refreshed_at_disqus_and_the_reply_sent_with_the_new_one():
    ticket = _waiting_ticket()
    account = ticket.channel.accounts.get()
    account.tokens = {**SPEC["account_tokens"], "access_token": "expired-last-month"}
    account.save()
    advocate = AdvocateFactory()
    with time_machine.travel(ANCHOR, tick=False):
        reply = ticket_send_reply(ticket=ticket, user=advocate, body="Thanks: the docs page is fixed now.")

    assert (reply.external_id or "").isdigit()
    account.refresh_from_db()
    assert account.tokens["access_token"] == SPEC["account_tokens"]["access_token"]
    assert account.token_expires_at == ANCHOR + timedelta(days=30)

    # A refresh token Disqus no longer knows: the account asks to be connected again, the draft kept.
    account.tokens = {"access_token": "expired-last-month", "refresh_token": "revoked"}
    account.save()
    with time_machine.travel(ANCHOR, tick=False), pytest.raises(SendFailed, match="needs reconnecting"):
        ticket_send_reply(ticket=ticket, user=advocate, body="Is the docs page right now?")
    account.refresh_from_db()
    assert account.status == account.Status.NEEDS_RECONNECT
