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
from typing import Any

from channels import clean

from ..poll.stored import Reading, Stored, kept, keyed, text
from .parse import sort_key

SEEN_KEPT = 500
_ID_RE = re.compile(r"[0-9A-Za-z]{1,40}")


def usable_id(value: Any) -> str:
    """An id the desk may send back to the instance as a query value, else ""."""
    found = clean.ident(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    return found if _ID_RE.fullmatch(found) else ""


def _seen(raw: Any) -> list[str]:
    return sorted({i for i in (usable_id(v) for v in clean.items(raw)) if i}, key=sort_key)[-SEEN_KEPT:]


def _account(raw: Any) -> dict[str, str]:
    account = clean.mapping(raw)
    known = {"id": usable_id(account.get("id")), "token": clean.ident(account.get("token"), max_length=64)}
    return known if all(known.values()) else {}


class Cursor(Stored):
    VERSION = 1
    base_url: str = kept(text())
    streams: dict[str, str] = kept(  # stream key -> min_id
        keyed(
            Reading(lambda state: usable_id(clean.mapping(state).get("min_id")) or None, lambda mark: {"min_id": mark}),
            key=lambda key: clean.line(str(key), max_length=300),
        ),
        default_factory=dict,
    )
    seen: list[str] = kept(Reading(_seen), default_factory=list)  # newest last
    # The token's account (its id on the instance) and a digest of the token it was asked with: another token
    # asks again.
    account: dict[str, str] = kept(Reading(_account), default_factory=dict, optional=True)

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
    def read_back(cls, raw: Any, *, base_url: str) -> Cursor:
        stored = cls.cleaned(raw)
        return cls(**stored) if stored.get("base_url") == base_url else cls(base_url)
