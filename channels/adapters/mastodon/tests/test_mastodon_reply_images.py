"""A reply with an image on Mastodon, at the HTTP boundary: the upload, then the status naming it.

Shapes: ``POST /api/v2/media`` answers the MediaAttachment (docs.joinmastodon.org, methods/media, "Upload media as
an attachment (async)": 200 with ``id``, ``type``, ``url``, ``preview_url``, ``description``; 202 with ``url``
null while it is processed; 422 ``{"error": "Validation failed: ..."}`` for a file it refuses), and
``GET /api/v1/media/:id`` the same entity once processed. The status posted is the recorded
``status_reply_posted.json`` (fixtures/SOURCES.md) with the attachment in its ``media_attachments``
(entities/MediaAttachment)."""

import pytest
import responses

from channels.adapters.base import ReplyError
from channels.http import build_session
from channels.tests.images import outgoing
from channels.tests.sent import request_bytes, request_form

from .shapes import BASE, STATUSES, channel, connected, load, rate
from .test_mastodon_reply import adapter, instance, target

pytestmark = pytest.mark.django_db
MEDIA = f"{BASE}/api/v2/media"
ATTACHMENT = {
    "id": "22348641",
    "type": "image",
    "url": "https://files.social.example/media_attachments/files/022/348/641/original/cebc6d51e4a7ed8c.png",
    "preview_url": "https://files.social.example/media_attachments/files/022/348/641/small/cebc6d51e4a7ed8c.png",
    "remote_url": None,
    "text_url": None,
    "meta": {"original": {"width": 12, "height": 8, "size": "12x8", "aspect": 1.5}},
    "description": "The settings page",
    "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
}


def send(made, account, media):
    return adapter.post_reply(
        channel=made, account=account, session=build_session(), target=target("public"), text="See.", media=media
    )


@responses.activate
def test_the_image_is_uploaded_with_its_description_then_the_status_names_it():
    made = channel()
    account = connected(made)
    instance()
    responses.post(MEDIA, json=ATTACHMENT)
    responses.post(
        STATUSES, json={**load("status_reply_posted.json"), "media_attachments": [ATTACHMENT]}, headers=rate()
    )
    image = outgoing()

    sent = send(made, account, [image])

    upload, post = [c.request for c in responses.calls if c.request.method == "POST"]
    assert upload.url == MEDIA and upload.headers["Authorization"] == "Bearer account-token-1"
    assert upload.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="description"\r\n\r\nThe settings page' in request_bytes(upload) and image.data in request_bytes(
        upload
    )
    assert request_form(post)["media_ids[]"] == ["22348641"]
    assert sent.media[0].url == ATTACHMENT["url"] and sent.media[0].alt == "The settings page"
    # The key differs from the same text without the image: the instance would answer with that post otherwise.
    responses.post(STATUSES, json=load("status_reply_posted.json"), headers=rate())
    adapter.post_reply(channel=made, account=account, session=build_session(), target=target("public"), text="See.")
    assert responses.calls[-1].request.headers["Idempotency-Key"] != post.headers["Idempotency-Key"]


@responses.activate
def test_an_attachment_still_processing_is_waited_for_before_the_post(monkeypatch):
    monkeypatch.setattr("channels.adapters.mastodon.media.PROCESSING_WAIT_SECONDS", 0)
    made = channel()
    account = connected(made)
    instance()
    responses.post(MEDIA, status=202, json={**ATTACHMENT, "url": None})
    responses.get(f"{BASE}/api/v1/media/22348641", json={**ATTACHMENT, "url": None})
    responses.get(f"{BASE}/api/v1/media/22348641", json=ATTACHMENT)
    responses.post(STATUSES, json=load("status_reply_posted.json"), headers=rate())

    send(made, account, [outgoing()])

    assert [c.request.method for c in responses.calls][-4:] == ["POST", "GET", "GET", "POST"]


@responses.activate
def test_a_refused_upload_posts_nothing_and_says_mastodons_words():
    made = channel()
    account = connected(made)
    instance()
    responses.post(MEDIA, status=422, json={"error": "Validation failed: File content type is invalid"})

    with pytest.raises(ReplyError, match=r"Mastodon refused: Validation failed: File content type is invalid"):
        send(made, account, [outgoing()])

    assert not [c for c in responses.calls if c.request.url == STATUSES]
