"""The webhook channel: anything that can POST signed JSON (Zapier relays, social-listening
alerts, a Facebook page relay). Push only: `POST /hooks/<channel-slug>/` (channels.views).

One mention per request, this shape:

    {"id": "fb-123",                          required, the sender's id: re-sending is harmless
     "url": "https://facebook.com/…",         required, http(s) link to the original
     "author": {"name": "Dana", "handle": "dana", "url": "https://…"}   or just "Dana"
     "text": "Does GitLab support …?",        required
     "created_at": "2026-11-21T10:00:00Z",    required, ISO 8601 with a zone
     "parent_id": "fb-100",                   optional: joins that mention's ticket
     "title": "…"}                            optional

Signed with the channel's secret: header `X-Desk-Timestamp: <unix seconds>` and
`X-Desk-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import requests

from channels import clean
from channels.text import safe_url

from ..adapter import Adapter
from ..base import ConfigError, IncomingMention, PayloadError
from ..guard import Parsed, item_mentions, parse_each
from ..schema import Credential, KindSchema, Setting

if TYPE_CHECKING:
    from channels.models import Channel

SCHEMA = KindSchema(
    settings=(
        Setting(
            "max_age_seconds",
            "Maximum age (seconds)",
            "int",
            "Requests signed longer ago than this are refused (replay protection)",
            default=300,
            limits=(30, 300),
        ),
    ),
    credentials=(
        Credential("secret", "Signing secret", "The shared secret senders sign each request with (HMAC-SHA256)"),
    ),
)
REQUIRED = ("id", "url", "author", "text", "created_at")
MAX_ID_LENGTH = 200


class WebhookAdapter(Adapter):
    kind = "webhook"
    schema = SCHEMA

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(config, dict):
            raise ConfigError("Config must be a JSON object ({} is fine for a webhook).")
        unknown = set(config) - {"max_age_seconds"}
        if unknown:
            raise ConfigError(f"Unknown webhook setting(s): {', '.join(sorted(unknown))}.")
        age = config.get("max_age_seconds", 300)
        if not isinstance(age, int) or not 30 <= age <= 300:
            raise ConfigError('"max_age_seconds" must be a whole number from 30 to 300.')
        return config

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        secret = "set" if channel.credentials.get("secret") else "NOT set: every request will be refused"
        return f"Push only: senders POST to /hooks/{channel.slug}/ (secret {secret})."

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        if isinstance(payload, list):
            return [m for item in payload for m in self.parse_payload(item)]
        return [mention_read(payload)]

    def parse_page(self, payload: Any) -> Parsed:
        """A saved body, or a list of them (`ingest_payload`, a dead letter read again): item by item, so an
        item that is not the documented shape is kept as a dead letter and the others are stored."""
        if not isinstance(payload, dict | list):
            raise PayloadError("the body must be a JSON object (or a list of them)")
        items = payload if isinstance(payload, list) else [payload]
        return parse_each(items, mention_from_json, id_keys=("id",), platform="webhook")


def mention_read(data: Any) -> IncomingMention:
    """One POSTed body as a cleaned mention (the boundary, `guard.item_mentions`), or a PayloadError that
    names the field, or `clean.Unstorable`."""
    return item_mentions(data, mention_from_json)[0]


def mention_from_json(data: Any) -> IncomingMention:
    """The documented shape, or a PayloadError that names the field. Values are checked, not cleaned: that
    is `clean.mention_clean`'s, once."""
    if not isinstance(data, dict):
        raise PayloadError("the body must be a JSON object")
    for name in REQUIRED:
        if data.get(name) in (None, "", {}):
            raise PayloadError(f"missing field: {name}")
    external_id = data["id"]
    if not isinstance(external_id, (str, int)) or len(str(external_id)) > MAX_ID_LENGTH:
        raise PayloadError(f"field id: a string of at most {MAX_ID_LENGTH} characters")
    url = data["url"]
    if not isinstance(url, str) or not safe_url(url):
        raise PayloadError("field url: must be an http(s) URL")
    if not isinstance(data["text"], str):
        raise PayloadError("field text: must be a string")
    author = data["author"]
    if isinstance(author, str):
        author = {"name": author}
    if not isinstance(author, dict) or not (author.get("name") or author.get("handle")):
        raise PayloadError('field author: a name, or an object with "name" and/or "handle"')
    created = data["created_at"]
    try:
        created_at = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        raise PayloadError("field created_at: not an ISO 8601 time, e.g. 2026-11-21T10:00:00Z") from None
    if created_at.tzinfo is None:
        raise PayloadError("field created_at: needs a time zone, e.g. 2026-11-21T10:00:00Z")
    # A time that parses may still be no mention's: year 1 an hour east of UTC is before datetime's year 1 in
    # UTC (converting it overflows), and a date before the platforms or after tomorrow is a sender's bug.
    if clean.in_range(created_at) is None:
        raise PayloadError(
            f"field created_at: {str(created)[:40]} is outside the range a mention can have "
            f"({clean.EARLIEST.year} to a day from now)"
        )
    parent = data.get("parent_id")
    if parent is not None and not isinstance(parent, (str, int)):
        raise PayloadError("field parent_id: a string")
    title = data.get("title") or ""
    if not isinstance(title, str):
        raise PayloadError("field title: a string")
    return IncomingMention(
        external_id=str(external_id),
        created_at=created_at.astimezone(UTC),
        text=data["text"],
        title=title,
        author_handle=str(author.get("handle") or ""),
        author_name=str(author.get("name") or author.get("handle") or ""),
        author_url=str(author.get("url") or ""),
        permalink=url,
        parent_id=str(parent) if parent not in (None, "") else "",
        raw=data,
    )
