"""What a Mastodon channel remembers between polls (`Channel.cursor`)::

    {"version": 1, "base_url": "https://mastodon.social",
     "streams": {"mentions": {"min_id": "34975861"}, "tag:gitlab": {"min_id": "117020593741189701"},
                 "search:gitlab runner": {"min_id": "117020580518794573"}},
     "seen": ["117020593741189701", ...],
     "account": {"id": "109...", "token": "<digest of the token>"}}

Each stream keeps ``min_id``: the newest id it handed over (a notification's id for the mentions, a status's for
the others), which the next poll asks after (``min_id`` pages forward from it, oldest page first). ``seen`` keeps
the newest `SEEN_KEPT` status ids handed over by any stream, so a status found by two streams (a mention that
carries our hashtag) is handed over once. ``account`` is the token's own account (for the stream of its
replies), asked once per token. Another ``base_url`` starts again (ids are the instance's own); a damaged part
starts that part again (the ingest drops what it already has)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from channels import clean

from .parse import sort_key

SEEN_KEPT = 500
_ID_RE = re.compile(r"[0-9A-Za-z]{1,40}")


def usable_id(value: Any) -> str:
    """An id the desk may send back to the instance as a query value, else ""."""
    found = clean.ident(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return found if _ID_RE.fullmatch(found) else ""


@dataclass
class Cursor:
    base_url: str
    streams: dict[str, str] = field(default_factory=dict)  # stream key -> min_id
    seen: list[str] = field(default_factory=list)  # newest last
    # The token's account (its id on the instance) and a digest of the token it was asked with: another token
    # asks again.
    account: dict[str, str] = field(default_factory=dict)

    def account_of(self, token_digest: str) -> str:
        return self.account.get("id", "") if self.account.get("token") == token_digest else ""

    def mark(self, key: str) -> str:
        return self.streams.get(key, "")

    def advance(self, key: str, newest: str) -> None:
        """The stream handed over everything up to `newest`: never moves back."""
        if newest and (not self.mark(key) or sort_key(newest) > sort_key(self.mark(key))):
            self.streams[key] = newest

    def handed_over(self, status_ids: list[str]) -> None:
        known = set(self.seen)
        self.seen.extend(i for i in status_ids if i and i not in known)
        self.seen = sorted(set(self.seen), key=sort_key)[-SEEN_KEPT:]

    @classmethod
    def load(cls, raw: Any, *, base_url: str) -> Cursor:
        raw = clean.mapping(raw)
        if raw.get("base_url") != base_url:
            return cls(base_url)
        streams = {
            clean.line(str(key), max_length=300): mark
            for key, value in clean.mapping(raw.get("streams")).items()
            if (mark := usable_id(clean.mapping(value).get("min_id")))
        }
        seen = [i for i in (usable_id(v) for v in clean.items(raw.get("seen"))) if i]
        account = clean.mapping(raw.get("account"))
        known = {"id": usable_id(account.get("id")), "token": clean.ident(account.get("token"), max_length=64)}
        return cls(
            base_url, streams, sorted(set(seen), key=sort_key)[-SEEN_KEPT:], known if all(known.values()) else {}
        )

    def dump(self) -> dict[str, Any]:
        return {
            "version": 1,
            "base_url": self.base_url,
            "streams": {key: {"min_id": mark} for key, mark in self.streams.items()},
            "seen": list(self.seen),
            **({"account": dict(self.account)} if self.account else {}),
        }
