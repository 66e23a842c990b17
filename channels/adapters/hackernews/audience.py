"""A Hacker News author's karma: the official API's user item (`GET /v0/user/<id>.json` on Firebase, public,
no key). Algolia's hits carry no karma, so people.karma asks after a poll, within its budget, for the authors
whose figure is unknown or a week old."""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from channels import clean
from channels.http import get_json

if TYPE_CHECKING:
    from channels.models import Channel

USER_URL = "https://hacker-news.firebaseio.com/v0/user/{id}.json"
# Hacker News usernames: 2-15 letters, digits, - and _ (case matters to the API).
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def karma_of(*, channel: Channel, session: requests.Session, handle: str) -> int | None:
    """The user's karma, or None when there is no such user (the API answers `null`) or no usable figure.
    Transport and HTTP failures raise the adapters' errors (channels.http.get_json)."""
    name = handle.strip().removeprefix("@")
    if not name or len(name) > 40 or not set(name) <= _NAME_CHARS:
        return None
    data = get_json(session, USER_URL.format(id=name))
    return clean.whole(clean.mapping(data).get("karma"), minimum=0)
