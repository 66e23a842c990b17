"""A reply with an image on Discord, at the HTTP boundary: one multipart Create Message.

Shapes: discord-api-docs docs/reference.mdx "Uploading Files" (``payload_json`` and ``files[n]`` parts, each
described by ``attachments[n]`` with its ``id``, ``filename`` and ``description``), docs/resources/message.mdx
"Create Message" and "Attachment Object" (the answer's ``attachments``: id, filename, description, content_type,
size, url, proxy_url, width, height); the 413 body is written from docs/topics/opcodes-and-status-codes.md "JSON
Error Codes" (40005, "Request entity too large")."""

import json

import pytest
import responses

from channels.adapters.base import ReplyError
from channels.adapters.discord.client import API
from channels.http import build_session
from channels.tests.images import multipart_parts, outgoing

from .test_discord_adapter import BOT_ACCOUNT, GUILD, POST, adapter, channel, target

pytestmark = pytest.mark.django_db
CDN = "https://cdn.discordapp.com/attachments/1019000000000000500/1019000000000000700/image-1.png"


def attachment(**more):
    return {
        "id": "1019000000000000700",
        "filename": "image-1.png",
        "description": "The settings page",
        "content_type": "image/png",
        "size": 120,
        "url": CDN,
        "proxy_url": CDN.replace("cdn.discordapp.com", "media.discordapp.net"),
        "width": 12,
        "height": 8,
    } | more


def send(made, media):
    return adapter.post_reply(
        channel=made,
        account=BOT_ACCOUNT,
        session=build_session(),
        target=target(POST, POST, POST),
        text="See.",
        media=media,
    )


@responses.activate
def test_the_message_and_its_image_go_as_one_multipart_request_described():
    made = channel()
    posted = responses.post(
        f"{API}/channels/{POST}/messages", json={"id": "1019000000000000600", "attachments": [attachment()]}
    )
    image = outgoing()

    sent = send(made, [image])

    (call,) = posted.calls
    parts = multipart_parts(call.request)
    payload = json.loads(parts["payload_json"][2])
    assert payload["content"] == "See." and payload["allowed_mentions"] == {"parse": ["users"], "replied_user": True}
    assert payload["attachments"] == [{"id": 0, "filename": "image-1.png", "description": "The settings page"}]
    assert parts["files[0]"] == ("image-1.png", "image/png", image.data)
    assert call.request.headers["Authorization"] == "Bot bot-token-1"
    assert sent.media[0].url == CDN and sent.media[0].kind == "image" and sent.media[0].alt == "The settings page"
    assert sent.permalink == f"https://discord.com/channels/{GUILD}/{POST}/1019000000000000600"


@responses.activate
def test_files_too_large_are_refused_with_the_message():
    made = channel()
    responses.post(
        f"{API}/channels/{POST}/messages", status=413, json={"message": "Request entity too large", "code": 40005}
    )

    with pytest.raises(ReplyError, match=r"HTTP 413: Request entity too large"):
        send(made, [outgoing()])
