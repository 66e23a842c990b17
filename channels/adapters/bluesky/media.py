"""A reply's images on Bluesky (docs.bsky.app, "Creating a post", "Images embeds"; the lexicons of
`com.atproto.repo.uploadBlob` and `app.bsky.embed.images`): each image's bytes are POSTed to the account's PDS as
the body of ``com.atproto.repo.uploadBlob`` with its own ``Content-Type``; the answer is ``{"blob": {"$type":
"blob", "ref": {"$link": <cid>}, "mimeType", "size"}}``, and the post's ``embed`` lists the blobs, at most four,
each with its ``alt`` text and ``aspectRatio``. A blob that no record names is deleted by the PDS after a while, so a
refused upload leaves nothing behind; the post is written only after every upload was taken.

Bluesky's answer names no address for an image: our reply lists the one its app view gives an image of a post,
``https://cdn.bsky.app/img/feed_fullsize/plain/<did>/<cid>@jpeg`` (the ``fullsize`` of ``app.bsky.embed.images#view``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.sending import uploading
from channels.http import json_or_none
from channels.http_status import IMAGE_LADDER, Ladder, succeeded

from ..base import Media, OutgoingImage, ReplyError
from .auth import RATE_LIMITED, pds_signed, token_refused, write_refused
from .config import settings_of

if TYPE_CHECKING:
    from channels.models import Account, Channel

UPLOAD = "com.atproto.repo.uploadBlob"
IMAGES = "app.bsky.embed.images"
CDN = "https://cdn.bsky.app/img/feed_fullsize/plain"


def _blob(*, channel: Channel, account: Account, session: requests.Session, image: OutgoingImage) -> dict[str, Any]:
    from channels.accounts.tokens import account_request

    service = settings_of(channel.config)["service_url"]
    with uploading("Bluesky"):
        response, used = account_request(
            session, "POST", "", account=account, label="Bluesky", where="the image", refused=token_refused,
            signed=pds_signed(service, UPLOAD, **{"Content-Type": image.content_type}), data=image.data,
        )  # fmt: skip
    blob = clean.mapping(clean.mapping(json_or_none(response)[0] if succeeded(response) else None).get("blob"))
    if succeeded(response) and clean.ident(clean.mapping(blob.get("ref")).get("$link")):
        return blob
    raise write_refused(
        response, used, UPLOAD_REFUSED, base=IMAGE_LADDER, what="uploaded or posted", user=account.username
    )


# The upload's refusals (a success that names no blob is one too): nothing was posted.
UPLOAD_REFUSED: Ladder = {
    429: RATE_LIMITED,
    **dict.fromkeys(
        ("2xx", "3xx", "4xx", "5xx"), (ReplyError, "{label} refused the image ({said}): nothing was posted.")
    ),
}


def images_embed(
    *, channel: Channel, account: Account, session: requests.Session, images: Sequence[OutgoingImage]
) -> dict[str, Any]:
    """The post's `app.bsky.embed.images`, every image uploaded first."""
    listed = []
    for image in images:
        entry: dict[str, Any] = {
            "alt": image.alt,
            "image": _blob(channel=channel, account=account, session=session, image=image),
        }
        if image.width > 0 and image.height > 0:
            entry["aspectRatio"] = {"width": image.width, "height": image.height}
        listed.append(entry)
    return {"$type": IMAGES, "images": listed}


def media_listed(embed: dict[str, Any], did: str) -> tuple[Media, ...]:
    """Our reply's images as its app view addresses them."""
    found = []
    for entry in clean.objects(embed.get("images")):
        cid = clean.ident(clean.mapping(clean.mapping(entry.get("image")).get("ref")).get("$link"))
        if cid and did:
            found.append(Media(kind="image", url=f"{CDN}/{did}/{cid}@jpeg", alt=clean.text(entry.get("alt"))))
    return tuple(found)
