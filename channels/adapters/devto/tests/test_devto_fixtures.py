"""Real dev.to API answers recorded by other projects (fixtures/SOURCES.md: a `/api/articles` list and a
`/api/comments` tree), each with exact expectations written from the payload itself, parsed and ingested through
`manage.py ingest_payload`."""

from datetime import UTC, datetime

import pytest

from channels.adapters.devto import DevtoAdapter
from channels.adapters.devto.tests.test_devto_adapter import FIXTURES, devto_channel, load
from channels.tests.harness import ingest_payload
from mentions.models import Message

adapter = DevtoAdapter()
GERELTUYA = ("gereltuyamz", "Gereltuya Munkhzaya", "https://dev.to/gereltuyamz")


def rows(name):
    return [
        (m.external_id, m.created_at, (m.author_handle, m.author_name, m.author_url), m.title, m.text, m.parent_id)
        for m in adapter.parse_payload(load(name))
    ]


def test_the_articles_list_reads_as_three_articles_with_their_titles_and_descriptions():
    assert rows("articles_username_gereltuyamz.json") == [
        (
            "1615102",
            datetime(2023, 9, 29, 3, 22, 16, tzinfo=UTC),
            GERELTUYA,
            "When to use dangerouslySetInnerHTML in React?",
            "Introduction   Rendering HTML markup from rich text created in a WYSIWYG editor might be...",
            "",
        ),
        (
            "1612788",
            datetime(2023, 9, 29, 2, 46, 24, tzinfo=UTC),
            GERELTUYA,
            "Static Assets",
            "Traveling is an enriching experience that opens up new horizons, exposes us to different cultures,...",
            "",
        ),
        (
            "1612784",
            datetime(2023, 9, 27, 5, 9, 10, tzinfo=UTC),
            GERELTUYA,
            "Image Optimization in Next js",
            "According to Web Almanac, images account for a huge portion of the typical website\u2019s page weight"
            " and...",
            "",
        ),
    ]
    first, edited, _ = adapter.parse_payload(load("articles_username_gereltuyamz.json"))
    assert first.permalink == "https://dev.to/gereltuyamz/when-to-use-dangerouslysetinnerhtml-in-react-3ol"
    assert (first.edited_at, edited.edited_at) == (None, datetime(2023, 9, 29, 2, 46, 26, tzinfo=UTC))
    assert first.raw["tag_list"] == ["webdev"]


def test_the_comment_tree_reads_parent_then_reply_with_the_html_made_text():
    created = datetime(2021, 3, 7, 17, 19, 40, tzinfo=UTC)
    assert rows("comments_tree.json") == [
        ("m357", created, ("dariowaelchi", "Dario Waelchi", "https://dev.to/dariowaelchi"), "", "...\n\n...", ""),
        ("m35m", created, ("rhymes", "rhymes", "https://dev.to/rhymes"), "", "...", "m357"),
    ]
    top, reply = adapter.parse_payload(load("comments_tree.json"))
    assert reply.permalink == "https://dev.to/rhymes/comment/m35m"
    assert "children" not in top.raw and "DOCTYPE" not in top.text


@pytest.mark.django_db
def test_the_saved_comment_tree_is_ingested_with_the_reply_in_its_parents_ticket():
    channel = devto_channel(our_accounts=["rhymes"])
    figures = ingest_payload("--channel", channel.slug, str(FIXTURES / "comments_tree.json"))

    assert figures["created"] == 2
    top = Message.objects.get(channel=channel, external_id="m357")
    reply = Message.objects.get(channel=channel, external_id="m35m")
    assert reply.ticket == top.ticket and reply.parent_external_id == "m357"
    assert reply.kind == Message.Kind.OUR_REPLY  # rhymes is one of our accounts here
