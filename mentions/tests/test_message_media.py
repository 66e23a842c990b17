"""Images and files on a mention: kept with the message (at most ten, safe links only), shown on the ticket as links
with the author's description and the host they open, and never loaded by the advocate's browser unasked (no <img>
of the platform's address on the page). The attachment is the shape every adapter makes of its platform's
(channels.adapters.base.Media; Mastodon's recorded `media_attachments` in channels/adapters/mastodon/tests)."""

from datetime import UTC, datetime

import pytest

from channels.adapters.base import IncomingMention, Media
from channels.tests.factories import ChannelFactory
from intake.pipeline import mentions_ingest
from mentions.models import Message
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db

SCREENSHOT = "https://files.example.social/media/original/runner-error.png"


def _mention(external_id: str, media: tuple[Media, ...], text: str = "The runner fails like this, see the picture"):
    return IncomingMention(
        external_id=external_id,
        created_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
        text=text,
        author_handle="dana@example.social",
        media=media,
    )


def test_attachments_are_kept_cleaned_and_shown_as_links_the_browser_does_not_load(client):
    channel = ChannelFactory(kind="mastodon", config={"base_url": "https://example.social"})
    media = (
        Media(kind="image", url=SCREENSHOT, preview_url=SCREENSHOT + "?small", alt="Job log: <b>exit 137</b>"),
        Media(kind="sticker", url="https://files.example.social/x.webp"),  # an unknown kind is a file
        Media(kind="image", url="javascript:alert(1)", alt="not a link"),
        # Links into the advocate's own network: a click would be a request to it.
        *(
            Media(kind="image", url=inside, alt="inside")
            for inside in (
                "http://localhost:8000/admin/",
                "http://127.0.0.1/x.png",
                "http://10.0.0.5/x.png",
                "http://[fe80::1]/x.png",
                "http://printer.local/x.png",
                "http://169.254.169.254/latest/meta-data/",
            )
        ),
        Media(kind="image", url="https://files.example.social/ok.png", preview_url="http://192.168.1.1/p.png"),
        *(Media(kind="image", url=f"https://files.example.social/{n}.png") for n in range(12)),
    )
    mentions_ingest(channel=channel, mentions=[_mention("111", media)])

    message = Message.objects.get(external_id="111")
    assert len(message.media) == 10
    assert message.media[0] == {
        "kind": "image", "url": SCREENSHOT, "preview_url": SCREENSHOT + "?small", "alt": "Job log: <b>exit 137</b>"
    }  # fmt: skip
    assert message.media[1]["kind"] == "file"
    assert all(m["url"].startswith("https://files.example.social/") for m in message.media)
    assert message.media[2] == {
        "kind": "image",
        "url": "https://files.example.social/ok.png",
        "preview_url": "",
        "alt": "",
    }

    client.force_login(AdvocateFactory())
    assert message.ticket is not None
    page = client.get(message.ticket.get_absolute_url()).content.decode()
    assert f'href="{SCREENSHOT}"' in page and "Image: Job log: &lt;b&gt;exit 137&lt;/b&gt;" in page
    assert "(opens files.example.social)" in page and 'referrerpolicy="no-referrer"' in page
    assert "javascript:alert" not in page
    assert "<img" not in page.split('data-testid="media"')[1].split("</ul>")[0]


def test_an_edit_brings_the_attachments_of_the_new_version():
    channel = ChannelFactory(kind="mastodon", config={"base_url": "https://example.social"})
    mentions_ingest(channel=channel, mentions=[_mention("222", ())])
    edited = IncomingMention(
        external_id="222",
        created_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
        text="Now with the screenshot",
        author_handle="dana@example.social",
        edited_at=datetime(2026, 11, 20, 11, tzinfo=UTC),
        media=(Media(kind="image", url=SCREENSHOT),),
    )
    mentions_ingest(channel=channel, mentions=[edited])

    message = Message.objects.get(external_id="222")
    assert message.body == "Now with the screenshot"
    assert [m["url"] for m in message.media] == [SCREENSHOT]


def test_a_title_made_of_the_first_words_is_shown_once(client):
    """A Discord #help question's thread is named after its first words: the page does not print them twice."""
    channel = ChannelFactory(
        kind="discord", config={"guild_id": "1083790520117211186", "text_channels": ["1083790520117211187"]}
    )
    words = "My MR from a fork never starts: the job is stuck"
    first = IncomingMention(
        external_id="900",
        created_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
        text=words + " because no runner is online.",
        title=words,
        author_handle="ci_casey",
    )
    other = IncomingMention(
        external_id="901",
        created_at=datetime(2026, 11, 20, 11, tzinfo=UTC),
        text="Anyone seen runners stuck on 18.6?",
        title="Stuck runners",
        author_handle="ci_casey",
    )
    mentions_ingest(channel=channel, mentions=[first, other])
    client.force_login(AdvocateFactory())
    repeated = client.get(f"/tickets/{Message.objects.get(external_id='900').ticket_id}/").content.decode()
    titled = client.get(f"/tickets/{Message.objects.get(external_id='901').ticket_id}/").content.decode()
    assert f"<strong>{words}</strong>" not in repeated and repeated.count(words) >= 1
    assert "<strong>Stuck runners</strong>" in titled
