"""X / Twitter adapter: parsing the recorded payloads, config, fetch at the HTTP edge, replies."""

import copy
import json
import time
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import requests
import responses
from django.core.management import CommandError, call_command
from django.utils import timezone
from responses import matchers

from channels.adapters import (
    AccountNeedsReconnect,
    AuthError,
    ConfigError,
    PayloadError,
    PermanentError,
    RateLimited,
    ReplyError,
    ReplyTarget,
    ReplyUncertain,
    TransientError,
)
from channels.adapters.registry import get_adapter
from channels.adapters.twitter import (
    MENTIONS_URL,
    SEARCH_URL,
    SNOWFLAKE_EPOCH_MS,
    TWEETS_URL,
    USER_URL,
    TwitterAdapter,
    snowflake_time,
)
from channels.http import build_session
from channels.models import Account
from channels.tests.factories import ChannelFactory
from channels.tests.harness import figures
from channels.tests.sent import request_params, request_url
from mentions.models import Message, Ticket

FIXTURES = Path(__file__).parent / "fixtures"
adapter = TwitterAdapter()

MAIN_ID, STATUS_ID, OTHER_ID = "2244994945", "1143870337", "1011121314"
CONFIG: dict[str, Any] = {
    "handles": [
        {"username": "GitLab", "user_id": MAIN_ID, "role": "main"},
        {"username": "GitLabStatus", "user_id": STATUS_ID, "role": "status"},
        {"username": "MovingToGitLab", "user_id": OTHER_ID, "role": "other"},
    ],
    "availability_keywords": ["down", "outage", "502", "503", "unavailable", "not loading", "is gitlab down"],
}
BEARER = "bearer-SECRET-b"
TOKENS = {"GitLab": "user-SECRET-main", "GitLabStatus": "user-SECRET-status"}


def load(name):
    return json.loads((FIXTURES / name).read_text())


# Posts and users in the recorded shape (the docs sample with expansions), with chosen values.
_TWEET = load("search_recent_with_expansions_docs_sample.json")["data"][0]
_USER = load("search_recent_with_expansions_docs_sample.json")["includes"]["users"][0]


def snowflake(at: datetime, seq: int = 0) -> str:
    ms = int(at.timestamp() * 1000) - SNOWFLAKE_EPOCH_MS
    return str((ms << 22) + seq)


def recent_id(seconds_ago: float = 60, seq: int = 0) -> str:
    return snowflake(timezone.now() - timedelta(seconds=seconds_ago), seq)


def tweet(tweet_id, text="@GitLab help please", *, author_id="101", replied_to=None, conversation_id=None, **extra):
    t = copy.deepcopy(_TWEET)
    for key in ("attachments", "geo", "referenced_tweets", "in_reply_to_user_id"):
        t.pop(key, None)
    created = snowflake_time(tweet_id)
    mentioned = [w[1:].rstrip(".,:!?") for w in text.split() if w.startswith("@")]
    t.update(
        id=tweet_id,
        text=text,
        author_id=author_id,
        created_at=created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{created.microsecond // 1000:03d}Z",
        conversation_id=conversation_id or tweet_id,
        edit_history_tweet_ids=[tweet_id],
        entities={"mentions": [{"start": 0, "end": len(m) + 1, "username": m} for m in mentioned]},
    )
    if replied_to:
        t["referenced_tweets"] = [{"type": "replied_to", "id": replied_to}]
    t.update(extra)
    return t


def user(user_id="101", username="alice", name="Alice A."):
    u = copy.deepcopy(_USER)
    u.update(id=user_id, username=username, name=name)
    return u


def page(tweets, users=(), next_token=None):
    meta: dict[str, Any]
    if not tweets:
        meta = {"result_count": 0}
    else:
        ids = sorted((t["id"] for t in tweets), key=int)
        meta = {"newest_id": ids[-1], "oldest_id": ids[0], "result_count": len(tweets)}
    if next_token:
        meta["next_token"] = next_token
    body: dict[str, Any] = {"meta": meta}
    if tweets:
        body["data"] = list(tweets)
        body["includes"] = {"users": list(users) or [user()]}
    return body


def limits(remaining=440, reset=None, limit=450):
    reset = int(time.time()) + 600 if reset is None else reset
    return {
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(reset),
    }


def twitter_channel(config=None, **kwargs):
    defaults = {
        "name": "X GitLab",
        "slug": "x-gitlab",
        "our_accounts": ["GitLab", "GitLabStatus", "MovingToGitLab"],
    }
    channel = ChannelFactory(kind="twitter", config=copy.deepcopy(config or CONFIG), **{**defaults, **kwargs})
    channel.credentials = {"bearer_token": BEARER, "oauth_client_id": "client-1"}
    channel.save()
    for handle, token in TOKENS.items():  # connected; MovingToGitLab is not
        account = Account(channel=channel, username=handle, status=Account.Status.CONNECTED)
        account.tokens = {"access_token": token}
        account.save()
    Account.objects.create(channel=channel, username="MovingToGitLab")
    return channel


def send(channel, handle: str, tweet_id: str, text: str):
    """The adapter's post as the desk calls it: as one of the channel's accounts."""
    account = Account.objects.get(channel=channel, username__iexact=handle)
    return adapter.post_reply(
        channel=channel, account=account, session=build_session(), target=ReplyTarget(external_id=tweet_id), text=text
    )


def query(**params):
    return matchers.query_param_matcher(params, strict_match=False)


# --- the recorded payloads ----------------------------------------------------------------

FIXTURE_COUNTS = [
    ("users_mentions.json", 10),
    ("users_mentions_with_created_at.json", 5),
    ("search_recent.json", 10),
    ("search_recent_with_tweet_fields.json", 3),  # 10 posts, 7 of them retweets
    ("search_recent_with_expansions_docs_sample.json", 4),
    ("tweet_lookup_single.json", 1),
    ("tweets_lookup_with_users_docs_sample.json", 2),
]


@pytest.mark.parametrize(("fixture", "expected"), FIXTURE_COUNTS)
def test_every_recorded_payload_parses(fixture, expected):
    payload = load(fixture)
    mentions = adapter.parse_payload(payload)
    assert len(mentions) == expected
    assert len({m.external_id for m in mentions}) == expected
    for m in mentions:
        assert m.external_id.isdigit()
        assert m.created_at.tzinfo is not None and m.created_at.utcoffset() == timedelta(0)
        assert m.text and "&amp;" not in m.text
        assert m.permalink.endswith(f"/status/{m.raw['id']}")
    # A list of saved pages is accepted too, and a page read twice counts once.
    assert [m.external_id for m in adapter.parse_payload([payload, payload])] == [m.external_id for m in mentions]


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("create_tweet_201.json", "POST /2/tweets"),
        ("delete_tweet.json", "DELETE /2/tweets"),
        ("_responses_meta.json", 'no "data"'),
    ],
)
def test_files_without_mentions_are_rejected_clearly(fixture, message):
    with pytest.raises(PayloadError, match=message):
        adapter.parse_payload(load(fixture))


def test_recorded_expansions_sample_maps_every_field():
    mentions = {m.external_id: m for m in adapter.parse_payload(load("search_recent_with_expansions_docs_sample.json"))}
    m = mentions["1276035977375477760"]
    assert m.author_handle == "happycamper"
    assert m.author_name == "Emily Waligoske 🏕"
    assert m.author_url == "https://x.com/happycamper"
    assert m.permalink == "https://x.com/happycamper/status/1276035977375477760"
    assert m.created_at == datetime(2020, 6, 25, 6, 14, 19, tzinfo=UTC)
    assert m.parent_id == "1275653067283759104"
    assert m.thread_id == ""  # no conversation_id in this sample
    assert m.edited_at is None
    # The t.co link is replaced by where it goes.
    assert m.text.endswith("looking for https://twitter.com/happycamper/status/1276035977375477760/photo/1")
    assert "t.co" not in m.text
    assert m.raw["author"]["username"] == "happycamper"
    assert m.raw["mentioned_handles"] == ["snowman"]
    assert m.raw["geo"] == {"place_id": "f7eb2fa2fea288b1"}  # the whole post is kept
    assert "🔥👍" in mentions["1275882613572583424"].text


def test_recorded_search_skips_retweets_and_unescapes_entities():
    mentions = adapter.parse_payload(load("search_recent_with_tweet_fields.json"))
    assert [m.external_id for m in mentions] == ["1275840892281249793", "1275840891014561796", "1275840878238552064"]
    camps = mentions[1]
    assert "allergies (not a worry in this setting) & kids from MD" in camps.text
    assert "&amp;" not in camps.text
    # No expansions in this recording: the author is unknown, the permalink still works.
    assert camps.author_handle == camps.author_name == camps.author_url == ""
    assert camps.permalink == "https://x.com/i/web/status/1275840891014561796"
    assert "author" not in camps.raw
    assert mentions[0].parent_id == "1275781448855891968"


def test_posts_without_created_at_get_their_time_from_the_snowflake_id():
    # tweepy posted these every 2 minutes with the client's clock in the text: the id's time
    # is a few hundred ms later, every time.
    for m in adapter.parse_payload(load("search_recent.json")):
        stamped = datetime.strptime(m.text.removesuffix(" tweepy"), "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
        assert timedelta(0) < m.created_at - stamped < timedelta(seconds=1)
    [launch] = adapter.parse_payload(load("tweet_lookup_single.json"))
    assert launch.created_at == datetime(2020, 8, 12, 17, 1, 42, 686000, tzinfo=UTC)  # the API v2 launch post
    assert "It\u2019s finally here! 🥁" in launch.text
    assert snowflake_time("1578516068309794817") == datetime(2022, 10, 7, 22, 42, 12, 752000, tzinfo=UTC)
    # A pre-Snowflake id without created_at carries no time: that post alone is rejected.
    parsed = adapter.parse_page({"data": [{"id": "20", "text": "just setting up my twttr"}]})
    assert parsed.mentions == [] and "predates Snowflake" in parsed.rejected[0].error


def test_recorded_mentions_keep_unicode_and_emoji():
    mentions = {m.external_id: m for m in adapter.parse_payload(load("users_mentions.json"))}
    assert mentions["1578516220231397376"].text == "@Twitter make 🤨 an available reaction emoji in dms"
    assert "@elonmusk\u2019s" in mentions["1578516273537118209"].text
    assert mentions["1578516295611748353"].created_at == datetime(2022, 10, 7, 22, 43, 6, 945000, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize(("fixture", "expected"), FIXTURE_COUNTS)
def test_ingest_payload_command_stores_each_recorded_file_once(fixture, expected):
    channel = twitter_channel()

    def run():
        out = StringIO()
        call_command("ingest_payload", "--channel", "x-gitlab", str(FIXTURES / fixture), stdout=out)
        return json.loads(out.getvalue())

    first, second = run(), run()
    assert first["received"] == first["created"] == expected
    assert second["created"] == 0 and second["duplicates"] == expected
    assert Message.objects.filter(channel=channel).count() == expected


@pytest.mark.django_db
def test_ingest_payload_threads_the_docs_sample_conversation():
    twitter_channel()
    out = StringIO()
    path = FIXTURES / "search_recent_with_expansions_docs_sample.json"
    call_command("ingest_payload", "--channel", "X GitLab", str(path), stdout=out)
    # Threaded: two replies to 1275653067283759104, which is in the same file.
    assert json.loads(out.getvalue()) == figures(received=4, created=4, tickets_created=2, threaded=2)
    root = Message.objects.get(external_id="1275653067283759104").ticket
    assert root is not None
    assert set(root.messages.values_list("external_id", flat=True)) == {
        "1275653067283759104",
        "1275763727908798470",
        "1276035977375477760",
    }
    with pytest.raises(CommandError, match="not a valid X / Twitter payload: This looks like the answer to POST"):
        call_command("ingest_payload", "--channel", "x-gitlab", str(FIXTURES / "create_tweet_201.json"))


# --- edge cases -----------------------------------------------------------------------------


def test_missing_optional_fields_still_make_a_mention():
    t = {"id": "1578516295611748353", "text": "@GitLab hi"}  # no includes, created_at, history, entities
    [m] = adapter.parse_payload({"data": [t], "meta": {"result_count": 1}})
    assert m.external_id == "1578516295611748353"
    assert m.created_at == datetime(2022, 10, 7, 22, 43, 6, 945000, tzinfo=UTC)
    assert m.author_handle == "" and m.parent_id == "" and m.thread_id == ""
    assert m.raw["mentioned_handles"] == []


def test_an_author_missing_from_includes_is_unknown_not_an_error():
    deleted = tweet(recent_id(), author_id="999")  # e.g. a suspended or deleted account
    known = tweet(recent_id(30), author_id="101")
    mentions = adapter.parse_payload(page([deleted, known], users=[user("101", "alice")]))
    assert [(m.author_handle, m.permalink.split("/status/")[0]) for m in mentions] == [
        ("", "https://x.com/i/web"),
        ("alice", "https://x.com/alice"),
    ]


def test_text_is_unescaped_once_and_links_expanded_only_to_safe_urls():
    t = tweet(
        recent_id(),
        "@GitLab a &lt;b&gt; &amp; c &amp;amp; https://t.co/aaa and https://t.co/bbb",
        entities={
            "urls": [
                {"url": "https://t.co/aaa", "expanded_url": "https://docs.gitlab.com/ee/ci/?a=1&b=2"},
                {"url": "https://t.co/bbb", "expanded_url": "javascript:alert(1)"},
            ]
        },
    )
    [m] = adapter.parse_payload(page([t]))
    assert m.text == "@GitLab a <b> & c &amp; https://docs.gitlab.com/ee/ci/?a=1&b=2 and https://t.co/bbb"


def test_retweets_are_skipped_but_quotes_kept():
    by_type = tweet(recent_id(3), "@GitLab nice", referenced_tweets=[{"type": "retweeted", "id": "1"}])
    by_text = tweet(recent_id(2), "RT @someone: @GitLab is great")
    quote = tweet(recent_id(1), "@GitLab look at this", referenced_tweets=[{"type": "quoted", "id": "1"}])
    assert [m.external_id for m in adapter.parse_payload(page([by_type, by_text, quote]))] == [quote["id"]]


def test_an_edit_is_the_same_message_as_its_original():
    original_id = recent_id(600)
    edit_id = recent_id(60)
    original = tweet(original_id, "@GitLab pipelnes are slow")
    edit = tweet(edit_id, "@GitLab pipelines are slow", edit_history_tweet_ids=[original_id, edit_id])
    # Newest first (the edit, then the original on a later page) or the other way round:
    # one message, with the latest text.
    [m] = adapter.parse_payload([page([edit]), page([original])])
    assert adapter.parse_payload([page([original]), page([edit])]) == [m]
    assert m.external_id == original_id
    assert m.text == "@GitLab pipelines are slow"  # the latest version wins
    assert m.edited_at == snowflake_time(edit_id)
    assert m.created_at == snowflake_time(original_id)  # first asked at the original's time
    assert m.permalink.endswith(f"/status/{edit_id}")


def test_threading_fields():
    root_id = recent_id(300)
    root = tweet(root_id, "@GitLab is CI down?")
    reply = tweet(recent_id(200), "@GitLab still down", replied_to=root_id, conversation_id=root_id)
    deeper = tweet(recent_id(100), "@alice same here", replied_to=reply["id"], conversation_id=root_id)
    m_root, m_reply, m_deeper = adapter.parse_payload(page([root, reply, deeper]))
    assert (m_root.parent_id, m_root.thread_id) == ("", "")
    assert (m_reply.parent_id, m_reply.thread_id) == (root_id, root_id)
    assert (m_deeper.parent_id, m_deeper.thread_id) == (reply["id"], root_id)


def test_duplicates_across_pages_and_items_out_of_time_order():
    a, b, c = recent_id(300), recent_id(200), recent_id(100)
    pages = [page([tweet(b), tweet(a)]), page([tweet(c), tweet(b)])]
    mentions = adapter.parse_payload(pages)
    assert sorted(m.external_id for m in mentions) == sorted([a, b, c])
    assert len(mentions) == 3


def test_errors_next_to_data_keep_the_data_and_errors_alone_are_empty():
    errors = [{"value": "1", "detail": "Could not find tweet with ids: [1].", "title": "Not Found Error"}]
    t = tweet(recent_id())
    assert [m.external_id for m in adapter.parse_payload({"data": [t], "errors": errors})] == [t["id"]]
    assert adapter.parse_payload({"errors": errors}) == []
    assert adapter.parse_payload({"meta": {"result_count": 0}}) == []


def test_malformed_posts_are_rejected_alone_and_a_malformed_page_is_a_payload_error():
    good = tweet(recent_id())
    parsed = adapter.parse_page({"data": [{"text": "no id"}, "a string", good]})
    assert [m.external_id for m in parsed.mentions] == [good["id"]]
    assert ["numeric id" in r.error for r in parsed.rejected] == [True, False]
    assert parsed.rejected[1].raw == "a string"
    # An unusable created_at: the Snowflake id holds the same instant.
    [m] = adapter.parse_payload({"data": [{"id": "1578516295611748353", "text": "x", "created_at": "yesterday"}]})
    assert m.created_at == datetime(2022, 10, 7, 22, 43, 6, 945000, tzinfo=UTC)
    with pytest.raises(PayloadError, match="JSON object"):
        adapter.parse_payload("nope")
    with pytest.raises(PayloadError, match='"data" must be'):
        adapter.parse_payload({"data": "nope"})


# --- config ---------------------------------------------------------------------------------


def _with(**changes):
    config = copy.deepcopy(CONFIG)
    config.update(changes)
    return config


def _handles(*entries):
    return _with(handles=list(entries))


MAIN = {"username": "GitLab", "user_id": MAIN_ID, "role": "main"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ([], "JSON object"),
        ({}, '"handles" must be a non-empty list'),
        (_with(colour="red"), "Unknown X setting.*colour"),
        (_handles(), '"handles" must be a non-empty list'),
        (_handles({**MAIN, "username": "Git-Lab"}), r'handles\[0\]: "username" must be 1-15'),
        (_handles({**MAIN, "username": "a" * 16}), "1-15 letters"),
        (_handles({**MAIN, "user_id": 2244994945}), '"user_id" must be the numeric account id as a string'),
        (_handles({**MAIN, "user_id": "gitlab"}), '"user_id" must be the numeric'),
        (_handles({**MAIN, "role": "boss"}), '"role" must be one of main, status, other'),
        (_handles({**MAIN, "token": "x"}), "unknown key.*token"),
        (_handles({**MAIN, "role": "other"}), 'exactly one handle with role "main" \\(found 0\\)'),
        (_handles(MAIN, {**MAIN, "username": "GitLab2", "user_id": "2"}), r"exactly one.*\(found 2\)"),
        (
            _handles(
                MAIN,
                {"username": "S1", "user_id": "2", "role": "status"},
                {"username": "S2", "user_id": "3", "role": "status"},
            ),
            'at most one handle with role "status"',
        ),
        (_handles(MAIN, {"username": "gitlab", "user_id": "2", "role": "other"}), "same username twice"),
        (_handles(MAIN, {"username": "Other", "user_id": MAIN_ID, "role": "other"}), "same user_id twice"),
        (_with(search_queries="gitlab"), '"search_queries" must be a list'),
        (_with(search_queries=["gitlab", " "]), '"search_queries" must be a non-empty string'),
        (_with(search_queries=["gitlab", "gitlab"]), "same query twice"),
        (_with(monthly_read_budget=0), '"monthly_read_budget" must be a whole number'),
        (_with(monthly_read_budget="10000"), '"monthly_read_budget"'),
        (_with(max_results=4), '"max_results" must be a whole number between 5 and 100'),
        (_with(max_results=101), "between 5 and 100"),
        (_with(max_results=True), "between 5 and 100"),
        (_with(availability_keywords="down"), '"availability_keywords" must be a list'),
    ],
)
def test_config_errors_are_specific(config, message):
    with pytest.raises(ConfigError, match=message):
        adapter.validate_config(config)


def test_a_good_config_is_cleaned_and_its_handles_are_our_accounts():
    config = _with(
        handles=[{"username": " @GitLab ", "user_id": f" {MAIN_ID} ", "role": "main"}],
        search_queries=[' "gitlab ci" -is:retweet '],
        monthly_read_budget=10000,
        max_results=5,
    )
    cleaned = adapter.validate_config(config)
    assert cleaned["handles"] == [{"username": "GitLab", "user_id": MAIN_ID, "role": "main"}]
    assert cleaned["search_queries"] == ['"gitlab ci" -is:retweet']
    assert cleaned["monthly_read_budget"] == 10000 and cleaned["max_results"] == 5
    assert adapter.own_accounts(CONFIG) == ["GitLab", "GitLabStatus", "MovingToGitLab"]
    assert get_adapter("twitter").kind == "twitter"


@pytest.mark.django_db
def test_a_bad_config_is_refused_when_the_channel_is_saved():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="exactly one handle"):
        ChannelFactory(kind="twitter", config={"handles": [{**MAIN, "role": "other"}]})


# --- respond-from rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mentioned", "text", "expected"),
    [
        (["GitLab", "GitLabStatus"], "@GitLab @GitLabStatus how do I rebase?", "GitLab"),
        (["gitlab", "movingtogitlab"], "@gitlab @movingtogitlab moved my repos!", "GitLab"),
        (["GitLab", "GitLabStatus"], "@GitLab @GitLabStatus is GitLab DOWN? getting 502s", "GitLabStatus"),
        (["GitLab", "MovingToGitLab"], "@GitLab @MovingToGitLab pages not loading at all", "GitLabStatus"),
        (["GitLab", "GitLabStatus"], "@GitLab @GitLabStatus download is slow", "GitLab"),  # "down" is a word
        (["GitLab", "GitLabStatus"], "@GitLab @GitLabStatus port 5020 refused", "GitLab"),  # "502" too
        (["MovingToGitLab"], "@MovingToGitLab importer is down", "MovingToGitLab"),
        (["GitLabStatus"], "@GitLabStatus thanks for the update", "GitLabStatus"),
        (["@GitLabStatus", "someone_else"], "@GitLabStatus @someone_else hi", "GitLabStatus"),
        ([], '"gitlab ci" is down for me', "GitLab"),  # a search result: the main handle
        (["someone_else"], "@someone_else gitlab is great", "GitLab"),
    ],
)
def test_choose_reply_handle(mentioned, text, expected):
    assert adapter.choose_reply_handle(config=CONFIG, mentioned=mentioned, text=text) == expected


def test_availability_goes_to_main_when_there_is_no_status_handle():
    config = _handles(MAIN, {"username": "MovingToGitLab", "user_id": OTHER_ID, "role": "other"})
    assert adapter.choose_reply_handle(config=config, mentioned=["GitLab", "MovingToGitLab"], text="outage?") == (
        "GitLab"
    )
    # Without availability_keywords the defaults apply.
    config = _handles(MAIN, {"username": "GitLabStatus", "user_id": STATUS_ID, "role": "status"})
    assert adapter.choose_reply_handle(config=config, mentioned=["GitLab", "GitLabStatus"], text="outage?") == (
        "GitLabStatus"
    )


# --- fetch at the HTTP edge -----------------------------------------------------------------

ONE_HANDLE = {"handles": [MAIN]}
MAIN_MENTIONS = MENTIONS_URL.format(user_id=MAIN_ID)


@pytest.mark.django_db
@responses.activate
def test_fetch_sends_the_fields_since_id_and_the_bearer_token():
    since = recent_id(3600)
    newer = [tweet(recent_id(60)), tweet(recent_id(120))]
    channel = twitter_channel(ONE_HANDLE, cursor={f"mentions:{MAIN_ID}": since})
    responses.get(MAIN_MENTIONS, json=page(newer), headers=limits(remaining=448))

    result = adapter.fetch(channel=channel, session=build_session())

    sent = responses.calls[0].request
    assert sent.headers["Authorization"] == f"Bearer {BEARER}"
    assert sent.headers["User-Agent"].startswith("TriageDesk/")
    params = request_params(sent)
    assert params["tweet.fields"] == (
        "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,entities,edit_history_tweet_ids"
    )
    assert params["expansions"] == "author_id,referenced_tweets.id,attachments.media_keys"
    assert params["media.fields"] == "url,preview_image_url,alt_text,type,width,height"
    assert params["user.fields"] == "username,name,public_metrics"
    assert params["max_results"] == "100" and params["since_id"] == since
    assert [m.external_id for m in result.mentions] == [t["id"] for t in reversed(newer)]  # oldest first
    assert result.cursor == {f"mentions:{MAIN_ID}": newer[0]["id"]}
    assert result.reads == 2 and result.requests_made == 1
    assert result.not_before is None
    assert result.platform_status["rate_limit"]["mentions"]["remaining"] == 448


@pytest.mark.django_db
@responses.activate
def test_fetch_compares_ids_as_numbers_not_strings():
    # "9…" > "1…" as strings, but the 19-digit id is the newer one.
    old_mark = "999999999999999999"  # 18 digits
    channel = twitter_channel(ONE_HANDLE, cursor={f"mentions:{MAIN_ID}": old_mark})
    newest = recent_id(10)
    body = page([tweet(recent_id(100)), tweet(newest)])  # out of order, and meta without newest_id
    del body["meta"]["newest_id"]
    responses.get(MAIN_MENTIONS, json=body)
    result = adapter.fetch(channel=channel, session=build_session())
    assert result.cursor[f"mentions:{MAIN_ID}"] == newest


@pytest.mark.django_db
@responses.activate
def test_the_first_poll_reads_only_the_first_page():
    channel = twitter_channel(ONE_HANDLE)
    first = [tweet(recent_id(60)), tweet(recent_id(120))]
    responses.get(MAIN_MENTIONS, json=page(first, next_token="older"))
    result = adapter.fetch(channel=channel, session=build_session())
    assert len(responses.calls) == 1
    assert "since_id" not in request_params(responses.calls[0].request)
    assert result.cursor == {f"mentions:{MAIN_ID}": first[0]["id"]}


@pytest.mark.django_db
@responses.activate
def test_an_empty_result_keeps_the_old_mark():
    since = recent_id(3600)
    channel = twitter_channel(ONE_HANDLE, cursor={f"mentions:{MAIN_ID}": since})
    responses.get(MAIN_MENTIONS, json={"meta": {"result_count": 0}})
    result = adapter.fetch(channel=channel, session=build_session())
    assert result.mentions == [] and result.reads == 0
    assert result.cursor == {f"mentions:{MAIN_ID}": since}


@pytest.mark.django_db
@responses.activate
def test_reads_count_every_post_returned_including_skipped_retweets():
    channel = twitter_channel(ONE_HANDLE, cursor={f"mentions:{MAIN_ID}": recent_id(3600)})
    posts = [tweet(recent_id(10)), tweet(recent_id(20), "RT @bob: @GitLab hi"), tweet(recent_id(30))]
    responses.get(MAIN_MENTIONS, json=page(posts, next_token="p2"))
    responses.get(MAIN_MENTIONS, json=page([tweet(recent_id(40))]), match=[query(pagination_token="p2")])
    result = adapter.fetch(channel=channel, session=build_session())
    assert result.reads == 4 and len(result.mentions) == 3


@pytest.mark.django_db
@responses.activate
def test_an_exhausted_endpoint_is_not_called_again_and_sets_not_before():
    reset = int(time.time()) + 700
    config = _with(search_queries=["gitlab ci"])
    marks = {f"mentions:{h['user_id']}": recent_id(3600) for h in CONFIG["handles"]}
    marks["search:gitlab ci"] = recent_id(3600)
    channel = twitter_channel(config, cursor=marks)
    channel.platform_status = {"rate_limit": {"users": {"remaining": 299}, "search": {"remaining": 1}}}
    # The mentions endpoint is one window for all handles: after @GitLab's call it is spent.
    responses.get(MAIN_MENTIONS, json=page([tweet(recent_id(5))]), headers=limits(remaining=0, reset=reset))
    responses.get(SEARCH_URL, json=page([tweet(recent_id(6), "gitlab ci rocks")]), headers=limits(remaining=170))

    result = adapter.fetch(channel=channel, session=build_session())

    assert [request_url(c.request).split("?")[0] for c in responses.calls] == [MAIN_MENTIONS, SEARCH_URL]
    assert result.not_before == datetime.fromtimestamp(reset, tz=UTC)
    assert result.platform_status["rate_limit"]["mentions"] == {
        "limit": 450,
        "remaining": 0,
        "reset": datetime.fromtimestamp(reset, tz=UTC).isoformat(),
    }
    assert result.platform_status["rate_limit"]["search"]["remaining"] == 170
    assert result.platform_status["rate_limit"]["users"] == {"remaining": 299}  # earlier figures are kept
    # The handles that were not read keep their marks; search got at least 10 per page.
    assert result.cursor[f"mentions:{STATUS_ID}"] == marks[f"mentions:{STATUS_ID}"]
    assert request_params(responses.calls[1].request)["query"] == "gitlab ci"
    assert len(result.mentions) == 2


@pytest.mark.django_db
@responses.activate
def test_search_uses_next_token_and_at_least_ten_results():
    config = {"handles": [MAIN], "search_queries": ['"gitlab ci" -is:retweet'], "max_results": 5}
    since = recent_id(3600)
    channel = twitter_channel(config, cursor={f"mentions:{MAIN_ID}": since, 'search:"gitlab ci" -is:retweet': since})
    responses.get(MAIN_MENTIONS, json={"meta": {"result_count": 0}})
    a, b = tweet(recent_id(10)), tweet(recent_id(20))
    responses.get(SEARCH_URL, json=page([a], next_token="n2"), match=[query(since_id=since, max_results="10")])
    responses.get(SEARCH_URL, json=page([b]), match=[query(since_id=since, next_token="n2")])
    result = adapter.fetch(channel=channel, session=build_session())
    assert request_params(responses.calls[0].request)["max_results"] == "5"
    assert request_params(responses.calls[2].request)["next_token"] == "n2"
    assert result.cursor['search:"gitlab ci" -is:retweet'] == a["id"]


@pytest.mark.django_db
@responses.activate
def test_a_search_mark_older_than_seven_days_is_not_sent():
    stale = snowflake(timezone.now() - timedelta(days=8))
    channel = twitter_channel(
        {"handles": [MAIN], "search_queries": ["gitlab"]}, cursor={"search:gitlab": stale, f"mentions:{MAIN_ID}": stale}
    )
    responses.get(MAIN_MENTIONS, json={"meta": {"result_count": 0}})
    a, b = tweet(recent_id(10)), tweet(recent_id(86400))
    responses.get(SEARCH_URL, json=page([a], next_token="n2"))
    responses.get(SEARCH_URL, json=page([b]), match=[query(next_token="n2")])
    result = adapter.fetch(channel=channel, session=build_session())
    assert request_params(responses.calls[0].request)["since_id"] == stale  # the timeline has no such limit
    search_calls = [c.request for c in responses.calls if request_url(c.request).startswith(SEARCH_URL)]
    assert [("since_id" in request_params(r), request_params(r).get("next_token")) for r in search_calls] == [
        (False, None),
        (False, "n2"),
    ]
    assert result.cursor["search:gitlab"] == a["id"] and len(result.mentions) == 2


@pytest.mark.django_db
@responses.activate
def test_a_429_raises_rate_limited_until_the_reset_without_the_token():
    reset = int(time.time()) + 600
    channel = twitter_channel(ONE_HANDLE)
    body = {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
    responses.get(MAIN_MENTIONS, status=429, json=body, headers=limits(remaining=0, reset=reset))
    with pytest.raises(RateLimited) as info:
        adapter.fetch(channel=channel, session=build_session())
    assert info.value.retry_after is not None
    assert 590 < info.value.retry_after <= 600
    assert "Too Many Requests" in str(info.value) and BEARER not in str(info.value)
    assert len(responses.calls) == 1


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("status", "body", "error", "words"),
    [
        (
            401,
            {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"},
            AuthError,
            "401 Unauthorized",
        ),
        (403, {"title": "Forbidden", "detail": "client-not-enrolled", "status": 403}, AuthError, "client-not-enrolled"),
        (
            400,
            {"errors": [{"message": "There were errors processing your request: Ambiguous use of and"}]},
            PermanentError,
            "Ambiguous use of and",
        ),
        (500, {"title": "Internal"}, TransientError, "HTTP 500"),
        (503, {"title": "Service Unavailable"}, TransientError, "HTTP 503"),
    ],
)
def test_http_errors_map_to_what_the_poller_should_do(status, body, error, words):
    channel = twitter_channel(ONE_HANDLE)
    responses.get(MAIN_MENTIONS, status=status, json=body)
    with pytest.raises(error, match=words) as info:
        adapter.fetch(channel=channel, session=build_session())
    assert BEARER not in str(info.value)


@pytest.mark.django_db
@responses.activate
def test_timeouts_and_bad_json_and_missing_credentials():
    channel = twitter_channel(ONE_HANDLE)
    responses.get(MAIN_MENTIONS, body=requests.exceptions.ConnectTimeout("connect timed out"))
    with pytest.raises(TransientError, match="timed out after"):
        adapter.fetch(channel=channel, session=build_session())
    responses.replace(responses.GET, MAIN_MENTIONS, body="<html>over capacity</html>", status=200)
    with pytest.raises(PayloadError, match="not JSON"):
        adapter.fetch(channel=channel, session=build_session())
    channel.credentials = {}
    with pytest.raises(AuthError, match="no bearer_token"):
        adapter.fetch(channel=channel, session=build_session())


@pytest.mark.django_db
@responses.activate
def test_test_connection_summarises_what_x_said():
    channel = twitter_channel()
    reset = int(datetime(2030, 1, 1, 12, 15, tzinfo=UTC).timestamp())
    responses.get(
        USER_URL.format(user_id=MAIN_ID),
        json={"data": {"id": MAIN_ID, "name": "GitLab", "username": "GitLab"}},
        headers=limits(remaining=299, limit=300, reset=reset),
    )
    summary = adapter.test_connection(channel=channel, session=build_session())
    assert summary == "X answered: @GitLab (GitLab), rate limit 299/300 until 12:15 UTC"
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {BEARER}"

    responses.replace(
        responses.GET,
        USER_URL.format(user_id=MAIN_ID),
        json={"errors": [{"detail": f"Could not find user with id: [{MAIN_ID}].", "title": "Not Found Error"}]},
    )
    with pytest.raises(ConfigError, match="Could not find user"):
        adapter.test_connection(channel=channel, session=build_session())


# --- replies --------------------------------------------------------------------------------


@pytest.mark.django_db
@responses.activate
def test_post_reply_sends_the_reply_with_the_chosen_handles_token():
    channel = twitter_channel()
    created = load("create_tweet_201.json")
    responses.post(
        TWEETS_URL,
        status=201,
        json=created,
        headers={"Location": "https://api.x.com/2/tweets/1456012973835788293"},
    )
    before = timezone.now()
    handle = adapter.choose_reply_handle(
        config=channel.config, mentioned=["GitLab", "GitLabStatus"], text="@GitLab @GitLabStatus is gitlab down?"
    )

    sent = send(channel, handle, "1578516295611748353", "We're looking into it: https://status.gitlab.com")

    request = responses.calls[0].request
    assert request.body is not None
    assert json.loads(request.body) == {
        "text": "We're looking into it: https://status.gitlab.com",
        "reply": {"in_reply_to_tweet_id": "1578516295611748353"},
    }
    assert request.headers["Authorization"] == f"Bearer {TOKENS['GitLabStatus']}"
    assert sent.external_id == "1456012973835788293"
    assert sent.permalink == "https://x.com/GitLabStatus/status/1456012973835788293"
    assert sent.raw == created
    assert before <= sent.created_at <= timezone.now()


@pytest.mark.django_db
@responses.activate
def test_post_reply_falls_back_to_the_location_header():
    channel = twitter_channel()
    responses.post(TWEETS_URL, status=201, body="", headers={"Location": "https://api.x.com/2/tweets/42424242424242"})
    sent = send(channel, "gitlab", "1", "hi")
    assert sent.external_id == "42424242424242"
    assert sent.permalink == "https://x.com/GitLab/status/42424242424242"
    assert responses.calls[0].request.headers["Authorization"] == f"Bearer {TOKENS['GitLab']}"


@pytest.mark.django_db
@responses.activate
@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (
            403,
            {
                "detail": "You are not allowed to create a Tweet with duplicate content.",
                "type": "about:blank",
                "title": "Forbidden",
                "status": 403,
            },
            "X refused the reply (403): You are not allowed to create a Tweet with duplicate content.",
        ),
        (
            400,
            {
                "errors": [{"parameters": {"reply.in_reply_to_tweet_id": ["1"]}, "message": "Tweet 1 is not visible"}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            },
            "X refused the reply (400): Tweet 1 is not visible",
        ),
        (400, {"title": "Invalid Request", "type": "about:blank"}, "X refused the reply (400): Invalid Request"),
        (503, None, "X refused the reply (503): Service Unavailable"),
    ],
)
def test_post_reply_errors_carry_the_platforms_own_words(status, body, message):
    channel = twitter_channel()
    if body is None:
        responses.post(TWEETS_URL, status=status, body="upstream")
    else:
        responses.post(TWEETS_URL, status=status, json=body)
    with pytest.raises(ReplyError) as info:
        send(channel, "GitLab", "1", "x")
    assert message in str(info.value)
    assert TOKENS["GitLab"] not in str(info.value) and BEARER not in str(info.value)


@pytest.mark.django_db
@responses.activate
def test_post_reply_429_says_when_to_retry():
    channel = twitter_channel()
    reset = int(datetime(2030, 1, 1, 9, 45, tzinfo=UTC).timestamp())
    responses.post(
        TWEETS_URL, status=429, json={"title": "Too Many Requests", "status": 429}, headers=limits(0, reset, 200)
    )
    with pytest.raises(ReplyError, match=r"rate limit for @GitLab is used up: try again after 09:45 UTC \(nothing"):
        send(channel, "GitLab", "1", "x")


@pytest.mark.django_db
@responses.activate
def test_post_reply_refuses_before_calling_x():
    channel = twitter_channel()
    with pytest.raises(AccountNeedsReconnect, match=r"^MovingToGitLab on X GitLab needs reconnecting \(it was never"):
        send(channel, "MovingToGitLab", "1", "x")
    with pytest.raises(ReplyError, match="not an X post id"):
        send(channel, "GitLab", "1.5e18", "x")
    with pytest.raises(ReplyError, match="empty"):
        send(channel, "GitLab", "1", "  ")
    assert len(responses.calls) == 0


@pytest.mark.django_db
@responses.activate
def test_post_reply_timeouts_say_whether_the_reply_may_be_out():
    channel = twitter_channel()
    responses.post(TWEETS_URL, body=requests.exceptions.ConnectTimeout("connect timed out"))
    with pytest.raises(ReplyError, match="was not posted") as info:
        send(channel, "GitLab", "1", "x")
    assert not isinstance(info.value, ReplyUncertain)  # nothing went out: safe to send again
    responses.replace(responses.POST, TWEETS_URL, body=requests.exceptions.ReadTimeout("read timed out"))
    with pytest.raises(ReplyUncertain, match="may have been posted"):
        send(channel, "GitLab", "1", "x")


@pytest.mark.django_db
def test_created_tickets_keep_the_raw_post_and_the_author():
    from intake.pipeline import mentions_ingest

    channel = twitter_channel()
    mentions_ingest(channel=channel, mentions=adapter.parse_payload(load("tweets_lookup_with_users_docs_sample.json")))
    message = Message.objects.get(external_id="1261326399320715264")
    assert message.raw["author"] == {
        "verified": True,
        "name": "Twitter Dev",
        "id": "2244994945",
        "username": "TwitterDev",
    }
    assert message.raw["created_at"] == "2020-05-15T16:03:42.000Z"
    assert message.permalink == "https://x.com/TwitterDev/status/1261326399320715264"
    ticket = message.ticket
    assert ticket is not None
    assert (ticket.requester_handle, ticket.requester_name, ticket.requester_url) == (
        "TwitterDev",
        "Twitter Dev",
        "https://x.com/TwitterDev",
    )
    assert ticket.requested_at == datetime(2020, 5, 15, 16, 3, 42, tzinfo=UTC)
    assert Ticket.objects.filter(channel=channel).count() == 2


@pytest.mark.django_db
@responses.activate
def test_a_long_walk_stops_after_ten_pages_and_keeps_its_place():
    mark = recent_id(86400)
    channel = twitter_channel(ONE_HANDLE, cursor={f"mentions:{MAIN_ID}": mark})
    posts = [tweet(recent_id(60 * n)) for n in range(1, 12)]
    for n in range(10, 0, -1):  # most specific first
        responses.get(
            MAIN_MENTIONS, json=page([posts[n]], next_token=f"p{n + 1}"), match=[query(pagination_token=f"p{n}")]
        )
    responses.get(MAIN_MENTIONS, json=page([posts[0]], next_token="p1"))

    result = adapter.fetch(channel=channel, session=build_session())

    assert len(responses.calls) == 10 and result.reads == 10
    assert result.cursor == {
        f"mentions:{MAIN_ID}": mark,
        "pending": {f"mentions:{MAIN_ID}": {"next_token": "p10", "newest_id": posts[0]["id"], "since_id": mark}},
    }


@pytest.mark.django_db
@responses.activate
def test_a_parked_search_walk_whose_since_id_aged_out_starts_again():
    stale = snowflake(timezone.now() - timedelta(days=8))
    parked = {"next_token": "old-token", "newest_id": stale, "since_id": stale}
    cursor = {"search:gitlab": stale, "pending": {"search:gitlab": parked}}
    channel = twitter_channel({"handles": [MAIN], "search_queries": ["gitlab"]}, cursor=cursor)
    responses.get(MAIN_MENTIONS, json={"meta": {"result_count": 0}})
    fresh = tweet(recent_id(10))
    responses.get(SEARCH_URL, json=page([fresh]))
    result = adapter.fetch(channel=channel, session=build_session())
    sent = request_params(responses.calls[1].request)
    assert "next_token" not in sent and "since_id" not in sent
    assert result.cursor == {"search:gitlab": fresh["id"]}


def test_the_cursor_keeps_only_the_newest_edit_versions_and_reads_any_stored_shape():
    from channels.adapters.twitter.cursor import EDITS_KEPT, Cursor

    cursor = Cursor.load({"edits": {str(10**18 + n): str(10**17 + n) for n in range(EDITS_KEPT + 50)}})
    assert len(cursor.edits) == EDITS_KEPT
    cursor.remember_edits({str(2 * 10**18): "1"})
    assert len(cursor.edits) == EDITS_KEPT and str(2 * 10**18) in cursor.edits and str(10**18) not in cursor.edits
    junk = {"mentions:1": 1.5, "search:q": ["1"], "pending": {"search:q": {"next_token": 5}}, "edits": {"a": "1"}}
    assert Cursor.load(junk).dump() == {}
    assert Cursor.load("not a cursor").dump() == {}
