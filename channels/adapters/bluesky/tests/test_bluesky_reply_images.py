"""A reply with an image on Bluesky, through the desk's send path, at the HTTP boundary.

Shapes: `com.atproto.repo.uploadBlob` takes the image's bytes as the body with their Content-Type and answers
`{"blob": {"$type": "blob", "ref": {"$link": <cid>}, "mimeType", "size"}}`; the post's `embed` is
`app.bsky.embed.images` with `images: [{alt, image: <blob>, aspectRatio}]` (docs.bsky.app, "Creating a post",
section "Images embeds", and the lexicons of com.atproto.repo.uploadBlob and app.bsky.embed.images); errors are
XRPC's `{"error", "message"}` (as in fixtures/recorded_errors.json). The createRecord answer is the one
test_bluesky_reply.py uses. The images are made here with Pillow (channels/tests/images.py)."""

import io
import json
import random
import time

import pytest
import responses
from django.core.exceptions import ValidationError
from PIL import Image

from channels.adapters.bluesky.tests.bsky import CREATE_RECORD, DID, HANDLE, PDS, calls_to, post, ratelimit
from channels.adapters.bluesky.tests.test_bluesky_reply import created, desk
from channels.tests.images import GPS_IFD, TEXT_NAMED_PNG, jpeg_with_gps, png_bytes
from mentions.models import Message, ReplyImage, ReplySend
from mentions.services.replies import SendFailed, ticket_send_reply
from mentions.services.reply_images import ImageGiven
from mentions.tests.factories import AdvocateFactory

pytestmark = pytest.mark.django_db
UPLOAD = f"{PDS}/xrpc/com.atproto.repo.uploadBlob"
CID = "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"


def blob(size: int, mime: str = "image/png") -> dict:
    return {"blob": {"$type": "blob", "ref": {"$link": CID}, "mimeType": mime, "size": size}}


def question():
    return desk(post("3q", time.time() - 60, text=f"@{HANDLE} where is the setting?"))


@responses.activate
def test_the_image_is_uploaded_first_then_the_post_embeds_it_with_its_alt_text_once():
    ticket, account = question()
    image = png_bytes(12, 8)
    responses.post(UPLOAD, json=blob(len(image)))
    responses.post(CREATE_RECORD, json=created(), headers=ratelimit(4990))
    given = [ImageGiven(data=image, alt="  The settings\npage  ")]
    user = AdvocateFactory()

    reply = ticket_send_reply(ticket=ticket, user=user, body="Here it is.", key="img1", images=given)
    again = ticket_send_reply(ticket=ticket, user=user, body="Here it is.", key="img1", images=given)  # pressed twice

    assert again.pk == reply.pk
    (upload,) = calls_to(UPLOAD)
    (write,) = calls_to(CREATE_RECORD)  # one post, after the upload
    urls = [c.request.url for c in responses.calls]
    assert urls.index(UPLOAD) < urls.index(CREATE_RECORD)
    assert upload.request.headers["Content-Type"] == "image/png"
    assert upload.request.headers["Authorization"] == f"Bearer {account.tokens['access_token']}"
    sent = Image.open(io.BytesIO(upload.request.body))
    assert sent.format == "PNG" and sent.size == (12, 8)
    record = json.loads(write.request.body)["record"]
    assert record["embed"] == {
        "$type": "app.bsky.embed.images",
        "images": [
            {"alt": "The settings page", "image": blob(len(image))["blob"], "aspectRatio": {"width": 12, "height": 8}}
        ],
    }
    assert reply.media == [
        {
            "kind": "image",
            "url": f"https://cdn.bsky.app/img/feed_fullsize/plain/{DID}/{CID}@jpeg",
            "preview_url": "",
            "alt": "The settings page",
        }
    ]
    send = ReplySend.objects.get(key="img1")
    (kept,) = ReplyImage.objects.filter(send=send)
    # What it was stays; the bytes go once the platform has them.
    assert (kept.content_type, kept.alt, kept.width, kept.height) == ("image/png", "The settings page", 12, 8)
    assert len(kept.sha256) == 64 and kept.size > 0 and bytes(kept.data) == b""


@responses.activate
def test_the_gps_position_never_leaves_the_desk():
    ticket, _account = question()
    photo = jpeg_with_gps()
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(GPS_IFD)  # the phone's position is in the file
    responses.post(UPLOAD, json=blob(1000, "image/jpeg"))
    responses.post(CREATE_RECORD, json=created(), headers=ratelimit(4990))

    ticket_send_reply(
        ticket=ticket, user=AdvocateFactory(), body="Like this.", key="gps", images=[ImageGiven(photo, "A photo")]
    )

    (upload,) = calls_to(UPLOAD)
    uploaded = Image.open(io.BytesIO(upload.request.body))
    assert uploaded.format == "JPEG" and upload.request.headers["Content-Type"] == "image/jpeg"
    assert dict(uploaded.getexif()) == {} and "exif" not in uploaded.info
    assert b"Desk Test Camera" not in upload.request.body


@responses.activate
def test_a_refused_upload_fails_the_send_in_blueskys_words_and_nothing_is_posted():
    ticket, _account = question()
    responses.post(UPLOAD, status=400, json={"error": "BlobTooLarge", "message": "This file is too large"})

    with pytest.raises(SendFailed, match=r"Bluesky refused the image \(BlobTooLarge: This file is too large\)"):
        ticket_send_reply(
            ticket=ticket, user=AdvocateFactory(), body="Here.", key="big", images=[ImageGiven(png_bytes(), "A")]
        )

    assert calls_to(CREATE_RECORD) == []
    send = ReplySend.objects.get(key="big")
    assert send.status == ReplySend.Status.REFUSED
    assert bytes(ReplyImage.objects.get(send=send).data) == b""  # used up: a new press uploads its own
    ticket.refresh_from_db()
    assert ticket.reply_draft == "Here."
    assert not Message.objects.filter(ticket=ticket, kind=Message.Kind.OUR_REPLY).exists()


@pytest.mark.parametrize(
    ("data", "alt", "field", "said"),
    [
        (TEXT_NAMED_PNG, "A picture", "image", "not an image the desk can read"),
        (png_bytes()[:40], "A picture", "image", "not an image the desk can read"),  # cut short
        (png_bytes(), "   ", "image_alt", "Describe the image"),
    ],
)
@responses.activate
def test_what_is_not_a_described_image_is_refused_on_its_field_before_anything_is_sent(data, alt, field, said):
    ticket, _account = question()

    with pytest.raises(ValidationError) as refused:
        ticket_send_reply(
            ticket=ticket, user=AdvocateFactory(), body="Here.", key="bad", images=[ImageGiven(data, alt)]
        )

    assert list(refused.value.error_dict) == [field] and said in " ".join(refused.value.messages)
    assert calls_to(UPLOAD) == [] and calls_to(CREATE_RECORD) == []
    assert not ReplySend.objects.filter(key="bad").exists()  # the key is not used up: the same press may try again


@responses.activate
def test_an_image_over_blueskys_million_bytes_and_a_fifth_image_are_refused():
    ticket, _account = question()
    noisy = Image.frombytes("RGB", (700, 700), random.Random(1).randbytes(700 * 700 * 3))  # does not compress
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert len(out.getvalue()) > 1_000_000

    with pytest.raises(ValidationError, match=r"at most here"):
        ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="x", images=[ImageGiven(out.getvalue(), "Noise")])
    with pytest.raises(ValidationError, match=r"takes 4 image\(s\) at most"):
        ticket_send_reply(ticket=ticket, user=AdvocateFactory(), body="x", images=[ImageGiven(png_bytes(), "A")] * 5)
    assert calls_to(UPLOAD) == []
