"""Each recorded YouTube Data API answer (fixtures/SOURCES.md: sns-sdks/python-youtube's recorded answers) read with
exact expectations: a video's threads, a channel's threads, a page of replies, a posted reply, a search."""

from datetime import UTC, datetime

from channels.adapters.youtube import YoutubeAdapter
from channels.adapters.youtube.parse import Context, parse_page
from channels.adapters.youtube.tests.shapes import load

adapter = YoutubeAdapter()


def test_a_videos_threads_are_read_whole_with_the_original_text_and_a_link_to_each_comment():
    parsed = adapter.parse_page(load("threads_by_video.json"))

    assert (len(parsed.mentions), parsed.rejected) == (5, [])
    first = parsed.mentions[0]
    assert (first.external_id, first.author_name, first.author_handle) == (
        "UgyZ1jqkHKYvi1-ruOZ4AaABAg",
        "himani agarwal",
        "UCzj-CjKYmGlZ7vTL-vOe57A",  # not an @handle: the channel id is the stable name
    )
    assert first.text == "Google.com"  # textOriginal, not the HTML of textDisplay
    assert first.permalink == "https://www.youtube.com/watch?v=F1UP7wRCPH8&lc=UgyZ1jqkHKYvi1-ruOZ4AaABAg"
    assert first.author_url == "https://www.youtube.com/channel/UCzj-CjKYmGlZ7vTL-vOe57A"
    assert first.created_at == datetime(2019, 11, 26, 15, 51, 44, tzinfo=UTC)
    assert (first.parent_id, first.thread_id, first.by_us, first.edited_at) == ("", "", False, None)
    assert first.raw["snippet"]["authorChannelId"] == {"value": "UCzj-CjKYmGlZ7vTL-vOe57A"}


def test_a_channels_threads_without_a_video_have_no_link_and_a_team_channels_comment_is_ours():
    ours = Context(ours=frozenset({"UCTWlvHQQXUs-4IVfdnGOUbw"}))
    parsed = parse_page(load("threads_by_channel.json"), ours)

    assert [(m.external_id, m.text, m.by_us) for m in parsed.mentions] == [
        ("UgyUBI0HsgL9emxcZpR4AaABAg", "Hello", True),
        ("Ugzi3lkqDPfIOirGFLh4AaABAg", "exceptional content!", False),
    ]
    assert all(m.permalink == "" for m in parsed.mentions)  # the recorded threads name no video


def test_a_page_of_replies_threads_each_under_its_top_level_comment():
    parsed = adapter.parse_page(load("comments_by_parent.json"))

    top = "Ugw5zYU6n9pmIgAZWvN4AaABAg"
    assert [(m.external_id, m.parent_id, m.thread_id, m.text) for m in parsed.mentions] == [
        (f"{top}.91zT3cYb5B291za6voUoRh", top, top, "this is the third reply!"),
        (f"{top}.91zT3cYb5B291za5eJxzs1", top, top, "this is the second reply!"),
    ]
    assert parsed.rejected == []


def test_a_posted_reply_is_read_as_a_reply_of_its_thread():
    (mention,) = adapter.parse_page(load("comment_insert.json")).mentions

    assert (mention.external_id, mention.parent_id, mention.author_name) == (
        "Ugy_CAftKrIUCyPr9GR4AaABAg.9iPXEClD9lW9iPXLqKy_Pt",
        "Ugy_CAftKrIUCyPr9GR4AaABAg",
        "ikaros data",
    )


def test_a_search_answer_holds_videos_not_comments_and_reads_as_none():
    parsed = adapter.parse_page(load("search_by_keywords.json"))

    assert parsed.mentions == [] and len(parsed.rejected) == 25  # each result is no comment: rejected in words
    assert all("a comment needs an id and a publishedAt" in r.error for r in parsed.rejected)
