"""The recorded X API v2 responses added for issue 11 (sources and licences in fixtures/twitter/SOURCES.md),
each with expectations written from the payload itself."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest.mock import patch

import pytest
import responses
from responses import matchers

from channels.adapters.twitter import MENTIONS_URL, SEARCH_URL, TwitterAdapter, snowflake_time
from channels.http import build_session
from channels.tests.factories import ChannelFactory
from channels.tests.sent import request_params

FIXTURES = Path(__file__).parent / "fixtures"
adapter = TwitterAdapter()


def load(name):
    return json.loads((FIXTURES / name).read_text())


def by_id(name):
    parsed = adapter.parse_page(load(name))
    assert parsed.rejected == []
    return {m.external_id: m for m in parsed.mentions}


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, microsecond: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, microsecond, tzinfo=UTC)


def test_quote_tweets_skips_the_retweets_and_keeps_the_two_posts():
    # tweepy test_client_get_quote_tweets (2022-10-07): 9 quotes of the API v2 launch post, 7 of them "RT @TwitterAPI".
    payload = load("quote_tweets.json")
    assert len(payload["data"]) == 9 and payload["meta"] == {"result_count": 9, "next_token": "ayf96h94ritk"}
    found = by_id("quote_tweets.json")
    assert list(found) == ["1453474504928280580", "1447395402676793345"]
    hello = found["1447395402676793345"]
    assert hello.text == "Hello #Twitter https://t.co/1GPaAuDXKi"
    assert hello.created_at == at(2021, 10, 11, 2, 55, 29, 961000)  # no created_at requested: the Snowflake time
    assert (hello.author_handle, hello.permalink) == ("", "https://x.com/i/web/status/1447395402676793345")
    plea = found["1453474504928280580"]
    assert plea.text.startswith("We ask the Twitter administration to support the account of Mr. Hussein Al-Ezzi")
    assert plea.text.endswith("@hussinalezzi5 https://t.co/5X3p8MkMJM https://t.co/uxy1CNOlOG")
    assert plea.mentioned == ()  # no entities requested: nothing is guessed from the text
    assert (plea.parent_id, plea.thread_id, plea.edited_at) == ("", "", None)


def test_users_tweets_keeps_line_breaks_and_the_edit_history_of_one():
    # tweepy test_client_get_users_tweets (2022-10-07), @Twitter's timeline.
    found = by_id("users_tweets.json")
    assert list(found) == ["1577730467436138524", "1565318587736285184"]
    gifs = found["1577730467436138524"]
    assert gifs.text == (
        "whoa, it works\n\nnow everyone can mix GIFs, videos, and images in one Tweet, available on iOS and Android "
        "https://t.co/3OQ4eGsUku https://t.co/LVVolAQPZi"
    )
    assert gifs.created_at == at(2022, 10, 5, 18, 40, 30, 908000)
    edit = found["1565318587736285184"]
    assert edit.text.startswith("if you see an edited Tweet it's because we're testing the edit button")
    assert edit.edited_at is None  # a one-entry history is an unedited post
    assert edit.created_at == at(2022, 9, 1, 12, 40, 8, 186000)


def test_tweets_lookup_of_two_posts():
    # tweepy test_client_get_tweets (2022-10-07): GET /2/tweets?ids=1293593516040269825,1293595870563381249
    found = by_id("tweets_lookup_two.json")
    assert list(found) == ["1293593516040269825", "1293595870563381249"]
    launch, early = found.values()
    assert launch.created_at == at(2020, 8, 12, 17, 1, 42, 686000)
    assert launch.text.startswith(
        "It\u2019s finally here! 🥁 Say hello to the new #TwitterAPI.\n\nWe\u2019re rebuilding"
    )
    assert early.created_at == at(2020, 8, 12, 17, 11, 4, 48000)
    assert early.text.endswith("#TwitterAPI #EarlyAccess #VersionBump https://t.co/g7v3aeIbtQ")
    # The same launch post as the single lookup recorded earlier: the same mention.
    [single] = adapter.parse_payload(load("tweet_lookup_single.json"))
    assert single == launch


def test_full_archive_search_from_before_edits_existed():
    # tweepy test_client_search_all_tweets (2021-09-27): id and text only, no edit_history_tweet_ids (2021),
    # 4 of 10 retweets of @suhemparack.
    payload = load("search_all.json")
    assert payload["meta"]["result_count"] == 10 and payload["meta"]["newest_id"] == "1442563859974262785"
    found = by_id("search_all.json")
    assert list(found) == [
        "1442555924791455747",
        "1442554532785913856",
        "1442550717357518849",
        "1442536348280401920",
        "1442531357750558724",
        "1442520637239660545",
    ]
    assert found["1442554532785913856"].text == "@tomasem1 Nite nite tweepy go to sleepy"
    assert found["1442531357750558724"].text == "Test tweet from Tweepy Python"
    assert found["1442531357750558724"].created_at == at(2021, 9, 27, 16, 47, 31, 281000)
    assert found["1442550717357518849"].text.startswith("日本のツイートトレンドTOP10は['#葛葉の日', '原神1周年'")
    assert found["1442555924791455747"].text == (
        "@kazu_nodoka Tweepy v4.0.0 was released 2 days ago and had many breaking changes.\nhttps://t.co/H6Ns82Wuv1"
    )


def test_home_timeline_with_created_at_and_the_expanded_author():
    # sns-sdks/python-twitter testdata timeline_reverse_chronological.json: @TwitterDev, created_at and
    # includes.users; the library's copy lost the backslashes of "\n" ("nn" in the texts): kept as recorded.
    found = by_id("home_timeline_reverse_chronological.json")
    assert list(found) == [
        "1524796546306478083",
        "1524468552404668416",
        "1523757705436958720",
        "1522642324781633536",
        "1522642323535847424",
    ]
    for mention in found.values():
        assert (mention.author_handle, mention.author_name) == ("TwitterDev", "Twitter Dev")
        assert mention.author_url == "https://x.com/TwitterDev"
        assert mention.permalink == f"https://x.com/TwitterDev/status/{mention.external_id}"
        # created_at (whole seconds) and the Snowflake id agree to the second
        assert timedelta(0) <= snowflake_time(mention.external_id) - mention.created_at < timedelta(seconds=1)
    assert found["1524796546306478083"].created_at == at(2022, 5, 12, 17, 0, 0)
    assert found["1522642323535847424"].created_at == at(2022, 5, 6, 18, 19, 53)
    assert found["1524468552404668416"].text == (
        "📢 Join @jessicagarson @alanbenlee and @i_am_daniele tomorrow, May 12  | 5:30 ET / 2:30pm PT as they "
        "discuss the future of bots https://t.co/sQ2bIO1fz6"
    )
    assert found["1522642324781633536"].text.startswith("If you\u2019d like to apply")


MAIN_ID = "2244994945"


@pytest.mark.django_db
@responses.activate
def test_a_recorded_page_without_newest_id_still_moves_the_mark():
    """quote_tweets.json's meta has no newest_id: the mark is the newest id on the page (a retweet counts: it
    was read), and every post returned is metered, the retweets included. Headers as recorded."""
    channel = ChannelFactory(
        kind="twitter", config={"handles": [{"username": "GitLab", "user_id": MAIN_ID, "role": "main"}]}
    )
    channel.credentials = {"bearer_token": "b"}
    channel.save()
    headers = {"x-rate-limit-limit": "75", "x-rate-limit-remaining": "73", "x-rate-limit-reset": "1665183227"}
    responses.get(MENTIONS_URL.format(user_id=MAIN_ID), json=load("quote_tweets.json"), headers=headers)
    result = adapter.fetch(channel=channel, session=build_session())
    assert result.cursor == {f"mentions:{MAIN_ID}": "1458146351036841988"}  # first poll: the first page only
    assert (result.reads, len(result.mentions), result.more) == (9, 2, False)
    assert result.platform_status["rate_limit"]["mentions"]["remaining"] == 73


@pytest.mark.django_db
@responses.activate
def test_a_recorded_search_page_with_a_next_token_is_walked_on():
    """search_all.json as the first page of a search walk from a mark: its next_token is followed with since_id
    held, and the mark moves to the first page's newest id once the walk is done."""
    mark = "1442500000000000000"
    token = load("search_all.json")["meta"]["next_token"]
    channel = ChannelFactory(
        kind="twitter",
        config={"handles": [{"username": "GitLab", "user_id": MAIN_ID, "role": "main"}], "search_queries": ["Tweepy"]},
        cursor={f"mentions:{MAIN_ID}": mark, "search:Tweepy": mark},
    )
    channel.credentials = {"bearer_token": "b"}
    channel.save()
    responses.get(MENTIONS_URL.format(user_id=MAIN_ID), json={"meta": {"result_count": 0}})
    responses.get(
        SEARCH_URL,
        json={"meta": {"result_count": 0}},
        match=[matchers.query_param_matcher({"next_token": token}, strict_match=False)],
    )
    responses.get(SEARCH_URL, json=load("search_all.json"))
    with patch("django.utils.timezone.now", return_value=at(2021, 9, 28)):  # the mark within search's 7 days
        chunks = list(adapter.fetch_chunks(channel=channel, session=build_session()))
    # The walk's two pages (the recorded one, then an empty one) are one chunk, oldest first.
    assert [len(c.mentions) for c in chunks] == [0, 6]
    assert [m.external_id for m in chunks[1].mentions][:2] == ["1442520637239660545", "1442531357750558724"]
    assert chunks[1].cursor == {f"mentions:{MAIN_ID}": mark, "search:Tweepy": "1442563859974262785"}
    assert (chunks[1].reads, chunks[1].requests_made, chunks[1].more) == (10, 2, False)
    assert request_params(responses.calls[2].request)["next_token"] == token
    assert request_params(responses.calls[2].request)["since_id"] == mark
