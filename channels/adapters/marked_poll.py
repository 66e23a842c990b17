"""One poll of streams that are each a `MarkedWalk` (Bluesky, Reddit): what the two adapters' polls do the same
way, around what each reads of its own pages and items. `marked_states` moved to channels.adapters.poll.walks."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .base import FetchResult
from .guard import Parsed
from .poll.walks import marked_states as marked_states
from .polling import K, MarkedWalk, Walked, marked_streams_walked, seen_pruned, streams_result

if TYPE_CHECKING:
    from channels.models import Channel


class _Counting(Protocol):
    """A platform's client as a poll of `MarkedWalk`s reads it: the requests it made, and what it says of its
    platform's limits."""

    @property
    def requests_made(self) -> int: ...

    @property
    def not_before(self) -> datetime | None: ...

    def status(self) -> dict[str, Any]: ...


class _Listed(Protocol):
    """What walking one stream found: the stream's state after it, and how many items its pages listed."""

    @property
    def state(self) -> dict[str, Any]: ...

    @property
    def listed(self) -> int: ...


L = TypeVar("L", bound=_Listed)


@dataclass
class MarkedPoll:
    """One poll whose streams are each a `MarkedWalk` (Bluesky, Reddit), read by a client that counts its requests
    against the config's `max_requests_per_poll`: the streams walked (`walked`), then the poll's one result, with
    the streams' states and the items still to be recognised in its cursor (`result`)."""

    platform: str
    channel: Channel
    client: _Counting
    config: dict[str, Any]
    mark_key: str  # the key of a stream's mark in its state
    max_pages: int  # pages a stream reads at the most in one poll
    now: float = field(default_factory=time.time)

    def can_call(self) -> bool:
        return self.client.requests_made < int(self.config["max_requests_per_poll"])

    def marked(self, state: dict[str, Any]) -> MarkedWalk:
        """A stream's walk from its `state`, within the poll's budget."""
        return MarkedWalk(
            state,
            mark_key=self.mark_key,
            now=self.now,
            config=self.config,
            max_pages=self.max_pages,
            can_call=self.can_call,
        )

    def walked(
        self, streams: Sequence[K], stored: dict[str, dict[str, Any]], walk: Callable[[K, MarkedWalk], L]
    ) -> tuple[Walked[K, L], dict[str, dict[str, Any]]]:
        """`marked_streams_walked`, each stream read by `walk` through its own `MarkedWalk`."""

        def one(stream: K, state: dict[str, Any]) -> L:
            return walk(stream, self.marked(state))

        return marked_streams_walked(streams, stored, one, can_call=self.can_call)

    def result(
        self,
        parsed: Parsed,
        walked: Walked[Any, L],
        states: dict[str, dict[str, Any]],
        seen: dict[str, Any],
        *,
        limit: int,
    ) -> FetchResult:
        """`streams_result` with the cursor after the poll: the streams' states and `seen` (`seen_pruned`)."""
        overlap = int(self.config["overlap_seconds"])
        kept = seen_pruned(seen, states, mark_key=self.mark_key, overlap=overlap, limit=limit)
        client, cursor = self.client, {"streams": states, "seen": kept}
        reads = sum(found.listed for _s, found in walked.found)
        return streams_result(
            self.platform,
            self.channel,
            parsed,
            walked,
            cursor=cursor,
            requests_made=client.requests_made,
            reads=reads,
            not_before=client.not_before,
            status=client.status(),
        )
