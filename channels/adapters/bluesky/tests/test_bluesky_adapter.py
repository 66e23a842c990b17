"""The Bluesky adapter's parts one by one: its settings, how it reads a post (links, cards, mentions, times,
weights, media, our own posts), a watched thread, the connection test.

Shapes: the posts are recorded post views and notifications (tests/bsky.py, fixtures/SOURCES.md) with the field
a test is about changed and said so; getPostThread's `{"thread": threadViewPost}` as recorded
(fixtures/aibot_post_thread.json).
"""

import copy
import time
from datetime import datetime

import pytest
import responses

from channels.adapters import ConfigError, PayloadError
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.bluesky.parse import item_mention, parse_page
from channels.adapters.bluesky.tests import bsky
from channels.adapters.registry import platform_of
from channels.http import build_session

adapter = BlueskyAdapter()


@pytest.mark.parametrize(
    ("config", "said"),
    [
        ({"keywords": ["gitlab"]}, '"handle" must be the Bluesky handle'),
        ({"handle": "not a handle"}, '"handle" must be the Bluesky handle'),
        ({"handle": "gitlab.com", "keywords": "gitlab"}, '"keywords" must be a list'),
        ({"handle": "gitlab.com", "read_notifications": False}, "Give at least one keyword"),
        ({"handle": "gitlab.com", "team_handles": ["@ok.bsky.social", "not_a_handle"]}, "not a Bluesky handle"),
        ({"handle": "gitlab.com", "service_url": "http://bsky.social"}, "must start with https://"),
        ({"handle": "gitlab.com", "read_url": "https://api.bsky.app/xrpc"}, "without a path"),
        ({"handle": "gitlab.com", "max_requests_per_poll": 0}, "from 1 to 200"),
        ({"handle": "gitlab.com", "subreddits": ["x"]}, "Unknown Bluesky setting"),
    ],
)
def test_settings_that_cannot_work_are_refused_in_words(config, said):
    with pytest.raises(ConfigError, match=said):
        adapter.validate_config(config)


def test_settings_are_normalised_and_the_declared_example_is_accepted():
    assert adapter.validate_config(
        {
            "handle": "@GitLab.com",
            "keywords": [" gitlab  runner ", "GitLab Runner"],
            "team_handles": ["@Gabe.bsky.social"],
        }
    ) == {"handle": "gitlab.com", "keywords": ["gitlab runner"], "team_handles": ["gabe.bsky.social"]}
    assert adapter.validate_config({"handle": "gitlab.com", "read_url": "https://api.bsky.app/"})["read_url"] == (
        "https://api.bsky.app"
    )
    example = platform_of("bluesky").example_config()
    assert adapter.validate_config(example) == example


def test_a_links_shortened_text_gets_its_full_address_back_with_byte_offsets_after_emoji():
    view = bsky.post("3l", time.time() - 60, text="🚀 Read docs.gitlab.com/runner/con... now")
    start = len("🚀 Read ".encode())
    view["record"]["facets"] = [
        {
            "index": {"byteStart": start, "byteEnd": start + len("docs.gitlab.com/runner/con...")},
            "features": [
                {"$type": "app.bsky.richtext.facet#link", "uri": "https://docs.gitlab.com/runner/configuration/"}
            ],
        },
        {"index": {"byteStart": 2, "byteEnd": 3}, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "x"}]},
    ]

    [mention] = parse_page({"posts": [view]}).mentions

    assert mention.text == "🚀 Read https://docs.gitlab.com/runner/configuration/ now"  # the bad facet is ignored


def test_a_post_dated_in_the_future_counts_from_when_bluesky_saw_it():
    view = bsky.post("3f", time.time() - 3600)
    view["record"]["createdAt"] = "2099-01-01T00:00:00.000Z"

    [mention] = parse_page({"posts": [view]}).mentions

    assert mention.created_at == datetime.fromisoformat(view["indexedAt"].replace("Z", "+00:00"))


def test_an_author_without_a_valid_handle_is_named_by_did_and_a_hydrated_profile_gives_the_weight():
    view = bsky.post("3w", time.time() - 60)
    view["author"]["handle"] = "handle.invalid"
    view["author"]["followersCount"] = 12_345  # a profileViewDetailed's count (basic views carry none)

    [mention] = parse_page({"posts": [view]}).mentions

    did = view["author"]["did"]
    assert mention.author_handle == did and mention.permalink == f"https://bsky.app/profile/{did}/post/3w"
    assert (mention.author_audience, mention.author_audience_kind) == (12_345, "followers")


def test_our_posts_are_recognised_by_handle_or_did_and_notification_images_keep_their_blobs():
    ours = frozenset({bsky.HANDLE, bsky.GABE, bsky.DID.casefold()})
    by_handle = bsky.post("3a", time.time() - 60, handle=bsky.GABE)
    by_did = bsky.post("3b", time.time() - 60, handle="renamed.example", did=bsky.DID)
    someone = bsky.notification(bsky.post("3c", time.time() - 60, handle=bsky.BOB), "mention")
    someone["record"]["embed"] = copy.deepcopy(bsky.load("search_posts_bluepy.json")["posts"][1]["record"]["embed"])

    found = parse_page({"notifications": [bsky.notification(by_handle), bsky.notification(by_did), someone]}, ours=ours)

    assert [m.by_us for m in found.mentions] == [True, True, False]
    assert found.mentions[2].raw["media"][0] == {
        "kind": "image",
        "cid": "bafkreigoeqewlbtlaya4o4ldev7hz4oovkb4d67inadwgxg5tdsjl7ea3y",
        "mime_type": "image/jpeg",
        "alt": "Lems sitting and silently judging you whilst enjoying some bubblegum and blowing a bubble",
    }


def test_items_without_a_cid_or_time_are_rejected_with_their_payload_and_the_rest_kept():
    good = bsky.post("3g", time.time() - 60)
    no_cid = {**bsky.post("3n", time.time() - 60), "cid": None}
    no_time = bsky.post("3t", time.time() - 60)
    no_time["record"]["createdAt"] = no_time["indexedAt"] = "soon"

    parsed = parse_page({"posts": [good, no_cid, no_time, "junk"]})

    assert [m.external_id for m in parsed.mentions] == [good["uri"]]
    assert [r.external_id for r in parsed.rejected] == [no_cid["uri"], no_time["uri"], ""]
    assert "without its cid" in parsed.rejected[0].error and parsed.rejected[0].raw["uri"] == no_cid["uri"]
    assert item_mention({**bsky.notification(good), "reason": "like"}) is None
    with pytest.raises(PayloadError, match="none of its 1 item"):
        adapter.parse_payload({"posts": ["junk"]})
    with pytest.raises(PayloadError, match="keys cursor"):
        adapter.parse_payload({"cursor": "25"})


@pytest.mark.django_db
@responses.activate
def test_a_watched_thread_is_read_with_get_post_thread_on_its_root():
    channel = bsky.bluesky_channel(team_handles=["aibot.bsky.social"])
    bsky.mock_sign_in()
    recorded = bsky.load("aibot_post_thread.json")
    responses.get(bsky.THREAD, json=recorded, headers=bsky.ratelimit())
    question_uri = recorded["thread"]["parent"]["post"]["uri"]
    answer_uri = recorded["thread"]["post"]["uri"]

    assert adapter.thread_ref(answer_uri, question_uri, {}) == question_uri
    assert adapter.thread_ref(question_uri, "", {}) == question_uri and adapter.thread_ref("t3_x", "", {}) == ""
    fetched = adapter.fetch_thread(channel=channel, session=build_session(), ref=question_uri)

    (call,) = bsky.calls_to(bsky.THREAD)
    assert bsky.query(call) == {"uri": [question_uri], "depth": ["10"], "parentHeight": ["0"]}
    assert fetched.requests_made == 1 and len(fetched.mentions) == 3
    assert [m.by_us for m in fetched.mentions] == [True, False, False]


@pytest.mark.django_db
@responses.activate
def test_test_connection_says_who_signed_in_what_a_search_found_and_the_rate_limit():
    channel = bsky.bluesky_channel(keywords=["gitlab"])
    bsky.mock_sign_in()
    responses.get(bsky.SEARCH, json=bsky.load("search_posts_bluepy.json"), headers=bsky.ratelimit(2998))

    said = adapter.test_connection(channel=channel, session=build_session())

    assert said == (
        f"Signed in to Bluesky as @{bsky.HANDLE} ({bsky.DID}), reading from {bsky.PDS}. Searching for 'gitlab' works "
        "(newest: 'Fixture post content #1'). Rate limit: 2,998 of 3,000 requests left in this window."
    )


def test_the_declaration_watches_threads_within_its_budget_and_names_its_parts():
    platform = platform_of("bluesky")
    assert platform.watch is not None and round(platform.watch.share_of_budget(100) * 100) == 2
    assert platform.required_credentials(platform.config_example) == ("app_password",)
    for part in ("like", "repost", "delete_post", "post_reply", "channel_key_grant"):
        assert callable(getattr(adapter, part))
