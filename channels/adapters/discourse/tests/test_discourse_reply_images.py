"""A reply with an image on a Discourse forum, at the HTTP boundary: the upload, then the post showing it.

Shapes: ``POST /uploads.json`` (multipart: ``type`` composer, ``synchronous``, ``file``) answers the upload as
docs.discourse.org "Creates an upload" lists it (``id``, ``url``, ``original_filename``, ``filesize``, ``width``,
``height``, ``extension``, ``short_url`` ``upload://<base62 sha1>.<ext>``, ``short_path``, ``human_filesize``);
a refusal is ``{"errors": [...]}`` with 422 (meta.discourse.org/t/78612, as test_send_reply_discourse.py). The post
created is the recorded posts.json entry that file starts from (fixtures/SOURCES.md)."""

import pytest
import responses

from channels.adapters.base import ReplyError, ReplyTarget
from channels.http import build_session
from channels.models import Account
from channels.tests.images import multipart_parts, outgoing
from channels.tests.sent import request_json

from .test_discourse_adapter import BASE, adapter, discourse_channel, post

pytestmark = pytest.mark.django_db
UPLOADS = BASE + "/uploads.json"
POSTS = BASE + "/posts.json"
UPLOADED = {
    "id": 42,
    "url": "/uploads/default/original/1X/8b0d9d0c2c2c3c3a5ddb1b8b0a6d0c4e1f2a3b4c.png",
    "original_filename": "image-1.png",
    "filesize": 120,
    "width": 12,
    "height": 8,
    "thumbnail_width": 12,
    "thumbnail_height": 8,
    "extension": "png",
    "short_url": "upload://jQp9mBXBNSkMXzWxVCrFCgHNlHy.png",
    "short_path": "/uploads/short-url/jQp9mBXBNSkMXzWxVCrFCgHNlHy.png",
    "retain_hours": None,
    "human_filesize": "120 Bytes",
}


def _desk():
    channel = discourse_channel()
    account = Account(channel=channel, username="gitlab-team", status=Account.Status.CONNECTED)
    account.tokens = {"access_token": "user-api-key-1"}
    account.save()
    target = ReplyTarget(external_id="100", thread_id="topic:7", raw=post(100, topic=7, number=3))
    return channel, account, target


def _send(channel, account, target, alt="The [settings] page"):
    return adapter.post_reply(
        channel=channel, account=account, session=build_session(), target=target, text="See below.",
        media=[outgoing(alt=alt)],
    )  # fmt: skip


@responses.activate
def test_the_image_is_uploaded_then_the_post_shows_it_with_its_description():
    channel, account, target = _desk()
    responses.post(UPLOADS, json=UPLOADED)
    made = post(150, topic=7, number=4, username="gitlab-team") | {"topic_slug": "topic-7"}
    responses.post(POSTS, json=made)

    sent = _send(channel, account, target)

    upload, created = (c.request for c in responses.calls)
    assert upload.url == UPLOADS and upload.headers["User-Api-Key"] == "user-api-key-1"
    parts = multipart_parts(upload)
    assert parts["type"][2] == b"composer" and parts["file"][:2] == ("image-1.png", "image/png")
    raw = request_json(created)["raw"]
    # Brackets would end the markdown's alt text early: they become spaces.
    assert raw == "See below.\n\n![The settings page|12x8](upload://jQp9mBXBNSkMXzWxVCrFCgHNlHy.png)"
    assert sent.media[0].url == BASE + str(UPLOADED["url"]) and sent.media[0].alt == "The [settings] page"


@responses.activate
def test_a_refused_upload_posts_nothing_and_says_the_forums_words():
    channel, account, target = _desk()
    responses.post(UPLOADS, status=422, json={"errors": ["Sorry, the file you are trying to upload is too big."]})

    with pytest.raises(ReplyError, match=r"Discourse refused the image \(422\): Sorry, the file .* too big"):
        _send(channel, account, target)

    assert [c.request.url for c in responses.calls] == [UPLOADS]
