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
from channels.accounts.sending import json_of, uploading
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
    signed: Callable[[dict[str, Any]], dict[str, Any]],
) -> tuple[list[str], tuple[Media, ...]]:
    """Each image uploaded to the project as `account`: its markdown for the note, and its address (`web`: the
    instance's address, before a `full_path`)."""
    shown: list[str] = []
    media: list[Media] = []
    for image in images:
        answer = _upload(account, session, f"{api}/projects/{project_id}/uploads", image, signed)
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
    signed: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    from channels.accounts.tokens import account_request

    with uploading("GitLab"):
        response, used = account_request(
            session, "POST", url, account=account, label="GitLab", where="the image", signed=signed,
            files={"file": (image.filename, image.data, image.content_type)}, allow_redirects=False,
        )  # fmt: skip
    answer = clean.mapping(json_of(response))
    if not succeeded(response) or not UPLOAD_PATH.match(clean.line(answer.get("url"))):
        said = error_text(answer) or f"HTTP {response.status_code}"
        raise refusal(response, "GitLab", IMAGE_LADDER, said=said, secret=used)
    return answer
