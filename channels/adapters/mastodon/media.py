"""A reply's images on Mastodon, uploaded before the status that carries them (docs.joinmastodon.org, methods/media,
"Upload media as an attachment (async)"): ``POST /api/v2/media`` with ``file`` and ``description`` (the alt text)
answers 200 with the MediaAttachment, or 202 while the instance is still processing it (its ``url`` null): the
desk then asks ``GET /api/v1/media/:id`` a few times before it posts. The status names them in ``media_ids[]``.
An upload refused (422: a type or size the instance will not take) posts nothing."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import requests

from channels import clean
from channels.accounts.sending import uploading
from channels.http_status import answered, succeeded

from ..base import OutgoingImage, ReplyError
from .reply import account_call, refusal

if TYPE_CHECKING:
    from channels.models import Account

PROCESSING_CHECKS = 3
PROCESSING_WAIT_SECONDS = 1.0


def uploaded(*, account: Account, session: requests.Session, base: str, images: Sequence[OutgoingImage]) -> list[str]:
    """The media ids of `images`, uploaded in order as `account`; ReplyError in words on the first refused."""
    ids: list[str] = []
    where = f"{account.username}'s media"
    for image in images:
        with uploading("Mastodon"):
            response, answer, used = account_call(
                account=account, session=session, method="POST", url=f"{base}/api/v2/media", where=where,
                files={"file": (image.filename, image.data, image.content_type)}, data={"description": image.alt},
            )  # fmt: skip
        if not succeeded(response):
            what = "the reply (its image was refused)"
            raise refusal(response, answer, what=what, gone="the instance has no media upload", used=used)
        media = clean.mapping(answer)
        media_id = clean.ident(media.get("id"))
        if not media_id:
            raise ReplyError("Mastodon took the image but named no attachment: the reply was not posted.")
        if answered(response, 202) or not media.get("url"):  # 202: still processing
            _processed(account=account, session=session, base=base, media_id=media_id)
        ids.append(media_id)
    return ids


def _processed(*, account: Account, session: requests.Session, base: str, media_id: str) -> None:
    """Wait, a few seconds at most, for an attachment the instance is still processing (202)."""
    for _ in range(PROCESSING_CHECKS):
        time.sleep(PROCESSING_WAIT_SECONDS)
        with uploading("Mastodon"):
            response, answer, _used = account_call(
                account=account, session=session, method="GET", url=f"{base}/api/v1/media/{media_id}",
                where="the image",
            )  # fmt: skip
        if succeeded(response) and clean.mapping(answer).get("url"):
            return
    raise ReplyError("Mastodon is still processing the image: the reply was not posted; send it again in a moment.")
