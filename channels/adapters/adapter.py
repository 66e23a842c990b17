"""The one contract between the desk and a platform: `Adapter`, the base class of every platform's adapter.

Every ability a platform may or may not have is a member here with its documented default, so a caller asks the
adapter and never whether it has the member: no `getattr`/`hasattr` on an adapter outside this module
(`channels/tests/test_adapter_contract.py` scans for them). An adapter overrides what its platform does; what it
does not override answers "not here" in the caller's own terms (an empty list, "", None, or an error in words).
Whether a platform offers an ability at all is declared in its `platform.py` (`Platform.replies`, `actions`,
`watch`, `accounts`), and `offers` says which members a class overrides, for the parts test to hold the two to
each other.

The rules for a reply's length, media and links are the platform's, not the adapter's: `Platform.reply_rule`
(channels.adapters.reply_rule).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from .base import ConfigError, FetchResult, IncomingMention, ReplyError
from .direct import DirectRead
from .guard import Parsed


def _not_here(what: str, instead: str = "", *, error: type[Exception] = ReplyError) -> Callable[..., Any]:
    """The base's side of an ability: `error` in words (a ReplyError, since nothing was posted; ConfigError for what
    is not a reply's), naming the platform, for the caller to show where it asked."""

    def not_here(self: Adapter, **kwargs: Any) -> Any:
        raise error(f"The desk cannot {what} on {self.kind}{instead}.")

    not_here.__doc__ = f"Not on this platform: the desk cannot {what} here."
    return not_here


def _no_thread_ref(external_id: str, thread_id: str, raw: dict[str, Any]) -> str:
    return ""


def _no_direct_replies(**kwargs: Any) -> DirectRead:
    """Not on this platform: the answers to a direct message are not read here (nothing, and no cursor moved)."""
    return DirectRead()


if TYPE_CHECKING:
    import requests

    from channels.accounts.oauth import Grant, Provider
    from channels.models import Channel

    from .base import SentReply
    from .schema import KindSchema
    from .watch import ThreadFetch


class Adapter:
    """A platform's adapter: reads its items into `IncomingMention`s with the cursor just after them, and does what
    the desk does there. It never touches tickets. A subclass sets `kind` and `schema` and overrides
    `validate_config`, `test_connection` and `parse_page`, plus each ability its platform has."""

    kind: ClassVar[str]
    schema: ClassVar[KindSchema]  # what admin asks for: the kind's settings and credentials as form fields

    # A channel's own key may connect an account (`channel_key_grant`): what the key is called and, with
    # {username}, what connecting with it does; shown on the confirmation page.
    channel_key_words: ClassVar[str] = "the channel's key"
    channel_key_help: ClassVar[str] = ""
    # Where an item's raw payload lists the ids of its later versions (X's `edit_history_tweet_ids`), and where it
    # numbers its version (intake.pipeline.versions); "" where the platform's items keep one id when edited.
    edit_history_key: ClassVar[str] = ""
    version_key: ClassVar[str] = ""

    # --- config and connection ----------------------------------------------------------------------------------

    def validate_config(self, config: dict[str, Any]) -> dict[str, Any]:
        """The config cleaned, or ConfigError naming the field at fault."""
        raise NotImplementedError

    def test_connection(self, *, channel: Channel, session: requests.Session) -> str:
        """One cheap authenticated call; a human summary of what the platform said."""
        raise NotImplementedError

    def own_accounts(self, config: dict[str, Any]) -> list[str] | None:
        """The accounts a channel of `config` is by definition (X's handles, the mailbox's address): always among
        its `our_accounts`. None: its accounts are the `our_accounts` an admin lists."""
        return None

    # --- reading ------------------------------------------------------------------------------------------------

    def fetch_chunks(self, *, channel: Channel, session: requests.Session) -> Iterator[FetchResult]:
        """A poll's items oldest first in bounded chunks, each with the cursor just after it: the poll stores
        each chunk (with its cursor) before asking for the next, so a backlog of any size drains. By default the
        one chunk of `fetch`."""
        yield self.fetch(channel=channel, session=session)

    def fetch(self, *, channel: Channel, session: requests.Session) -> FetchResult:
        """One poll's items as one result. By default nothing: a pushed platform (`Platform.pushed`) sends its items
        to the desk, and its cursor is kept as it is, so an admin's "Poll now" is harmless."""
        return FetchResult(mentions=[], cursor=channel.cursor or {})

    def parse_page(self, payload: Any) -> Parsed:
        """A page of the platform's items as the poll reads it: the readable ones and the rejected, each with why."""
        raise NotImplementedError

    def parse_page_for_channel(self, payload: Any, *, channel: Channel) -> Parsed:
        """`parse_page` with the channel's settings, where they change how items read (a forum's address, whether
        its staff are ours, X's edits already seen): what a saved page is read with (`manage.py ingest_payload`)."""
        return self.parse_page(payload)

    def parse_item(self, item: Any, *, channel: Channel | None = None) -> Parsed:
        """One item kept in the dead-letter table, read again (intake.services.quarantine)."""
        return self.parse_page(item) if channel is None else self.parse_page_for_channel(item, channel=channel)

    def parse_file(self, data: bytes, *, channel: Channel) -> Parsed:
        """A saved file of items (`manage.py ingest_payload`): JSON by default (ValueError when it is not)."""
        return self.parse_page_for_channel(json.loads(data), channel=channel)

    def parse_payload(self, payload: Any) -> list[IncomingMention]:
        """The readable items of a page (what the parser tests read)."""
        return self.parse_page(payload).mentions

    def edit_chain_window(self, ref: str) -> tuple[datetime, datetime] | None:
        """Where the original of a later version `ref` can have been posted (intake.pipeline.lookup); None: the
        platform does not give edits ids of their own."""
        return None

    # --- threads watched after a reply (Platform.watch) ----------------------------------------------------------

    # `(external_id, thread_id, raw) -> str`: what `fetch_thread` needs to read the thread of a stored item; "" where
    # threads are not read here. A function of the platform's thread module (static: asked of the class too).
    thread_ref: Callable[..., str] = staticmethod(_no_thread_ref)
    # `(*, channel, session, ref) -> ThreadFetch`: what is in the thread now.
    fetch_thread: Callable[..., ThreadFetch] = _not_here("read threads", error=ConfigError)

    # --- the answers to the desk's direct messages (channels.adapters.direct) ---------------------------------------

    # `(*, channel, session, conversations, budget) -> DirectRead`: the person's messages in the DM conversations the
    # desk started, past each one's cursor, read in the channel's poll (intake.services.direct_replies). By default
    # nothing: a platform whose `direct_message` is not offered has no conversation to read.
    direct_replies: Callable[..., DirectRead] = staticmethod(_no_direct_replies)

    # --- replies and actions (Platform.replies, Platform.actions) ------------------------------------------------
    # Each is a callable attribute: a platform's own is a method or a module's function (`staticmethod`), with the
    # signature the docstring of its caller names; the base's says in words that the desk cannot do it there.

    # `(*, channel, account, session, target, text, style[, media]) -> SentReply`: the desk's reply, posted.
    post_reply: Callable[..., SentReply] = _not_here("post replies", ": mark the ticket replied instead")
    # `(*, mention, handles, ...)`: which configured handle answers (Platform.reply_as == "handles": X's rule).
    choose_reply_handle: Callable[..., Any] = _not_here("choose a handle to reply from", error=ConfigError)
    # `(*, channel, account, session, target)`: like (favourite, upvote) the mention as `account`; liking what is
    # liked already is done, not an error. `repost` (boost, retweet) likewise; `delete_post` takes back our own post
    # `target` (what is gone already is done).
    like: Callable[..., Any] = _not_here("like posts")
    repost: Callable[..., Any] = _not_here("repost")
    delete_post: Callable[..., Any] = _not_here("delete posts")
    # `(*, channel, account, session, target, text) -> SentReply`: `text` sent privately to the author of `target`
    # (never in its thread), within the platform's `message_rule`; ReplyUncertain when it may have been sent.
    direct_message: Callable[..., SentReply] = _not_here("send direct messages")
    # `(*, channel, session, username) -> Grant`: `username` connected with the channel's own key (Discourse's
    # admin API key with Api-Username), checked against the platform first.
    channel_key_grant: Callable[..., Grant] = _not_here("connect an account with the channel's key", error=ConfigError)

    # --- what a class overrides -----------------------------------------------------------------------------------

    ABILITIES: ClassVar[tuple[str, ...]] = (
        "post_reply",
        "choose_reply_handle",
        "like",
        "repost",
        "delete_post",
        "direct_message",
        "direct_replies",
        "channel_key_grant",
        "thread_ref",
        "fetch_thread",
        "fetch_chunks",
        "fetch",
        "edit_chain_window",
    )

    @classmethod
    def offers(cls, ability: str) -> bool:
        """Whether this adapter does `ability` itself (overrides the base's "not here")."""
        if ability not in Adapter.ABILITIES:
            raise ValueError(f"{ability!r} is not one of an adapter's abilities: {Adapter.ABILITIES}")
        return getattr(cls, ability) is not getattr(Adapter, ability)

    @property
    def oauth(self) -> Provider | None:
        """The sign-in flow that connects the accounts replying there: the class its `Platform.accounts` names."""
        from channels.accounts.tokens import provider_for

        return provider_for(self.kind)

    @property
    def connects_with_channel_key(self) -> bool:
        return self.offers("channel_key_grant")

    @property
    def reads_threads(self) -> bool:
        return self.offers("fetch_thread")

    def act(self, method: str, **kwargs: Any) -> Any:
        """Do one of the desk's actions by its method's name (platform.ACTION_METHODS): like, repost, delete_post
        or direct_message."""
        actions = {
            "like": self.like,
            "repost": self.repost,
            "delete_post": self.delete_post,
            "direct_message": self.direct_message,
        }
        return actions[method](**kwargs)
