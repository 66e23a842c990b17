"""Real Reddit payloads recorded by other projects' test suites (fixtures/reddit/SOURCES.md), each read with
exact expectations written from the payload itself, and stored through the ingest with the threads they hold."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from channels.adapters.reddit import RedditAdapter
from channels.adapters.reddit.tests.test_reddit_adapter import reddit_channel
from intake.services.quarantine import mentions_store
from mentions.models import Message

adapter = RedditAdapter()
FIXTURES = Path(__file__).parent / "fixtures"


def load(name):
    return json.loads((FIXTURES / name).read_text())


def fields(m):
    return {
        "id": m.external_id,
        "author": (m.author_handle, m.author_name, m.author_url),
        "text": m.text,
        "title": m.title,
        "parent": m.parent_id,
        "thread": m.thread_id,
        "permalink": m.permalink,
        "created": m.created_at,
        "edited": m.edited_at,
        "deleted": m.deleted,
    }


TESTUSER = ("testuser", "testuser", "https://www.reddit.com/user/testuser")


def test_goreddit_comment_page_post_and_nested_reply_chain():
    parsed = adapter.parse_page(load("goreddit_post_comment_page.json"))
    assert not parsed.rejected
    post, first, nested = (fields(m) for m in parsed.mentions)
    assert post == {
        "id": "t3_testpost",
        "author": TESTUSER,
        "text": "Hello",  # a self post: its text, no link
        "title": "Test",
        "parent": "",
        "thread": "",
        "permalink": "https://www.reddit.com/r/test/comments/testpost/test/",
        "created": datetime(2020, 7, 18, 10, 26, 7, tzinfo=UTC),  # created_utc, not the local `created`
        "edited": None,
        "deleted": False,
    }
    assert first == {
        "id": "t1_testc1",
        "author": TESTUSER,
        "text": "Hi",
        "title": "",  # a comment page's comments carry no link_title
        "parent": "t3_testpost",
        "thread": "t3_testpost",
        "permalink": "https://www.reddit.com/r/test/comments/testpost/test/testc1/",
        "created": datetime(2020, 7, 18, 10, 31, 59, tzinfo=UTC),
        "edited": None,
        "deleted": False,
    }
    assert nested == {
        "id": "t1_testc2",
        "author": TESTUSER,
        "text": "Hello",
        "title": "",
        "parent": "t1_testc1",  # from the replies Listing nested in t1_testc1
        "thread": "t3_testpost",
        "permalink": "https://www.reddit.com/r/test/comments/testpost/test/testc2/",
        "created": datetime(2020, 7, 18, 10, 32, 28, tzinfo=UTC),
        "edited": None,
        "deleted": False,
    }
    # Saved without raw_json=1 (HTML fields start with "&lt;"): the raw item is kept as sent, replies left out.
    assert parsed.mentions[1].raw["data"]["body_html"].startswith("&lt;div")
    assert "replies" not in parsed.mentions[1].raw["data"]


def test_goreddit_morechildren_answer_is_read_as_its_comments():
    parsed = adapter.parse_page(load("goreddit_morechildren.json"))
    assert not parsed.rejected
    first, second = (fields(m) for m in parsed.mentions)
    assert first == {
        "id": "t1_def",
        "author": ("testuser1", "testuser1", "https://www.reddit.com/user/testuser1"),
        "text": "Wow, I came here to say exactly this and figured it would be buried. Pleasantly shocked to see "
        "your comment as the top comment! So. Good. Thanks, random internet friend!",
        "title": "",
        "parent": "t1_abc",
        "thread": "t3_123",
        "permalink": "https://www.reddit.com/r/AskReddit/comments/123/which_scene_from_an_animated_film_will_always_be/def/",
        "created": datetime(2020, 7, 20, 19, 16, 49, tzinfo=UTC),
        "edited": None,
        "deleted": False,
    }
    assert (second["id"], second["parent"], second["thread"], second["author"][0]) == (
        "t1_ghi",
        "t1_def",
        "t3_123",
        "testuser2",
    )
    assert second["text"] == "Oh my god yes best movie ever love that scene"
    assert second["created"] == datetime(2020, 7, 20, 21, 16, 18, tzinfo=UTC)


@pytest.mark.django_db
def test_goreddit_comment_page_is_stored_as_one_ticket_and_redelivered_as_duplicates():
    channel = reddit_channel()
    mentions = adapter.parse_payload(load("goreddit_post_comment_page.json"))
    result = mentions_store(channel=channel, mentions=mentions)
    assert (result.created, result.tickets_created, result.threaded) == (3, 1, 2)
    tickets = set(Message.objects.filter(channel=channel).values_list("ticket_id", flat=True))
    assert len(tickets) == 1  # both comments joined the post's ticket
    again = mentions_store(channel=channel, mentions=mentions)
    assert (again.created, again.duplicates) == (0, 3)


@pytest.mark.django_db
def test_goreddit_morechildren_reply_joins_its_parents_ticket():
    channel = reddit_channel()
    result = mentions_store(channel=channel, mentions=adapter.parse_payload(load("goreddit_morechildren.json")))
    assert (result.created, result.tickets_created, result.threaded) == (2, 1, 1)


def test_goreddit_user_overview_mixes_a_post_and_a_comment_on_another_post():
    parsed = adapter.parse_page(load("goreddit_user_overview.json"))
    assert not parsed.rejected
    post, reply = (fields(m) for m in parsed.mentions)
    author = ("v_95", "v_95", "https://www.reddit.com/user/v_95")
    assert post == {
        "id": "t3_gczwql",
        "author": author,
        # The markdown as written (its selftext_html, escaped once more, is not read); a self post has no link.
        "text": "Talking about [this](https://www.reddit.com/dev/api/#GET_user_{username}_{where}) endpoint "
        "specifically.\n\nI'm building a Reddit API client, but don't have gold.",
        "title": "GET /user/{username}/gilded: does it return other user's things you've gilded, or your things "
        "that have been gilded? Does it return both comments and posts?",
        "parent": "",
        "thread": "",
        "permalink": "https://www.reddit.com/r/redditdev/comments/gczwql/get_userusernamegilded_does_it_return_other_users/",
        "created": datetime(2020, 5, 3, 22, 46, 25, tzinfo=UTC),
        "edited": None,
        "deleted": False,
    }
    assert reply["id"] == "t1_f0zsa37" and reply["author"] == author and reply["text"] == "Thank you!"
    assert (reply["parent"], reply["thread"]) == ("t3_d7ejpn", "t3_d7ejpn")
    assert reply["title"].startswith("I'm giving away an iPhone 11 Pro") and reply["title"].endswith("good luck!")
    assert reply["permalink"] == (
        "https://www.reddit.com/r/apple/comments/d7ejpn/im_giving_away_an_iphone_11_pro_to_a_commenter_at/f0zsa37/"
    )
    assert reply["created"] == datetime(2019, 9, 21, 21, 38, 16, tzinfo=UTC)


def test_goreddit_user_comments_page_is_one_comment_on_another_users_post():
    page = load("goreddit_user_comments.json")
    parsed = adapter.parse_page(page)
    assert not parsed.rejected
    [comment] = (fields(m) for m in parsed.mentions)
    assert comment == {
        "id": "t1_f0zsa37",
        "author": ("v_95", "v_95", "https://www.reddit.com/user/v_95"),
        "text": "Thank you!",
        "title": page["data"]["children"][0]["data"]["link_title"],  # the post it answers, written by iamthatis
        "parent": "t3_d7ejpn",
        "thread": "t3_d7ejpn",
        "permalink": "https://www.reddit.com/r/apple/comments/d7ejpn/im_giving_away_an_iphone_11_pro_to_a_commenter_at/f0zsa37/",
        "created": datetime(2019, 9, 21, 21, 38, 16, tzinfo=UTC),  # created_utc, not the local `created`
        "edited": None,  # "edited": false
        "deleted": False,
    }
    assert comment["title"].startswith("I'm giving away an iPhone 11 Pro") and comment["title"].endswith("good luck!")


def test_goreddit_subreddit_comments_listing_reply_and_its_parent_in_one_thread():
    """`GET /r/test/comments` as recorded by go-reddit: newest first, the reply before its parent."""
    page = load("goreddit_listing_comments.json")
    parsed = adapter.parse_page(page)
    assert not parsed.rejected
    reply, parent = (fields(m) for m in parsed.mentions)
    assert parent == {
        "id": "t1_h58ec0d",
        "author": ("Thenick0410", "Thenick0410", "https://www.reddit.com/user/Thenick0410"),
        "text": "san francisco",
        "title": "test",
        "parent": "t3_okk3sn",
        "thread": "t3_okk3sn",
        "permalink": "https://www.reddit.com/r/test/comments/okk3sn/test/h58ec0d/",
        "created": datetime(2021, 7, 15, 3, 14, 57, tzinfo=UTC),
        "edited": None,
        "deleted": False,
    }
    assert (reply["id"], reply["text"], reply["parent"], reply["thread"]) == (
        "t1_h58ffys",
        "boats",
        "t1_h58ec0d",
        "t3_okk3sn",
    )
    assert reply["created"] == datetime(2021, 7, 15, 3, 24, 16, tzinfo=UTC)
