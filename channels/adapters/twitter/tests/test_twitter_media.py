"""Photos, videos and GIFs on incoming X posts (issue 43): `attachments.media_keys` joined with `includes.media`.

Shapes: the recorded twarc responses `tweet_video_twarc.json`, `tweet_photo_alt_text_twarc.json` and
`search_recent_media_twarc.json` (fixtures/SOURCES.md, "Added for issue 43"). The hand-written payloads below follow
docs.x.com's "Media object" and "Fields / expansions" pages (a post's `attachments.media_keys`, the response's
`includes.media` with `media_key`, `type`, `url`, `preview_image_url`, `alt_text`) on a recorded post's fields.
"""

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from channels.adapters.base import Media
from channels.adapters.twitter import TwitterAdapter
from channels.tests.factories import ChannelFactory
from mentions.models import Message
from mentions.tests.factories import AdvocateFactory

FIXTURES = Path(__file__).parent / "fixtures"
adapter = TwitterAdapter()


def load(name):
    return json.loads((FIXTURES / name).read_text())


def by_id(payload):
    parsed = adapter.parse_page(payload)
    assert parsed.rejected == []
    return {m.external_id: m for m in parsed.mentions}


def test_a_photo_links_to_its_image_with_the_authors_alt_text():
    mention = by_id(load("tweet_photo_alt_text_twarc.json"))["1576994746135764992"]
    assert mention.media == (
        Media(kind="image", url="https://pbs.twimg.com/media/FeKcHsVaUAEYpU_.jpg", alt="selfie of me with memoji"),
    )
    assert mention.raw["media"][0]["media_key"] == "3_1576994475507077121"  # kept for the dead letter


def test_a_video_links_to_the_post_with_its_still_as_preview():
    # X's v2 gives a video's files only as `variants` (bitrates, a playlist): the post on x.com plays it.
    mention = by_id(load("tweet_video_twarc.json"))["1558553189766631429"]
    assert mention.media == (
        Media(
            kind="video",
            url="https://x.com/IgorBrigadir/status/1558553189766631429",
            preview_url="https://pbs.twimg.com/ext_tw_video_thumb/1558552952549277696/pu/img/7VaQu-AvReI8RHkv.jpg",
        ),
    )
    assert mention.permalink == mention.media[0].url


def test_a_gif_and_three_photos_in_the_posts_order():
    mentions = by_id(load("search_recent_media_twarc.json"))
    gif = mentions["1440716745577140229"]
    assert gif.media == (
        Media(
            kind="gif",
            url="https://x.com/calin_a/status/1440716745577140229",
            preview_url="https://pbs.twimg.com/tweet_video_thumb/E_50PPpUYAIE3uX.jpg",
        ),
    )
    photos = mentions["1440713966649417731"].media
    assert [m.url for m in photos] == [
        "https://pbs.twimg.com/media/E_5xtEhVIAInx_o.jpg",
        "https://pbs.twimg.com/media/E_5xtbNVQAQGNb4.jpg",
        "https://pbs.twimg.com/media/E_5xty_VgBAr1Is.jpg",
    ]
    assert [m.alt for m in photos] == ["A long email from Green Energy - please request full text if required.", "", ""]
    assert {m.kind for m in photos} == {"image"}


def test_the_order_is_the_posts_and_unusable_media_are_left_out():
    payload = load("search_recent_media_twarc.json")
    post = payload["data"][1]
    media = payload["includes"]["media"]
    post["attachments"]["media_keys"] = [
        "3_1440713962400612368", "3_missing", "3_1440713949926727682", "3_1440713962400612368", "3_script",
        "3_local",
    ]  # fmt: skip
    media.reverse()
    media += [
        {"media_key": "3_script", "type": "photo", "url": "javascript:alert(1)", "alt_text": "not a link"},
        {"media_key": "3_local", "type": "photo", "url": "data:image/png;base64,AAAA"},
    ]
    got = by_id(payload)["1440713966649417731"].media
    # A key X did not include (withheld, deleted) and a repeated key are skipped; javascript: and data: are no links.
    assert [m.url.rsplit("/", 1)[1] for m in got] == ["E_5xty_VgBAr1Is.jpg", "E_5xtEhVIAInx_o.jpg"]


def test_posts_without_attachments_or_includes_have_no_media():
    for name in ("search_recent_with_expansions_docs_sample.json", "users_mentions.json"):
        assert all(m.media == () for m in by_id(load(name)).values()), name
    payload = load("tweet_photo_alt_text_twarc.json")
    del payload["includes"]["media"]
    assert by_id(payload)["1576994746135764992"].media == ()


def test_a_rejected_post_keeps_its_media_and_reads_the_same_again():
    payload = load("tweet_photo_alt_text_twarc.json")
    broken = copy.deepcopy(payload)
    broken["data"][0]["text"] = None  # not a post: rejected with its joined media
    rejected = adapter.parse_page(broken).rejected[0]
    item = {**rejected.raw, "text": payload["data"][0]["text"]}
    assert adapter.parse_item(item).mentions[0].media[0].alt == "selfie of me with memoji"


@pytest.mark.django_db
def test_the_ticket_lists_the_photo_as_a_link_with_its_alt_text(client):
    handles = [{"username": "GitLab", "user_id": "2244994945", "role": "main"}]
    channel = ChannelFactory(kind="twitter", slug="x-media", config={"handles": handles})
    out = StringIO()
    call_command(
        "ingest_payload", "--channel", channel.slug, str(FIXTURES / "tweet_photo_alt_text_twarc.json"), stdout=out
    )
    message = Message.objects.get(channel=channel, external_id="1576994746135764992")
    assert message.media == [
        {
            "kind": "image",
            "url": "https://pbs.twimg.com/media/FeKcHsVaUAEYpU_.jpg",
            "preview_url": "",
            "alt": "selfie of me with memoji",
        }
    ]
    client.force_login(AdvocateFactory())
    assert message.ticket is not None
    page = client.get(message.ticket.get_absolute_url()).content.decode()
    listed = page.split('data-testid="media"')[1].split("</ul>")[0]
    assert 'href="https://pbs.twimg.com/media/FeKcHsVaUAEYpU_.jpg"' in listed
    assert "Image: selfie of me with memoji" in listed and "(opens pbs.twimg.com)" in listed
    assert "<img" not in listed
