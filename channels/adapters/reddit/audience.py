"""A Reddit author's karma: `GET /user/<name>/about` with the channel's own OAuth client (its token, User-Agent
and shared per-minute budget: channels.adapters.reddit.client), `data.link_karma + data.comment_karma`. Listings
carry no karma, so people.karma asks after a poll, within its budget, for the authors whose figure is unknown or
a week old."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import requests

from channels import clean

from ..base import AuthError, PermanentError
from .auth import credentials_of, user_agent
from .client import Client
from .config import settings_of

if TYPE_CHECKING:
    from channels.models import Channel

_USERNAME = re.compile(r"[A-Za-z0-9_-]{1,20}")


def karma_of(*, channel: Channel, session: requests.Session, handle: str) -> int | None:
    """Link plus comment karma, or None when the account is gone (404, suspended: `is_suspended` and no
    karma) or the answer has no usable figure."""
    name = handle.strip().removeprefix("@").removeprefix("u/")
    if not _USERNAME.fullmatch(name):
        return None
    credentials = credentials_of(channel)
    client = Client(session, credentials, settings_of(channel.config), user_agent(channel, credentials))
    try:
        about = client.get(f"/user/{name}/about")
    except AuthError:  # the channel's credentials: the poll reports those, this author is not to blame
        raise
    except PermanentError:  # 404 (deleted) or 403 (suspended, shadow-banned): nobody to weigh
        return None
    data = clean.mapping(clean.mapping(about).get("data"))
    link, comment = clean.whole(data.get("link_karma")), clean.whole(data.get("comment_karma"))
    if link is None and comment is None:
        return None
    return max(0, (link or 0) + (comment or 0))
