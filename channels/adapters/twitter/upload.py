"""A reply's images on X, uploaded before the post that carries them (docs.x.com, "Media upload" and "Create media
metadata"): ``POST /2/media/upload`` as ``multipart/form-data`` with the raw bytes as ``media`` and
``media_category`` ``tweet_image`` answers ``{"data": {"id", "media_key", "size", "expires_after_secs"}}``; the
alt text is then given by ``POST /2/media/metadata`` (``{"id", "metadata": {"alt_text": {"text"}}}``, 1,000
characters at most); the post names the ids in ``media.media_ids``. Both need the account's ``media.write``
scope: an account connected before the desk asked for it is refused (403) until it is connected again. A refused
upload or description posts nothing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import requests

from channels.accounts.sending import uploading
from channels.http import json_or_none
from channels.http_status import IMAGE_LADDER, Ladder, refusal, succeeded

from ..base import OutgoingImage, ReplyError
from .client import API_ROOT, platform_error
from .ids import as_id

if TYPE_CHECKING:
    from channels.models import Account

UPLOAD_URL = API_ROOT + "/media/upload"
METADATA_URL = API_ROOT + "/media/metadata"
ALT_MAX = 1000


IMAGE_REFUSED: Ladder = {
    **IMAGE_LADDER,
    403: (
        ReplyError,
        "X refused the image (403): {said} (the account may need connecting again to allow media uploads); "
        "nothing was posted.",
    ),
}


def _as_account(account: Account, session: requests.Session, url: str, **options: Any) -> requests.Response:
    from channels.accounts.tokens import account_request

    with uploading("X"):
        response, used = account_request(session, "POST", url, account=account, label="X", where="the image", **options)
    if not succeeded(response):
        raise refusal(response, "X", IMAGE_REFUSED, said=platform_error(response), secret=used)
    return response


def uploaded(*, account: Account, session: requests.Session, images: Sequence[OutgoingImage]) -> list[str]:
    """The media ids of `images`, each uploaded and described as `account`; ReplyError on the first refused."""
    ids: list[str] = []
    for image in images:
        response = _as_account(
            account, session, UPLOAD_URL,
            data={"media_category": "tweet_image", "media_type": image.content_type},
            files={"media": (image.filename, image.data, image.content_type)},
        )  # fmt: skip
        body, _ = json_or_none(response)
        data = body.get("data") if isinstance(body, dict) else None
        media_id = as_id(data.get("id")) if isinstance(data, dict) else None
        if media_id is None:
            raise ReplyError("X took the image but named no media id: nothing was posted.")
        _as_account(
            account,
            session,
            METADATA_URL,
            json={"id": media_id, "metadata": {"alt_text": {"text": image.alt[:ALT_MAX]}}},
        )
        ids.append(media_id)
    return ids
