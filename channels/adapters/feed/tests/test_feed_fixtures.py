"""Real feeds recorded by other projects (fixtures/SOURCES.md: a GitHub releases.atom, a WordPress RSS 2.0, two
podcast RSS), each read with exact expectations written from the file itself, and one ingested through
`manage.py ingest_payload`."""

from datetime import UTC, datetime

import pytest

from channels.adapters.feed import FeedAdapter
from channels.adapters.feed.tests.test_feed_adapter import FIXTURES, feed_channel
from channels.tests.harness import ingest_payload
from mentions.models import Message

adapter = FeedAdapter()


def rows(name):
    return [
        (m.external_id, m.created_at, m.author_handle, m.title, m.permalink, m.thread_id == m.external_id)
        for m in adapter.parse_payload((FIXTURES / name).read_bytes())
    ]


def test_the_github_releases_read_as_four_releases_with_their_notes_as_text():
    oto = "https://github.com/hajimehoshi/oto/releases/tag/"
    assert rows("github_releases_oto.atom") == [
        (f"tag:github.com,2008:Repository/90259571/{tag}", at, "hajimehoshi", title, oto + tag, True)
        for tag, at, title in [
            ("v2.1.0-alpha.5", datetime(2021, 12, 27, 9, 6, 5, tzinfo=UTC), "v2.1.0-alpha.5"),
            ("v2.1.0-alpha.4", datetime(2021, 11, 3, 16, 16, 57, tzinfo=UTC), "v2.1.0-alpha.4"),
            ("v2.1.0-alpha.3", datetime(2021, 10, 22, 6, 18, 3, tzinfo=UTC), "v2.1.0-alpha.3: Add (*Context).Err"),
            (
                "v2.0.2",
                datetime(2021, 10, 22, 6, 7, 3, tzinfo=UTC),
                "v2.0.2: darwin: Bug fix: Make Suspend and Resume concurrent-safe",
            ),
        ]
    ]
    first, _, third, _ = adapter.parse_payload((FIXTURES / "github_releases_oto.atom").read_bytes())
    assert first.text == "internal/oboe: update Oboe to v1.6.1"
    # The release's HTML is text with its link kept visible; nothing of the markup survives.
    assert third.text == "Closes #152 (https://github.com/hajimehoshi/oto/issues/152)"
    assert first.edited_at is None  # Atom's only time here is `updated`: the release's time, not an edit


def test_the_wordpress_feed_reads_its_guid_as_the_id_and_its_link_as_the_permalink():
    assert rows("wordpress_dieworkwear.rss") == [
        (
            "https://dieworkwear.com/?p=12137",
            datetime(2024, 5, 3, 18, 59, 53, tzinfo=UTC),
            "divert-brew-diagonal",
            "American Space Cowboys",
            "https://dieworkwear.com/2024/05/03/american-space-cowboys/",
            True,
        ),
        (
            "https://dieworkwear.com/?p=11726",
            datetime(2024, 3, 29, 20, 26, 26, tzinfo=UTC),
            "divert-brew-diagonal",
            "Excited to Wear This Spring",
            "https://dieworkwear.com/2024/03/29/excited-to-wear-this-spring-5/",
            True,
        ),
        (
            "https://dieworkwear.com/?p=11627",
            datetime(2023, 11, 24, 14, 32, 2, tzinfo=UTC),
            "Derek Guy",
            "A Dozen Great Black Friday Sales",
            "https://dieworkwear.com/2023/11/24/a-dozen-great-black-friday-sales/",
            True,
        ),
    ]
    [first, *_] = adapter.parse_payload((FIXTURES / "wordpress_dieworkwear.rss").read_bytes())
    assert first.text.startswith("It\u2019s often said that America has not been this divided since the Civil War")
    assert "Read More... (https://dieworkwear.com/2024/05/03/american-space-cowboys/)" in first.text
    assert first.raw["tags"] == ["Uncategorized"]


def test_the_podcasts_read_with_a_guid_that_is_no_link_and_with_a_title_only():
    [npr] = adapter.parse_payload((FIXTURES / "podcast_npr_politics.rss").read_bytes())
    assert (npr.external_id, npr.created_at, npr.title, npr.permalink) == (
        "c95921bb-71c2-4145-8fcd-8217d23889aa",
        datetime(2026, 1, 30, 21, 16, 42, tzinfo=UTC),
        "Another government shutdown looms -- what you need to know",
        "",
    )
    assert npr.text.startswith("After immigration officials killed two people in Minneapolis this month")
    assert "plus.npr.org/politics (http://plus.npr.org/politics)" in npr.text

    [episode] = adapter.parse_payload((FIXTURES / "substack_podcast_dwarkesh.rss").read_bytes())
    # No guid, link or date: the digest of its title, and the feed's lastBuildDate.
    assert episode.external_id.startswith("sha256:") and len(episode.external_id) == 71
    assert episode.created_at == datetime(2025, 12, 18, 0, 51, 43, tzinfo=UTC)
    assert episode.title == "Ilya Sutskever \u2013 We're moving from the age of scaling to the age of research"


def test_an_entry_kept_as_a_dead_letter_reads_again_the_same():
    entries = adapter.parse_payload((FIXTURES / "wordpress_dieworkwear.rss").read_bytes())
    [again] = adapter.parse_item(entries[1].raw).mentions
    assert again == entries[1]


@pytest.mark.django_db
def test_a_saved_feed_is_ingested_with_our_own_release_as_ours():
    channel = feed_channel(our_accounts=["hajimehoshi"])
    figures = ingest_payload("--channel", channel.slug, str(FIXTURES / "github_releases_oto.atom"))

    assert figures["received"] == 4
    kinds = set(Message.objects.filter(channel=channel).values_list("kind", flat=True))
    assert kinds == {Message.Kind.OUR_REPLY}  # hajimehoshi is one of our accounts here
