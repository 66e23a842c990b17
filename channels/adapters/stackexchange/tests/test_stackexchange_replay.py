"""The demo's Stack Overflow channel polled through the real adapter against its replay
(channels.adapters.stackexchange.replay, whose shapes follow the recorded responses in fixtures/:
questions_list_default_filter.json, questions_ids_answers.json, question_comments.json, posts_questions_stackongo.json,
error_400_no_method.json; its writes those items in the wrapper, as api.stackexchange.com/docs/create-comment and
/docs/create-answer document, refusals with the ids of /docs/error-handling). Nothing here reaches the network:
DESK_DEMO_REPLAY mounts channels.demo.replay."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from channels.adapters.stackexchange import StackExchangeAdapter
from channels.adapters.stackexchange import replay as se_replay
from channels.demo.accounts import demo_accounts_ensure
from channels.demo.channels import DEMO_CHANNELS
from channels.demo.week import OURS, THREADS, thread_start
from channels.http import build_session
from channels.models import Channel
from channels.tests import demo_replay as demo
from channels.tests.demo_replay import demo_network  # noqa: F401  (the fixture)
from channels.tests.harness import ingested, poll
from mentions.models import Message, Ticket
from mentions.services.replies import SendFailed, ticket_send_reply
from mentions.tests.factories import AdvocateFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_network")]

KIND = "stackexchange"
ANCHOR = datetime(2025, 3, 14, 10, 30, tzinfo=UTC)  # the day the demo was seeded: its week ends then
WEEK = [(n, thread) for n, thread in enumerate(THREADS) if thread.kind == KIND]


def question_id(n: int) -> int:
    return se_replay.QUESTION_BASE + 100 * n


def stored_thread(channel: Channel, n: int) -> list[demo.Post]:
    """The ticket of the week's question `n` (found by its question id), without authors: the site's are user ids."""
    question = Message.objects.get(channel=channel, external_id=f"q{question_id(n)}")
    assert question.ticket is not None
    return [post._replace(author="") for post in demo.ticket_posts(question.ticket)]


def posts_by(n: int, now: datetime) -> list[demo.Post]:
    """The week's question `n` and its follow-ups by `now`, without authors."""
    return [post._replace(author="") for post in demo.thread_posts(n, ANCHOR, now)]


def test_a_poll_stores_the_week_one_ticket_per_question_with_our_replies():
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        outcome = poll(channel)

    assert outcome.status == "ok", outcome.error
    assert len(demo.assert_week_stored(channel, ANCHOR, authors=False)) == len(WEEK) == 3
    for n, thread in WEEK:
        assert stored_thread(channel, n) == posts_by(n, ANCHOR)
        assert len(stored_thread(channel, n)) == 1 + len(thread.followups)
    # The week has our replies (answers by our account's user id) and stores them as ours, never as tickets.
    ours = Message.objects.filter(channel=channel, kind=Message.Kind.OUR_REPLY)
    assert ours.count() == sum(1 for _n, t in WEEK for f in t.followups if f[1] == OURS) == 2
    assert set(ours.values_list("author_handle", flat=True)) == {DEMO_CHANNELS[KIND]["our_accounts"][0]}
    assert ingested(outcome).our_replies == 2
    # Ids and permalinks are the site's: a question's page, an answer's /a/ link, a comment's /posts/comments/.
    first = question_id(WEEK[0][0])
    question = Message.objects.get(channel=channel, external_id=f"q{first}")
    assert question.permalink.startswith(f"https://stackoverflow.com/questions/{first}/rules-changes-does-not-")
    assert question.title == WEEK[0][1].title
    assert question.author_name == "jdoe_dev" and question.author_handle.isdigit()
    answer = Message.objects.get(channel=channel, external_id=f"a{first + 1}")
    assert answer.permalink == f"https://stackoverflow.com/a/{first + 1}"
    assert answer.thread_external_id == f"q{first}"
    comment = Message.objects.get(channel=channel, author_name="kube_karl", parent_external_id__startswith="q")
    assert comment.external_id == f"c{se_replay.COMMENT_BASE + 100 * WEEK[1][0] + 1}"
    assert comment.permalink == f"https://stackoverflow.com/posts/comments/{comment.external_id[1:]}"
    assert channel.platform_status["quota_remaining"] == se_replay.QUOTA_REMAINING


def test_a_second_poll_stores_nothing_twice():
    channel = demo.channel(KIND, ANCHOR)
    demo.poll_at(channel, ANCHOR, ANCHOR, authors=False)
    demo.assert_second_poll_stores_nothing(channel, at=ANCHOR + timedelta(minutes=5))
    assert (Message.objects.filter(channel=channel).count(), Ticket.objects.filter(channel=channel).count()) == (7, 3)


def test_a_post_still_to_come_is_served_once_its_time_has_come():
    """The demo's clock in the middle of the week: the Jenkins question is open, our answer 50 minutes later."""
    channel = demo.channel(KIND, ANCHOR)
    n, thread = WEEK[2]
    opened = thread_start(thread, ANCHOR)
    demo.poll_at(channel, ANCHOR, opened + timedelta(minutes=20), authors=False)  # the two older questions whole
    assert [(p.text, p.kind) for p in stored_thread(channel, n)] == [(thread.text, "inbound")]
    assert not Message.objects.filter(channel=channel, external_id=f"a{question_id(n) + 1}").exists()
    assert Ticket.objects.filter(channel=channel).count() == 3

    assert demo.poll_at(channel, ANCHOR, opened + timedelta(minutes=51), authors=False).created == 1
    answered = [(thread.text, "inbound"), (thread.followups[0][2], "our_reply")]
    assert [(p.text, p.kind) for p in stored_thread(channel, n)] == answered
    assert Ticket.objects.filter(channel=channel).count() == 3


def test_small_pages_are_walked_page_by_page(monkeypatch):
    """One item per page: every listing goes on with `page` while `has_more`, and stores the same week."""
    asked: list[tuple[str, str, str]] = []
    real_answer = se_replay.answer

    def answer(request, posts):
        url = urlsplit(request.url)
        query = parse_qs(url.query)
        asked.append((url.path.rsplit("/", 1)[-1], query["fromdate"][0], query["page"][0]))
        return real_answer(request, posts)

    monkeypatch.setattr(se_replay, "answer", answer)
    channel = demo.channel(KIND, ANCHOR, pagesize=1)
    with time_machine.travel(ANCHOR, tick=False):
        outcome = poll(channel)

    assert outcome.status == "ok", outcome.error
    assert ingested(outcome).created == 7
    # Every item came on its own page (3 questions, 3 answers, 1 comment), each page asked for once: the walk
    # goes on with the next `page` (after the newest second read, for the follow-ups) while `has_more`.
    assert [page for path, _f, page in asked if path == "questions"] == ["1", "2", "3"]
    answers = [(fromdate, page) for path, fromdate, page in asked if path == "answers"]
    assert len(answers) == len(set(answers)) == 3 and answers[1][1] == "2"
    assert [page for path, _f, page in asked if path == "comments"] == ["1"]
    assert channel.cursor["tags"]["gitlab"].get("resume") is None
    for n, _thread in WEEK:
        assert stored_thread(channel, n) == posts_by(n, ANCHOR)


def test_the_watcher_the_connection_test_and_unknown_methods():
    channel = demo.channel(KIND, ANCHOR)
    n, thread = WEEK[0]
    with time_machine.travel(ANCHOR, tick=False):
        fetched = StackExchangeAdapter.fetch_thread(channel=channel, session=build_session(), ref=str(question_id(n)))
        missing = build_session().get("https://api.stackexchange.com/2.3/users/1/timeline?site=stackoverflow")
        other_site = build_session().get("https://api.stackexchange.com/2.3/questions?site=serverfault")
        connection = StackExchangeAdapter().test_connection(channel=channel, session=build_session())

    # The watcher reads a question's answers and the comments on it and them (the question it has already).
    assert sorted(m.text for m in fetched.mentions) == sorted(f[2] for f in thread.followups)
    assert {m.thread_id for m in fetched.mentions} == {f"q{question_id(n)}"}
    assert fetched.requests_made == 2
    assert missing.status_code == 404
    assert missing.json() == {
        "error_id": 404,
        "error_name": "no_method",
        "error_message": "no method found with this name",
    }
    assert other_site.status_code == 400
    assert other_site.json()["error_name"] == "bad_parameter"
    assert connection == "stackoverflow answered: quota 9,990 of 10,000 left; 3 questions on the site."


def _connected() -> Channel:
    """The demo channel polled at ANCHOR, with our account connected as `seed_demo` connects it."""
    channel = demo.channel(KIND, ANCHOR)
    with time_machine.travel(ANCHOR, tick=False):
        assert poll(channel).status == "ok"
    assert [a.username for a in demo_accounts_ensure()] == [DEMO_CHANNELS[KIND]["account_username"]]
    return channel


def test_a_comment_and_an_answer_sent_from_the_desk_get_ids_of_their_own():
    channel = _connected()
    n, _thread = WEEK[0]
    ticket = Message.objects.get(channel=channel, external_id=f"q{question_id(n)}").ticket
    assert ticket is not None
    week_ids = {int(i[1:]) for i in Message.objects.filter(channel=channel).values_list("external_id", flat=True) if i}
    advocate = AdvocateFactory()
    with time_machine.travel(ANCHOR + timedelta(hours=1), tick=False):
        comment = ticket_send_reply(ticket=ticket, user=advocate, body="Which runner version is this?")
        answer = ticket_send_reply(
            ticket=ticket,
            user=advocate,
            body="Set pull_policy to if-not-present in config.toml.",
            style="answer",
        )

    # The site's comment and answer, under the question, by our account, with the site's links; nothing of the week's.
    comment_id, answer_id = comment.external_id or "", answer.external_id or ""
    assert comment_id.startswith("c") and answer_id.startswith("a")
    assert comment.raw["post_id"] == answer.raw["question_id"] == question_id(n)
    assert (
        comment.raw["owner"]["user_id"] == answer.raw["owner"]["user_id"] == int(DEMO_CHANNELS[KIND]["our_accounts"][0])
    )
    assert comment.raw["owner"]["display_name"] == comment.author_handle == DEMO_CHANNELS[KIND]["account_username"]
    assert comment.permalink == f"https://stackoverflow.com/posts/comments/{comment_id[1:]}"
    assert answer.permalink == f"https://stackoverflow.com/a/{answer_id[1:]}"
    assert comment.created_at == answer.created_at == ANCHOR + timedelta(hours=1)
    assert not week_ids & {int(comment_id[1:]), int(answer_id[1:])}


def test_any_well_formed_post_is_answered_and_refusals_are_the_sites():
    _connected()
    url = "https://api.stackexchange.com/2.3/posts/{}/comments/add"
    form = {
        "body": "Which runner version is this?",
        "site": "stackoverflow",
        "key": DEMO_CHANNELS[KIND]["credentials"]["key"],
        "access_token": DEMO_CHANNELS[KIND]["account_tokens"]["access_token"],
        "preview": "false",
    }
    with time_machine.travel(ANCHOR, tick=False):
        session = build_session()
        elsewhere = session.post(url.format(12345678), data=form)  # a question the demo week does not hold
        refused = {
            name: session.post(url.format(12345678), data={**form, **change}).json()
            for name, change in {
                "no token": {"access_token": ""},
                "another token": {"access_token": "stale"},
                "no key": {"key": ""},
                "short": {"body": "Thanks!"},
            }.items()
        }
        malformed = session.post(url.format("q123"), data=form)

    assert elsewhere.status_code == 200 and elsewhere.json()["items"][0]["post_id"] == 12345678
    assert elsewhere.json()["has_more"] is False and elsewhere.json()["quota_max"] == se_replay.QUOTA_MAX
    assert {name: (body["error_id"], body["error_name"]) for name, body in refused.items()} == {
        "no token": (401, "access_token_required"),
        "another token": (402, "invalid_access_token"),
        "no key": (405, "key_required"),
        "short": (400, "bad_parameter"),
    }
    assert refused["no token"]["error_message"] == "This method requires an access_token"
    assert malformed.json()["error_name"] == "no_method"


def test_a_refusal_is_shown_in_the_sites_words_and_a_refused_token_asks_for_reconnecting():
    channel = _connected()
    ticket = Message.objects.get(channel=channel, external_id=f"q{question_id(WEEK[0][0])}").ticket
    assert ticket is not None
    channel.credentials = {"key": "another-apps-key"}  # an admin pasted another application's key
    channel.save()
    with time_machine.travel(ANCHOR, tick=False), pytest.raises(SendFailed) as refused:
        ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Which runner version is this?")
    assert "Stack Exchange refused the reply: key: Invalid key." in str(refused.value.message)

    channel.credentials = DEMO_CHANNELS[KIND]["credentials"]
    channel.save()
    account = channel.accounts.get()
    account.tokens = {"access_token": "revoked-on-the-site"}
    account.save()
    with time_machine.travel(ANCHOR, tick=False), pytest.raises(SendFailed, match="needs reconnecting"):
        ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="Which runner version is this?")
    account.refresh_from_db()
    assert account.status == account.Status.NEEDS_RECONNECT
