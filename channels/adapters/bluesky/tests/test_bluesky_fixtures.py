"""Exact expectations for every recorded Bluesky fixture (fixtures/SOURCES.md names where each came from): what the
parser makes of each post, notification and thread as Bluesky returned them."""

from datetime import UTC, datetime

import pytest

from channels.adapters import PayloadError
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.bluesky.parse import parse_page
from channels.adapters.bluesky.tests.bsky import load

adapter = BlueskyAdapter()


def by_id(parsed):
    return {m.external_id.rsplit("/", 1)[1]: m for m in parsed.mentions}


def test_atat_post_views_each_become_a_mention_with_its_media():
    parsed = adapter.parse_page(load("atat_post_views.json"))

    assert not parsed.rejected
    posts = by_id(parsed)
    assert list(posts) == [
        "3lhjnkjle5s2o",  # the reposted post of a feed item: the post, not the repost
        "3lhlu3l65522g",
        "3lhlr5a4shz2u",
        "3lhmgh4f5es2q",
        "3lhmggpkbw22v",
        "3lhmjfkl44s2y",
        "3lhnv26fdxc2v",
        "3lhnr2o6kb22h",
    ]
    quote = posts["3lhlu3l65522g"]
    assert quote.external_id == "at://did:plc:oio4hkxaop4ao4wz2pp3f4cr/app.bsky.feed.post/3lhlu3l65522g"
    assert quote.text == "F this 😠"
    assert quote.author_handle == "mackuba.eu" and quote.author_name == "Kuba Suder 🇵🇱🇺🇦"
    assert quote.author_url == "https://bsky.app/profile/mackuba.eu"
    assert quote.permalink == "https://bsky.app/profile/mackuba.eu/post/3lhlu3l65522g"
    assert quote.created_at == datetime(2025, 2, 7, 14, 52, 47, 869000, tzinfo=UTC)
    assert quote.parent_id == quote.thread_id == "" and quote.raw["media"] == []
    assert quote.author_audience is None and quote.author_audience_kind == ""  # a basic profile view has no counts

    card = posts["3lhlr5a4shz2u"]  # a link card's address joins the text
    assert card.text.endswith(
        "Find out more with Giselle Katics:\n\n"
        "https://www.createwithswift.com/designing-for-application-states-creating-seamless-user-experiences/"
    )
    reply = posts["3lhmgh4f5es2q"]
    assert reply.parent_id == "at://did:plc:x2rfmy3ldn2k6d2diyp7ofi2/app.bsky.feed.post/3lhmfcfualc2s"
    assert reply.thread_id == "at://did:plc:r6xugwwpp4ss5liddodf7thw/app.bsky.feed.post/3lhmf2be2rc2b"
    assert reply.author_name == "¡a!n"

    images = posts["3lhmggpkbw22v"].raw["media"]
    assert images == [
        {
            "kind": "image",
            "thumb": "https://cdn.bsky.app/img/feed_thumbnail/plain/did:plc:z7ja7uhcr5is6uqmnsjyn3k7/"
            "bafkreicjr5ezdgwv6z4zcxv2egqjmaox6ocplsrhvubmmfqyuh6dybhfma@jpeg",
            "fullsize": "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:z7ja7uhcr5is6uqmnsjyn3k7/"
            "bafkreicjr5ezdgwv6z4zcxv2egqjmaox6ocplsrhvubmmfqyuh6dybhfma@jpeg",
            "alt": "",
        }
    ]
    with_media = posts["3lhnv26fdxc2v"].raw["media"]  # recordWithMedia: the images of its media part
    assert [m["kind"] for m in with_media] == ["image"] and with_media[0]["thumb"].startswith("https://cdn.bsky.app/")
    [video] = posts["3lhnr2o6kb22h"].raw["media"]
    assert video["kind"] == "video" and video["playlist"].endswith("/playlist.m3u8")
    assert posts["3lhnr2o6kb22h"].raw["cid"] == "bafyreiepnzmbdht5jwqobzo7pod44eyl6hbyjlbjaqjhbsl5cboclm2hgi"


def test_bluepy_search_keeps_alt_text_of_two_images_and_reads_an_offset_time():
    parsed = adapter.parse_page(load("search_posts_bluepy.json"))

    assert not parsed.rejected
    posts = by_id(parsed)
    assert list(posts) == ["3mmk5jg4f4i2j", "3mmk5ifmpfc2j", "3mmk5grptwk2s", "3mmk5faofbk2k"]
    first = posts["3mmk5jg4f4i2j"]
    assert first.created_at == datetime(2026, 5, 23, 19, 8, 26, 624997, tzinfo=UTC)  # "+00:00", microseconds
    assert first.text == "Fixture post content #1\n\nhttps://example.test/fixture-external"
    art = posts["3mmk5ifmpfc2j"]
    assert [m["alt"] for m in art.raw["media"]] == [
        "Lems sitting and silently judging you whilst enjoying some bubblegum and blowing a bubble",
        "Lems in Paper Mario guise, smirk-blepping while flashing the bird at you",
    ]
    assert art.raw["media"][1]["fullsize"].endswith("/bafkreidgslock7mkujovdgh465ndxoe5wjkrvufbven7cbotz3ys3esfwu")
    # The recorder's new texts are shorter than the facets' byte ranges: the links are left as they are.
    assert posts["3mmk5grptwk2s"].text == "Fixture post content #8\n\nhttps://example.test/fixture-external"
    assert posts["3mmk5faofbk2k"].text == "Fixture post content #11" and posts["3mmk5faofbk2k"].raw["media"] == []


def test_bluepy_notifications_that_are_likes_and_follows_make_no_ticket():
    parsed = adapter.parse_page(load("list_notifications_bluepy.json"))

    assert parsed.mentions == [] and parsed.rejected == []


def test_aibot_notifications_a_mention_after_japanese_text_and_a_reply():
    parsed = parse_page(load("aibot_notifications.json"), ours=frozenset({"aibot.bsky.social"}))

    mention, reply = parsed.mentions  # the like between them is skipped
    assert not parsed.rejected
    assert mention.external_id == "at://did:plc:et47te5fb7uv64pbltu37lcc/app.bsky.feed.post/3jzmbfyx47c2i"
    assert mention.text.endswith("\uff1f @aibot.bsky.social")  # a full-width question mark, then the mention
    assert len(mention.text) == 53 and len(mention.text.encode()) == 121
    assert mention.mentioned == ("aibot.bsky.social",)  # bytes 103-121 of the UTF-8 text
    assert mention.author_handle == "hiroga.bsky.social" and mention.author_name == "さわら"
    assert mention.raw["reason"] == "mention" and not mention.by_us
    assert reply.parent_id == "at://did:plc:d7mnkzaznaop33oiowcbco7g/app.bsky.feed.post/3jzkv2kmakh2k"
    assert reply.thread_id == "at://did:plc:et47te5fb7uv64pbltu37lcc/app.bsky.feed.post/3jzkusvkvp72u"
    assert reply.created_at == datetime(2023, 7, 2, 20, 20, 23, 873000, tzinfo=UTC)


def test_aibot_thread_the_bot_is_ours_and_a_createdAt_without_zone_later_than_indexing_counts_from_indexing():
    parsed = parse_page(load("aibot_post_thread.json"), ours=frozenset({"aibot.bsky.social"}))

    answer, question, follow_up = parsed.mentions  # the thread's post, its parent, then the reply below it
    assert answer.by_us and not question.by_us and not follow_up.by_us
    # Recorded createdAt "2023-07-02T15:51:31.629127" (the bot wrote its local time without a zone): read as UTC
    # it is nine hours after Bluesky indexed the post, so the post counts from indexedAt.
    assert answer.created_at == datetime(2023, 7, 2, 6, 51, 32, 383000, tzinfo=UTC)
    assert question.mentioned == ("aibot.bsky.social",) and question.thread_id == ""
    assert follow_up.parent_id == answer.external_id and follow_up.thread_id == question.external_id


def test_marshalx_thread_an_empty_text_with_an_image_and_a_quote():
    [post] = adapter.parse_page(load("marshalx_post_thread_media.json")).mentions

    assert post.external_id == "at://did:plc:kvwvcn5iqfooopmyzvb4qzba/app.bsky.feed.post/3kaheyt6vpc22"
    assert post.text == "" and post.author_name == "Python SDK"
    assert [m["fullsize"][-60:] for m in post.raw["media"]] == [
        "bafkreic3cp5ky525vsukjvrzxsc2h3jka2gud74l2hgeatw2rhj2qycnmq@jpeg"[-60:]
    ]


@pytest.mark.parametrize("name", ["rate_limited_create_session", "expired_access_token", "revoked_refresh_token"])
def test_recorded_error_bodies_are_refused_as_payloads_with_their_words(name):
    body = load("recorded_errors.json")[name]["body"]
    with pytest.raises(PayloadError, match=body["error"]):
        adapter.parse_payload(body)
