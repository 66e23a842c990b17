"""The base of every polled adapter: its config and thread modules taken once, and its poll written once
(`fetch_chunks`, channels.adapters.poll.engine). An adapter declares what is its own: the poll's `client`, its
`cursor_type` (and how it is read, `cursor`), the `streams` a poll walks, how it hands them over (`hand_over`: each
page, or the poll whole), and, where it has them, its items' parser (`parse_items`), what it notes once items are
handed over (`handed_over`), its figures (`status`), its own wait (`not_before`), a backlog only it
knows (`backlog`), a closing chunk it always owes (`closes`) and what that chunk carries (`front_page_ids`), and what
fails the poll once its chunks are handed over (`failure`).

    class DevtoAdapter(PolledAdapter, config=config):
        kind = "devto"
        cursor_type = Cursor

        def client(self, channel, session, config): return Client(session, budget=...)
        def streams(self, poll): return [comment_pages(poll.client, poll.cursor, a) for a in ...]

E-mail keeps its own `fetch_chunks` (channels.adapters.email says why); the contract test (channels/tests/
test_adapter_contract.py) fails on any other."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import requests

from ..adapter import Adapter
from ..base import FetchResult, IncomingMention, PayloadError, chunks_merged
from ..guard import Parsed
from .engine import Page, Poll, PollClient, polled

if TYPE_CHECKING:
    from channels.models import Channel


class PolledAdapter(Adapter):
    """The methods every polled adapter shares. A subclass sets `kind`, names its package's config module (and its
    thread module, where it reads watched threads) in its class line: `class GitLabAdapter(PolledAdapter,
    config=config, thread=thread)`, and declares its poll (the module's docstring)."""

    config_rules: Callable[[dict[str, Any]], dict[str, Any]]
    config_defaults: dict[str, Any] = {}  # read only
    # "page": each page stored before the next is read; "poll": the whole poll as one chunk (engine's docstring).
    hand_over: ClassVar[Literal["page", "poll"]] = "page"
    cursor_type: ClassVar[Any] = None  # what the channel remembers between polls: `load(raw)` and `dump()`

    def __init_subclass__(cls, *, config: ModuleType | None = None, thread: ModuleType | None = None) -> None:
        """Every package's config module declares the same three names (`SCHEMA`, `validate_config`, `DEFAULTS`)
        and its thread module the same two (`thread_ref`, `fetch_thread`): taken here, once, instead of five
        lines in each adapter's class."""
        super().__init_subclass__()
        if config is not None:
            cls.schema = config.SCHEMA
            cls.config_rules = staticmethod(config.validate_config)
            cls.config_defaults = config.DEFAULTS
        if thread is not None:
            cls.thread_ref = staticmethod(thread.thread_ref)
            cls.fetch_thread = staticmethod(thread.fetch_thread)

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        return type(self).config_rules(config)

    def settings_of(self, config: dict[str, Any]) -> dict[str, Any]:
        """The validated config with every default filled in."""
        return {**self.config_defaults, **self.validate_config(config)}

    # --- the poll -------------------------------------------------------------------------------------------------

    def fetch_chunks(self, *, channel: Channel, session: requests.Session) -> Iterator[FetchResult]:
        """The poll, walked by the engine (channels.adapters.poll.engine) over what the adapter declares."""
        config = self.settings_of(channel.config)
        now = time.time()
        client = self.client(channel, session, config)
        poll = Poll(channel, config, client, self.cursor(channel, config, client, now), now)
        return polled(self, poll)

    def fetch(self, *, channel: Channel, session: requests.Session) -> FetchResult:
        """Every chunk of one poll as one result (for a caller that stores a poll in one transaction)."""
        return chunks_merged(list(self.fetch_chunks(channel=channel, session=session)))

    def client(self, channel: Channel, session: requests.Session, config: dict[str, Any]) -> PollClient:
        """The poll's client: the platform's calls, counted against the poll's budget."""
        raise NotImplementedError

    def cursor(self, channel: Channel, config: dict[str, Any], client: Any, now: float) -> Any:
        """What the channel remembered, read back (by default `cursor_type.load(channel.cursor)`)."""
        return type(self).cursor_type.load(channel.cursor)

    def streams(self, poll: Poll[Any, Any]) -> Iterable[Iterator[Page]]:
        """The poll's streams in the order they are walked, each taken when it is reached."""
        raise NotImplementedError

    def parse_items(self, poll: Poll[Any, Any], items: list[Any]) -> Parsed:
        """The raw items the streams handed over (`Page.items`), parsed together."""
        return self.parse_page(items)

    def item_key(self, mention: IncomingMention) -> str:
        """What makes two items of a poll handed over whole the same one (the first found is kept)."""
        return mention.external_id

    def handed_over(self, poll: Poll[Any, Any], parsed: Parsed) -> None:
        """Note in the cursor what a poll handed over whole hands over (the ids a later poll must not hand again)."""

    def cursor_dump(self, poll: Poll[Any, Any]) -> dict[str, Any]:
        """The cursor as the channel keeps it, after what was handed over."""
        dumped: dict[str, Any] = poll.cursor.dump()
        return dumped

    def status(self, poll: Poll[Any, Any]) -> dict[str, Any]:
        """The platform's own figures for admin (rate limits, quota), beside the poll's."""
        return {}

    def not_before(self, poll: Poll[Any, Any]) -> datetime | None:
        """A wait the platform asked for that no 429 said (its limit's reset)."""
        return None

    def backlog(self, poll: Poll[Any, Any]) -> bool:
        """A backlog left that no stream's page says (a gap kept in the cursor)."""
        return False

    def closes(self, poll: Poll[Any, Any]) -> bool:
        """Whether the poll always ends with a closing chunk (Hacker News's front page, asked after the walk)."""
        return False

    def front_page_ids(self, poll: Poll[Any, Any]) -> frozenset[str] | None:
        """Hacker News: the stories on the front page now, asked once the walk is over, for the closing chunk."""
        return None

    def failure(self, poll: Poll[Any, Any]) -> Exception | None:
        """What fails the poll once its chunks are handed over (their cursor stored): a feed channel none of whose
        feeds could be read."""
        return None

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        """The readable items of a page; a page in which no item at all can be read is refused with the reason
        (`manage.py ingest_payload` says so instead of storing nothing)."""
        parsed = self.parse_page(payload)
        if parsed.rejected and not parsed.mentions:
            raise PayloadError(f"none of its {len(parsed.rejected)} item(s) can be read: {parsed.rejected[0].error}")
        return parsed.mentions
