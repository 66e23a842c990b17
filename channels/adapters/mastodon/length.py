"""How long a post may be on the channel's instance, and how Mastodon counts a post's length.

The limit is the instance's own (``GET /api/v2/instance``: ``configuration.statuses.max_characters``, 500 on a
default install, and ``characters_reserved_per_url``, 23), read once a day per instance and kept in the cache;
when the instance cannot be asked, Mastodon's defaults apply (and are asked again after `RETRY_SECONDS`).

The count is Mastodon's (``StatusLengthValidator``): every link with its ``http://`` or ``https://`` counts as
`characters_reserved_per_url` characters whatever its length (links found as twitter-text finds them, which
Mastodon's validator uses), and a mention of another server's account counts as its local part only
(``@alice@example.social`` counts as ``@alice``). Mastodon counts grapheme clusters where this counts code
points: an emoji made of several code points counts more here, so the desk may refuse a post the instance would
take, never the other way round.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import requests
from django.conf import settings
from django.core.cache import cache

from channels import clean
from channels.http_status import succeeded

from .platform import PLATFORM

DEFAULT_MAX_CHARACTERS = PLATFORM.reply_rule.most  # Mastodon's default; an instance says its own
DEFAULT_URL_WEIGHT = 23
CACHE_SECONDS = 24 * 3600
RETRY_SECONDS = 600
# A mention of an account on another server: the part after the second "@" is not counted.
_REMOTE_MENTION = re.compile(r"(?<![\w/=@])(@[A-Za-z0-9_][A-Za-z0-9_.-]*)@[\w.-]+\w")


@dataclass(frozen=True)
class Limits:
    max_characters: int = DEFAULT_MAX_CHARACTERS
    url_weight: int = DEFAULT_URL_WEIGHT


def status_length(text: str, *, url_weight: int = DEFAULT_URL_WEIGHT) -> int:
    """`text`'s length as Mastodon counts it (module docstring)."""
    from twitter_text import extract_urls_with_indices  # here: see TwitterAdapter.reply_length (issue 58)

    length, position = 0, 0
    for found in extract_urls_with_indices(text, extract_urls_without_protocol=False):
        start, end = found["indices"]
        length += len(_REMOTE_MENTION.sub(r"\1", text[position:start])) + url_weight
        position = end
    return length + len(_REMOTE_MENTION.sub(r"\1", text[position:]))


def instance_limits(session: requests.Session, base_url: str) -> Limits:
    """The instance's limits, from the cache or asked once (module docstring). Never raises."""
    key = f"mastodon:instance-limits:{base_url}"
    cached = cache.get(key)
    if isinstance(cached, dict):
        return Limits(**cached)
    try:
        response = session.get(
            f"{base_url}/api/v2/instance", timeout=settings.DESK_HTTP_TIMEOUT_SECONDS, allow_redirects=False
        )
        answer = response.json() if succeeded(response) else None
    except (requests.RequestException, ValueError, RecursionError):
        answer = None
    limits = limits_of(answer)
    # An instance that answered keeps its figures for a day; one that could not be asked is asked again soon.
    said = isinstance(answer, dict) and "configuration" in answer
    cache.set(key, asdict(limits), timeout=CACHE_SECONDS if said else RETRY_SECONDS)
    return limits


def limits_of(instance: Any) -> Limits:
    """``configuration.statuses`` of an instance (entities/Instance); Mastodon's defaults for what it lacks."""
    statuses = clean.mapping(clean.mapping(clean.mapping(instance).get("configuration")).get("statuses"))
    most = clean.whole(statuses.get("max_characters"), minimum=1, maximum=1_000_000)
    per_url = clean.whole(statuses.get("characters_reserved_per_url"), minimum=0, maximum=10_000)
    return Limits(
        max_characters=most if most is not None else DEFAULT_MAX_CHARACTERS,
        url_weight=per_url if per_url is not None else DEFAULT_URL_WEIGHT,
    )
