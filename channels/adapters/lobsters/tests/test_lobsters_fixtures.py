"""Each recorded Lobsters answer (fixtures/SOURCES.md: msfjarvis/compose-lobsters' test resources, both the older
shapes with user objects and ``indent_level`` and the newer ones with user names and ``parent_comment``) read
with exact expectations."""

from channels.adapters.lobsters import LobstersAdapter
from channels.adapters.lobsters.parse import placed_comments
from channels.adapters.lobsters.tests.test_lobsters_adapter import load

adapter = LobstersAdapter()


def test_a_listing_of_the_newer_lobsters_is_read_whole():
    parsed = adapter.parse_page(load("hottest.json"))

    assert (len(parsed.mentions), parsed.rejected) == (25, [])
    first = parsed.mentions[0]
    assert (first.external_id, first.author_handle, first.permalink) == (
        "f9zeee",
        "technomancy",
        "https://lobste.rs/s/f9zeee",
    )
    assert first.title == "why I built a hyper-personalized seach engine that isn't very good"
    assert first.text == "https://search.technomancy.us/why"  # a link story: its link is what it says
    assert first.created_at.isoformat() == "2025-02-13T13:30:54-06:00"
    assert first.author_url == "https://lobste.rs/~technomancy" and first.author_audience is None
    assert first.raw["tags"] == ["lisp", "lua", "web"] and first.raw["comment_count"] == 9


def test_a_tag_listing_of_the_older_lobsters_reads_the_user_object_and_karma():
    parsed = adapter.parse_page(load("t_programming_rust.json"))

    assert (len(parsed.mentions), parsed.rejected) == (25, [])
    weekend = parsed.mentions[0]
    assert (weekend.external_id, weekend.author_handle, weekend.author_audience) == ("dikmbr", "caius", 8573)
    assert weekend.author_audience_kind == "karma"
    assert weekend.text.startswith("Feel free to tell what you plan on doing this weekend")
    assert "\r" not in weekend.text


def test_a_story_of_the_newer_lobsters_threads_its_comments_by_parent_comment():
    parsed = adapter.parse_page(load("s_tdfoqh.json"))

    assert (len(parsed.mentions), parsed.rejected) == (11, [])
    by_id = {m.external_id: m for m in parsed.mentions}
    assert by_id["tdfoqh"].title == "Ranking comments by sum of replies' scores"
    assert by_id["tdfoqh"].author_handle == "gioele"
    assert by_id["c_ncdsfc"].parent_id == "tdfoqh" and by_id["c_ncdsfc"].thread_id == "tdfoqh"
    assert (by_id["c_lqqn3a"].parent_id, by_id["c_owddle"].parent_id) == ("c_owddle", "c_9vyyu5")
    assert by_id["c_qy0l9k"].author_handle == "pushcx" and by_id["c_qy0l9k"].permalink == "https://lobste.rs/c/qy0l9k"
    assert by_id["c_ncdsfc"].text.startswith("> to avoid giving importance to superficial back-and-forth discussions")
    assert by_id["c_ei3nck"].edited_at is not None and by_id["c_ncdsfc"].edited_at is None


def test_a_story_of_the_older_lobsters_threads_its_comments_by_their_levels():
    parsed = adapter.parse_page(load("s_d9ucpe.json"))

    assert (len(parsed.mentions), parsed.rejected) == (8, [])
    by_id = {m.external_id: m for m in parsed.mentions}
    assert by_id["d9ucpe"].author_audience == 1811
    assert by_id["c_flr1hj"].parent_id == "c_6gmzsf"  # indent_level 2 under the level-1 comment before it
    assert {m.parent_id for k, m in by_id.items() if k not in ("d9ucpe", "c_flr1hj")} == {"d9ucpe"}
    assert by_id["c_42bzeq"].text.startswith("I\u2019ve always felt like my usage of strace was very contrived")


def test_a_comment_kept_as_a_dead_letter_reads_again_in_the_same_place():
    story = load("s_tdfoqh.json")
    kept = placed_comments(story)[5]  # what the poll handed to the parser, and a dead letter keeps

    (mention,) = adapter.parse_item(kept).mentions
    assert (mention.external_id, mention.parent_id, mention.thread_id) == ("c_lqqn3a", "c_owddle", "tdfoqh")
