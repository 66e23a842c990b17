"""A reply's images on a GitLab issue, uploaded to the project before the note that shows them (docs.gitlab.com,
"Project markdown uploads", "Upload a file"): ``POST /projects/:id/uploads`` as ``multipart/form-data`` with the
``file`` answers ``{"id", "alt", "url": "/uploads/<secret>/<name>", "full_path": "/-/project/<id>/uploads/...",
"markdown"}``. The note shows each image as ``![alt](url)``, with the advocate's description rather than the file's
name GitLab puts in its own markdown. Refusals are ``{"message": ...}`` (413 or 400 over the instance's attachment
limit); a refused upload posts nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.accounts.sending import json_of, reply_request, uploading
from channels.http_status import IMAGE_LADDER, refusal, succeeded

from ..base import Media, OutgoingImage
from .client import error_text

if TYPE_CHECKING:
    from channels.models import Account

ALT_UNSAFE = re.compile(r"[\[\]\\\r\n]+")
UPLOAD_PATH = re.compile(r"\A/uploads/[0-9a-f]{16,64}/[^\s()]{1,255}\Z")


def uploaded(
    *,
    account: Account,
    session: requests.Session,
    api: str,
    web: str,
    project_id: int,
    images: Sequence[OutgoingImage],
    headers_of: Callable[[dict[str, Any]], dict[str, str]],
) -> tuple[list[str], tuple[Media, ...]]:
    """Each image uploaded to the project as `account`: its markdown for the note, and its address (`web`: the
    instance's address, before a `full_path`)."""
    shown: list[str] = []
    media: list[Media] = []
    for image in images:
        answer = _upload(account, session, f"{api}/projects/{project_id}/uploads", image, headers_of)
        url = clean.line(answer.get("url"))
        alt = " ".join(ALT_UNSAFE.sub(" ", image.alt).split())
        shown.append(f"![{alt}]({url})")
        full = clean.line(answer.get("full_path"))
        media.append(Media(kind="image", url=web + full if full.startswith("/") else "", alt=image.alt))
    return shown, tuple(media)


def _upload(
    account: Account,
    session: requests.Session,
    url: str,
    image: OutgoingImage,
    headers_of: Callable[[dict[str, Any]], dict[str, str]],
) -> dict[str, Any]:
    from channels.accounts.tokens import with_account_token

    used: list[str] = []

    def call(tokens: dict[str, Any]) -> requests.Response:
        used.append(tokens["access_token"])
        return reply_request(
            session, "POST", url, label="GitLab", where="the image",
            headers={**headers_of(tokens), "Accept": "application/json"},
            files={"file": (image.filename, image.data, image.content_type)}, allow_redirects=False,
        )  # fmt: skip

    with uploading("GitLab"):
        response = with_account_token(account=account, session=session, call=call)
    answer = clean.mapping(json_of(response))
    if not succeeded(response) or not UPLOAD_PATH.match(clean.line(answer.get("url"))):
        said = error_text(answer) or f"HTTP {response.status_code}"
        raise refusal(response, "GitLab", IMAGE_LADDER, said=said, secret=used)
    return answer
