"""Real recorded Hacker News responses (fixtures/hackernews/SOURCES.md), each with expectations written from the
payload itself; and the fidelity cases of issue 11 (jobs keep their title, a story keeps its text and its URL)."""

import copy
from datetime import UTC, datetime

import pytest

from channels.adapters import PayloadError
from channels.adapters.hackernews import HackerNewsAdapter
from channels.tests.factories import ChannelFactory
from channels.tests.hn import load
from intake.services.quarantine import mentions_store
from mentions.models import Message, Ticket

adapter = HackerNewsAdapter()


def one(name):
    parsed = adapter.parse_page(load(name))
    assert not parsed.rejected, parsed.rejected
    [mention] = parsed.mentions
    return mention


def test_recorded_poll_hit_keeps_its_title_and_text():
    m = one("algolia_search_by_date_poll.json")
    assert (m.external_id, m.author_handle) == ("7884224", "Walkman")
    assert m.created_at == datetime(2014, 6, 12, 16, 10, 33, tzinfo=UTC)
    assert m.title == "Poll: Will you learn Swift within 6 months?"
    assert m.text == (
        "Yes if you plan to learn the language inside and out.\n\n"
        "No if you are not interested at all or don't care, or don't think it will be widely used."
    )
    assert m.parent_id == "" and m.thread_id == ""
    assert m.permalink == "https://news.ycombinator.com/item?id=7884224"
    assert (m.raw["points"], m.raw["num_comments"]) == (1, 2)
    assert m.raw["_tags"] == ["poll", "author_Walkman", "story_7884224"] and "_highlightResult" not in m.raw


def test_recorded_link_story_from_a_story_or_poll_search():
    m = one("algolia_search_by_date_story_or_poll.json")
    assert (m.external_id, m.author_handle) == ("7913476", "LukeG")
    assert m.created_at == datetime(2014, 6, 18, 23, 7, 24, tzinfo=UTC)
    assert m.title == "Taking down ads and putting up art in San Francisco"
    assert m.text == "http://helloartcity.com/wayoutwest"
    assert (m.raw["points"], m.raw["num_comments"]) == (1, 0)


def test_recorded_comment_by_pg_threads_to_its_parent_and_story():
    m = one("algolia_search_by_date_comment_author_pg.json")
    assert (m.external_id, m.author_handle) == ("7494555", "pg")
    assert m.author_url == "https://news.ycombinator.com/user?id=pg"
    assert m.created_at == datetime(2014, 3, 30, 0, 12, 35, tzinfo=UTC)
    assert m.text == "Is there a forum that doesn't ban people?"
    assert m.title == "Meet the People Taking over Hacker News"  # the story's title
    assert (m.parent_id, m.thread_id) == ("7494175", "7493856")
    assert m.raw["points"] == 8 and m.raw["num_comments"] is None


def test_recorded_poll_without_text_keeps_its_title_and_counts():
    m = one("algolia_search_by_date_poll_author_pg.json")
    assert (m.external_id, m.author_handle) == ("5640988", "pg")
    assert m.created_at == datetime(2013, 5, 1, 21, 40, 59, tzinfo=UTC)
    assert m.title == "Poll: Do you have a 3d printer?" and m.text == ""
    assert (m.raw["points"], m.raw["num_comments"]) == (180, 276)


def test_recorded_story_that_the_comment_fixture_belongs_to():
    m = one("algolia_search_by_date_story_author_pg.json")
    assert (m.external_id, m.author_handle) == ("7493856", "pg")
    assert m.created_at == datetime(2014, 3, 29, 20, 43, 24, tzinfo=UTC)
    assert m.title == "Meet the People Taking over Hacker News"
    assert m.text == "http://blog.ycombinator.com/meet-the-people-taking-over-hacker-news"
    assert (m.raw["points"], m.raw["num_comments"]) == (578, 290)
    assert load("algolia_search_by_date_story_author_pg.json")["nbPages"] == 632  # below the 1,000-hit cap


def test_recorded_user_is_not_a_mention_payload():
    with pytest.raises(PayloadError, match="expected an Algolia search response"):
        adapter.parse_page(load("algolia_users_pg.json"))


def test_recorded_firebase_job_keeps_title_and_whole_text():
    m = one("firebase_item_192327_job.json")
    assert (m.external_id, m.author_handle) == ("192327", "justin")
    assert m.created_at == datetime(2008, 5, 16, 23, 40, 17, tzinfo=UTC)
    assert m.title == "Justin.tv is looking for a Lead Flash Engineer!"
    assert m.text.startswith("Justin.tv is the biggest live video site online.")
    assert "* Contribute to product design and implementation discussions" in m.text
    assert m.text.endswith("http://www.justin.tv/problems/bml will go a long way with us. Cheers!")
    assert m.parent_id == "" and m.raw["points"] == 6


def test_recorded_firebase_poll_and_its_option():
    poll = one("firebase_item_126809_poll.json")
    assert (poll.external_id, poll.author_handle) == ("126809", "pg")
    assert poll.created_at == datetime(2008, 3, 1, 20, 34, 12, tzinfo=UTC)
    assert poll.title == "Poll: What would happen if News.YC had explicit support for polls?" and poll.text == ""
    assert (poll.raw["points"], poll.raw["num_comments"], poll.raw["parts"]) == (46, 54, [126810, 126811, 126812])
    option = one("firebase_item_160705_pollopt.json")
    assert (option.external_id, option.parent_id, option.title) == ("160705", "160704", "")
    assert option.text == "Yes, ban them; I'm tired of seeing Valleywag stories on News.YC."
    assert option.created_at == datetime(2008, 4, 11, 4, 2, 56, tzinfo=UTC)


# --- fidelity (issue 11, item 6) --------------------------------------------------------------------------------


def _job_hit():
    """The recorded story hit as Algolia returns a job: tagged "job", with a title and a link."""
    hit = copy.deepcopy(load("algolia_search_by_date_story.json")["hits"][0])
    hit.update(
        objectID="192327",
        title="Justin.tv is looking for a Lead Flash Engineer!",
        url="http://www.justin.tv/jobs",
        story_text="",
        comment_text=None,
        _tags=["job", "author_justin", "story_192327"],
    )
    return hit


@pytest.mark.django_db
def test_job_item_keeps_its_title_and_the_ticket_subject_is_not_a_url():
    channel = ChannelFactory()
    job_hit = _job_hit()
    node = {**load("algolia_items_17.json"), "id": 555, "type": "job", "children": []}
    node.update(title="Hiring: SRE", url="https://example.com/jobs/sre", text=None, author="acme")
    pages = [{"hits": [job_hit]}, load("firebase_item_192327_job.json"), node]
    mentions = [m for page in pages for m in adapter.parse_page(page).mentions]
    assert [m.title for m in mentions] == [
        "Justin.tv is looking for a Lead Flash Engineer!",
        "Justin.tv is looking for a Lead Flash Engineer!",
        "Hiring: SRE",
    ]
    assert mentions[0].text == "http://www.justin.tv/jobs" and mentions[2].text == "https://example.com/jobs/sre"
    mentions_store(channel=channel, mentions=[mentions[0], mentions[2]])
    subjects = set(Ticket.objects.filter(channel=channel).values_list("subject", flat=True))
    assert subjects == {"Justin.tv is looking for a Lead Flash Engineer!", "Hiring: SRE"}


@pytest.mark.django_db
def test_story_with_text_and_url_keeps_both():
    hit = copy.deepcopy(load("algolia_search_by_date_story.json")["hits"][0])
    hit["story_text"] = "We moved our CI to <i>GitLab</i>.<p>Details in the post."
    firebase = {**load("firebase_item_121003.json"), "url": "https://example.com/arc-effect"}
    [from_hit] = adapter.parse_page({"hits": [hit]}).mentions
    [from_firebase] = adapter.parse_page(firebase).mentions
    assert from_hit.text == (
        "We moved our CI to GitLab.\n\nDetails in the post.\n\n"
        "http://in.reuters.com/article/2014/06/19/apple-google-settlement-idINL2N0P01ZI20140619"
    )
    assert from_firebase.text.startswith("or HN: the Next Iteration")
    assert from_firebase.text.endswith("\n\nhttps://example.com/arc-effect")
    channel = ChannelFactory()
    mentions_store(channel=channel, mentions=[from_hit])
    body = Message.objects.get(channel=channel).body
    assert "GitLab" in body and body.endswith("idINL2N0P01ZI20140619")


def test_the_demo_replay_answers_the_official_user_item_with_a_karma():
    """The demo network's stand-in for `/v0/user/<id>.json`, in firebase_user_jl.json's shape (id, created,
    karma), and `null` for a name that cannot be one, as Firebase answers anything missing."""
    import requests as _requests

    from channels.adapters.hackernews import replay
    from channels.adapters.hackernews.audience import USER_URL

    recorded = load("firebase_user_jl.json")
    status, found = replay.answer(_requests.Request("GET", USER_URL.format(id="jl")).prepare())
    assert status == 200 and set(found) <= set(recorded) and isinstance(found["karma"], int)
    assert replay.answer(_requests.Request("GET", USER_URL.format(id="no%20such")).prepare()) == (200, None)
