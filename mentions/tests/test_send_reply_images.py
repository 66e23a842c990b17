"""A reply with an image from the ticket page, against a fake X (responses): the file input and its description,
the checks beside the input, the upload before the post, one post for two presses.

Shapes: ``POST /2/media/upload`` answers ``{"data": {"id", "media_key", "size", "expires_after_secs", "image"}}``
(docs.x.com/x-api/media/upload-media, "Media upload"), ``POST /2/media/metadata`` ``{"data": {"id",
"associated_metadata": {"alt_text": {"text"}}}}`` (docs.x.com/x-api/media/create-media-metadata), and a refusal is
X's problem object (``title``, ``detail``, ``type``, ``status``, as test_send_reply.py's 403); ``POST /2/tweets``
answers as in test_send_reply.py. The images are made with Pillow (channels/tests/images.py)."""

import io

import pytest
import responses
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from channels.adapters.twitter import TWEETS_URL
from channels.tests.images import TEXT_NAMED_PNG, jpeg_with_gps, multipart_parts, png_bytes
from channels.tests.sent import request_json
from mentions.models import Message, ReplySend, TicketEvent
from mentions.tests.factories import seen
from mentions.tests.pages import refused_page, result_slot
from mentions.tests.test_send_reply import _posted, _ticket_from, _tweet

pytestmark = pytest.mark.django_db
UPLOAD = "https://api.x.com/2/media/upload"
METADATA = "https://api.x.com/2/media/metadata"
MEDIA_ID = "1880028106020515840"


def _uploaded():
    responses.post(
        UPLOAD,
        json={
            "data": {
                "id": MEDIA_ID,
                "media_key": f"3_{MEDIA_ID}",
                "size": 1234,
                "expires_after_secs": 86400,
                "image": {"image_type": "image/jpeg", "w": 40, "h": 20},
            }
        },
    )
    responses.post(
        METADATA, json={"data": {"id": MEDIA_ID, "associated_metadata": {"alt_text": {"text": "A photo of the page"}}}}
    )


def _ticket():
    return _ticket_from(_tweet("1860000000000000001", "@GitLab where is it?", mentions=["GitLab"]))


def _press(client, ticket, *, image: bytes, name: str = "photo.jpg", alt: str = "A photo of the page", key="t1"):
    return client.post(
        reverse("mentions:ticket-send", args=[ticket.pk]),
        {
            "seen": seen(ticket),
            "body": "Here it is.",
            "token": key,
            "status": "solved",
            "image": SimpleUploadedFile(name, image, content_type="image/jpeg"),
            "image_alt": alt,
        },
    )


def test_the_composer_offers_one_described_image_where_the_platform_takes_them(advocate_client):
    ticket = _ticket()
    html = advocate_client.get(ticket.get_absolute_url()).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'accept="image/png,image/jpeg,image/gif,image/webp"' in html
    assert 'name="image_alt"' in html and "metadata (EXIF, GPS position) is removed" in html


@responses.activate
def test_the_image_is_uploaded_stripped_and_described_then_the_post_names_it_once(advocate_client):
    ticket = _ticket()
    _uploaded()
    _posted()

    for _ in range(2):  # pressed twice: one upload, one post
        response = _press(advocate_client, ticket, image=jpeg_with_gps())
        assert response.status_code == 302

    assert [c.request.url for c in responses.calls] == [UPLOAD, METADATA, TWEETS_URL]
    upload, metadata, post = (c.request for c in responses.calls)
    assert upload.headers["Authorization"] == "Bearer tok-main"
    parts = multipart_parts(upload)
    assert parts["media_category"][2] == b"tweet_image" and parts["media"][1] == "image/jpeg"
    sent = Image.open(io.BytesIO(parts["media"][2]))
    assert sent.format == "JPEG" and dict(sent.getexif()) == {}  # no GPS, no camera
    assert request_json(metadata) == {"id": MEDIA_ID, "metadata": {"alt_text": {"text": "A photo of the page"}}}
    assert request_json(post)["media"] == {"media_ids": [MEDIA_ID]}
    reply = Message.objects.get(ticket=ticket, kind=Message.Kind.OUR_REPLY)
    assert reply.media == [{"kind": "image", "url": "", "preview_url": "", "alt": "A photo of the page"}]
    assert ReplySend.objects.get(key="t1").images.get().content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("image", "alt", "said"),
    [
        (TEXT_NAMED_PNG, "A picture", "Image: This file is not an image the desk can read"),
        (png_bytes(), "", "Image description: Describe the image"),
    ],
)
@responses.activate
def test_a_file_that_is_not_a_described_image_is_refused_beside_the_input_and_the_draft_stays(
    advocate_client, image, alt, said
):
    ticket = _ticket()

    response = _press(advocate_client, ticket, image=image, name="screenshot.png", alt=alt)

    html = refused_page(advocate_client, response, ticket, "send")
    slot = result_slot(html, "send")
    assert said in slot
    # The slot is the one just below the image's row, which names it for screen readers.
    assert html.index('id="send-image"') < html.index('id="result-send"')
    assert 'aria-describedby="send-image-note result-send"' in html
    assert "Here it is.</textarea>" in html
    assert len(responses.calls) == 0 and not ReplySend.objects.exists()


@responses.activate
def test_an_upload_x_refuses_fails_the_send_in_its_words_and_nothing_is_posted(advocate_client):
    ticket = _ticket()
    responses.post(
        UPLOAD,
        status=403,
        json={"title": "Forbidden", "detail": "You are not permitted to perform this action.", "type": "about:blank"},
    )

    response = _press(advocate_client, ticket, image=png_bytes())

    html = refused_page(advocate_client, response, ticket, "send")
    assert "X refused the image (403)" in result_slot(html, "send")
    assert "connecting again" in result_slot(html, "send")
    assert [c.request.url for c in responses.calls] == [UPLOAD]
    assert ReplySend.objects.get().status == ReplySend.Status.REFUSED
    assert ticket.events.filter(kind=TicketEvent.Kind.REPLY_FAILED).count() == 1
    assert not Message.objects.filter(ticket=ticket, kind=Message.Kind.OUR_REPLY).exists()


def test_the_image_input_costs_the_ticket_page_no_query(advocate_client, monkeypatch):
    """The composer's image row reads the platform's declaration, never the database: the page costs as many
    queries with it as without it."""
    from dataclasses import replace

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from channels.adapters import registry

    ticket = _ticket()
    url = ticket.get_absolute_url()

    def counted() -> tuple[list[str], bool]:
        with CaptureQueriesContext(connection) as queries:
            html = advocate_client.get(url).content.decode()
        return [q["sql"] for q in queries.captured_queries], 'data-testid="send-image"' in html

    # The clock stands still: what the page refreshes by time (presence, cached reads) is not due between the two
    # loads however slowly they run (on a loaded machine the second load found one more refresh due).
    # Each figure is the page's steady state: loaded once before it is counted, so that what a first load fills
    # (the macros' kept summaries) counts for neither.
    with time_machine.travel(timezone.now(), tick=False):
        counted()
        with_image = counted()
        kind = ticket.channel.kind
        declared = registry.platform_of(kind)
        text_only = replace(declared, reply_rule=replace(declared.reply_rule, media=None))
        monkeypatch.setitem(registry._declared, kind, text_only)
        counted()
        without = counted()

    assert with_image[1] and not without[1]
    assert len(with_image[0]) == len(without[0]), "\n".join(
        [
            "only with the image row:",
            *sorted(set(with_image[0]) - set(without[0])),
            "only without:",
            *sorted(set(without[0]) - set(with_image[0])),
        ]
    )
