"""A reply's images on a Discourse forum, uploaded before the post that shows them (docs.discourse.org, "Creates an
upload"): ``POST /uploads.json`` as ``multipart/form-data`` with ``type`` ``composer``, ``synchronous`` true and
the ``file`` answers the upload (``id``, ``url``, ``short_url`` ``upload://<sha1>.<ext>``, ``width``, ``height``,
...). The post's ``raw`` then shows each with the markdown the composer writes, ``![alt|WxH](upload://...)``.
Discourse's refusals are the usual ``{"errors": [...]}`` (422: an extension or size the forum does not take); an
upload no post names is removed by the forum's clean-up, so a refused one leaves nothing posted."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.sending import json_of, uploading
from channels.http_status import IMAGE_LADDER, refusal, succeeded

from ..base import Media, OutgoingImage

if TYPE_CHECKING:
    from channels.models import Account

# What would end the markdown's alt text early or split it: brackets, the size's bar, a backslash, line breaks.
ALT_UNSAFE = re.compile(r"[\[\]|\\\r\n]+")


def markdown_alt(alt: str) -> str:
    return " ".join(ALT_UNSAFE.sub(" ", alt).split())


Signer = Callable[[dict[str, Any]], dict[str, Any]]


def uploaded(
    *,
    account: Account,
    session: requests.Session,
    base: str,
    images: Sequence[OutgoingImage],
    signed: Signer,
    refused: Callable[[requests.Response], bool],
    errors_of: Callable[[Any], str],
) -> tuple[list[str], tuple[Media, ...]]:
    """Each image uploaded as `account`: the markdown that shows it in the post, and its address on the forum."""
    shown: list[str] = []
    media: list[Media] = []
    for image in images:
        answer = _upload(account, session, base, image, signed, refused, errors_of)
        width, height = clean.whole(answer.get("width")), clean.whole(answer.get("height"))
        size = f"|{width}x{height}" if width and height else ""
        shown.append(f"![{markdown_alt(image.alt)}{size}]({clean.line(answer.get('short_url'))})")
        address = clean.line(answer.get("url"))
        if address.startswith("//"):  # a forum whose uploads are on a CDN answers without the scheme
            address = "https:" + address
        elif address.startswith("/"):
            address = base + address
        media.append(Media(kind="image", url=address, alt=image.alt))
    return shown, tuple(media)


def _upload(
    account: Account,
    session: requests.Session,
    base: str,
    image: OutgoingImage,
    signed: Signer,
    refused: Callable[[requests.Response], bool],
    errors_of: Callable[[Any], str],
) -> dict[str, Any]:
    from channels.accounts.tokens import account_request

    with uploading("Discourse"):
        response, used = account_request(
            session, "POST", f"{base}/uploads.json", account=account, label="Discourse", where="the image",
            headers={"Accept": "application/json"}, data={"type": "composer", "synchronous": "true"},
            files={"file": (image.filename, image.data, image.content_type)}, signed=signed, refused=refused,
        )  # fmt: skip
    answer = clean.mapping(json_of(response))
    if not succeeded(response) or not clean.line(answer.get("short_url")).startswith("upload://"):
        said = errors_of(answer) or f"HTTP {response.status_code}"
        raise refusal(response, "Discourse", IMAGE_LADDER, said=said, secret=used)
    return answer
