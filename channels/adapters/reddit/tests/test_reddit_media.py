"""Images, galleries and videos on incoming Reddit posts (issue 43).

Shapes: the recorded PRAW comment pages `praw_gallery_comment_page.json`, `praw_image_comment_page.json`,
`praw_video_comment_page.json` and go-reddit's `goreddit_subreddit_posts.json` (fixtures/SOURCES.md, "Added for
issue 43"). Changed copies of those recorded posts stand for the cases no recording shows (an unsafe address, an item
still processing, a GIF video, a page saved without raw_json=1), each changing only the fields it names.
"""

import copy
import json
from pathlib import Path

from channels.adapters.base import Media
from channels.adapters.reddit import RedditAdapter

FIXTURES = Path(__file__).parent / "fixtures"
adapter = RedditAdapter()


def load(name):
    return json.loads((FIXTURES / name).read_text())


def post_of(page):
    """The post of a recorded comment page ([post listing, comments listing])."""
    return page[0]["data"]["children"][0]["data"]


def media_of(payload):
    parsed = adapter.parse_page(payload)
    assert parsed.rejected == []
    return {m.external_id: m.media for m in parsed.mentions}


def test_a_gallery_in_its_order_with_captions_and_the_animated_image_as_a_gif():
    media = media_of(load("praw_gallery_comment_page.json"))["t3_huw6vs"]
    assert [(m.kind, m.url.split("?")[0], m.alt) for m in media] == [
        ("image", "https://preview.redd.it/pb7qsvi6i3c51.png", ""),
        ("image", "https://preview.redd.it/14wmudl6i3c51.jpg", "test.jpg"),
        ("gif", "https://i.redd.it/vkm62gm6i3c51.gif", ""),
        ("image", "https://preview.redd.it/wka18en6i3c51.png", "test.png"),
    ]
    assert media[0].url.endswith("?width=128&format=png&auto=webp&s=7c2e610589cb5c8d60384b1d2a8eadc5c874d1d9")
    assert media[0].preview_url.startswith("https://preview.redd.it/pb7qsvi6i3c51.png?width=108&crop=smart")


def test_an_image_post_links_its_image_with_the_preview():
    assert media_of(load("praw_image_comment_page.json"))["t3_16xb01r"] == (
        Media(
            kind="image",
            url="https://i.redd.it/8xjguc40cnrb1.png",
            preview_url="https://preview.redd.it/8xjguc40cnrb1.png?auto=webp&s=87f19f5c19ceaac01924fddd8cfc5cb216334621",
        ),
    )


def test_a_video_links_the_playable_fallback():
    assert media_of(load("praw_video_comment_page.json"))["t3_k5rsq3"] == (
        Media(
            kind="video",
            url="https://v.redd.it/5ph4906syw261/DASH_240.mp4?source=fallback",
            preview_url=(
                "https://external-preview.redd.it/WHSrHbbmt2CT_VZkS9iPCynCpx97Mqh_VxXsVHKGStY.png"
                "?format=pjpg&auto=webp&s=2a988f95c46539a355552d92fa797c5b7265416e"
            ),
        ),
    )


def test_a_page_without_raw_json_has_its_addresses_unescaped_and_text_posts_carry_nothing():
    media = media_of(load("goreddit_subreddit_posts.json"))
    assert media["t3_agi5zf"] == ()  # a self post
    (image,) = media["t3_hyhquk"]
    assert image.url == "https://i.imgur.com/LrN2mPw.jpg"
    assert image.preview_url.endswith(".png?auto=webp&s=f5103946eee4586cba8a1ba410e3098e9a14bb58")
    assert "&amp;" not in image.preview_url


def test_link_posts_to_other_sites_are_not_attachments():
    # Recorded: a YouTube link (post_hint rich:video, secure_media.oembed) and a news article (post_hint link).
    assert set(media_of(load("subreddit_new_submissions.json")).values()) == {()}


def test_items_still_processing_and_unsafe_addresses_are_left_out():
    page = load("praw_gallery_comment_page.json")
    post = post_of(page)
    metadata = post["media_metadata"]
    metadata["pb7qsvi6i3c51"] = {"status": "unprocessed"}  # as PRAW's test_submit_gallery__selftext recorded it
    metadata["14wmudl6i3c51"]["s"]["u"] = "javascript:alert(1)"
    post["gallery_data"]["items"].append({"media_id": ["not", "an", "id"], "id": 1})
    post["gallery_data"]["items"].append({"media_id": "missing", "id": 2})
    media = media_of(page)["t3_huw6vs"]
    assert [m.url.split("?")[0] for m in media] == [
        "https://i.redd.it/vkm62gm6i3c51.gif",
        "https://preview.redd.it/wka18en6i3c51.png",
    ]


def test_a_video_without_reddit_video_links_the_post_url_and_a_gif_video_is_a_gif():
    page = load("praw_video_comment_page.json")
    post = post_of(page)
    bare = copy.deepcopy(page)
    post_of(bare)["secure_media"] = post_of(bare)["media"] = None
    assert media_of(bare)["t3_k5rsq3"][0].url == "https://v.redd.it/5ph4906syw261"
    post["secure_media"]["reddit_video"]["is_gif"] = True
    assert media_of(page)["t3_k5rsq3"][0].kind == "gif"
    post["url"] = "javascript:alert(1)"
    post["secure_media"]["reddit_video"]["fallback_url"] = "data:video/mp4;base64,AAAA"
    post["media"]["reddit_video"]["fallback_url"] = "javascript:alert(1)"
    assert media_of(page)["t3_k5rsq3"] == ()


def test_the_media_reach_the_stored_message():
    parsed = adapter.parse_page(load("praw_gallery_comment_page.json"))
    assert parsed.mentions[0].raw["data"]["media_metadata"]  # the dead letter reads the same media again
    again = adapter.parse_item(parsed.mentions[0].raw)
    assert again.mentions[0].media == parsed.mentions[0].media
