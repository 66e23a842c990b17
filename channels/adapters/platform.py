"""What the desk knows about one platform, declared in one place: its package's `platform.py`.

Each platform package (`channels/adapters/<kind>/`) declares `PLATFORM = Platform(...)` in its
`platform.py`, and `channels/adapters/registry.py` lists the packages. Everything that used to keep a
per-kind table reads the declaration through the registry: `get_adapter`, the poll interval's request
budgets (`channels.freshness`), the thread-watch plans (`channels.adapters.watch`), the channel admin's
kind picker and config example, and which kinds connect accounts. So does every app that treats one platform
differently from another: the reply path sends through the declared `replies` sender and chooses who sends by
`reply_as`; every place that checks, shows or cuts a reply reads its `reply_rule` (how long, how counted, its
images, where its link goes); story drafts address a reply as `reply_opening` and `handle_prefix` say; `short_label`
and `name` are how pages and sentences name the platform; `story_titles`,
`front_page`, `own_place`, `identity` and `expert_accounts` are what stories, urgency, the judgement, people and
the experts' directory need to know. Each of these has a default, so a declaration sets only what differs, and
no module outside `channels/adapters/` compares a kind (`channels/tests/test_platform_names.py`).

A part a platform does not have (no request budget, no threads to watch, no replies, no accounts to
connect) is said so explicitly: `None` plus a reason in `unsupported`, which the parts test
(`channels/tests/test_platform_parts.py`) requires, so a new platform cannot forget a part silently.

The declaration module must stay cheap: no client at module level (the adapter is named by dotted path
and imported on first use). Python still runs the package's `__init__` first, which is where today's
adapters live; the registry imports one platform's declaration only when that kind is asked for.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from .reply_rule import NO_REPLIES, ReplyRule

if TYPE_CHECKING:
    from channels.adapters.watch import WatchPlan
    from channels.freshness import Bucket
    from channels.models import Channel

# (channel, its config) -> the request budgets one poll of it spends.
BudgetOf = Callable[["Channel", dict[str, Any]], "list[Bucket]"]
# config -> the credential keys a channel of that config cannot be read without.
CredentialsOf = Callable[[Mapping[str, Any]], tuple[str, ...]]
# The parts a platform may lack; each one it lacks needs its reason in `Platform.unsupported`.
OptionalPart = Literal["budget", "watch", "replies", "accounts"]
OPTIONAL_PARTS: tuple[OptionalPart, ...] = ("budget", "watch", "replies", "accounts")
# Who posts the desk's replies (mentions.services.reply_plan): "accounts", the channel's connected accounts (the
# first that can post); "handles", the channel's configured handles, chosen by the platform's respond-from rule
# (the adapter's `choose_reply_handle`: X); "address", the channel itself, from its configured sending address
# (config "address", no account: e-mail).
ReplyAs = Literal["accounts", "handles", "address"]
# How people (people.ingest) know an author there: "handle", an account keyed by its handle, the platform being the
# kind; "address", an e-mail address (never "the same handle" as an account elsewhere, but found in other people's
# messages); "channel", each channel's senders are a platform of their own, "<kind>:<channel slug>" (a webhook
# relays whatever its sender forwards).
IdentityKind = Literal["handle", "address", "channel"]
# What an advocate may do there besides replying (mentions.services.platform_actions): "like" a mention (the
# adapter's `like`), "repost" it to our followers (its `repost`: a boost, a retweet), "delete" one of our own posts
# (its `delete_post`), "message" the mention's author privately (its `direct_message`: mentions.services.
# direct_messages, where the handbook moves a conversation that needs an address or account details). Each with the
# platform's word for it.
Action = Literal["like", "repost", "delete", "message"]
ACTION_METHODS: dict[Action, str] = {
    "like": "like",
    "repost": "repost",
    "delete": "delete_post",
    "message": "direct_message",
}
# What the result of an action says by default, where the platform's word for it is the desk's ("Like" -> "Liked").
ACTIONS_DONE: dict[Action, str] = {"like": "Liked", "repost": "Reposted", "delete": "Deleted", "message": "Sent"}

ADAPTERS_DIR = Path(__file__).resolve().parent
DOCS_DIR = ADAPTERS_DIR.parents[1] / "docs" / "platforms"


@dataclass(frozen=True)
class Platform:
    kind: str  # Channel.kind
    label: str  # what admin calls it: Channel.kind's choice (registry.kind_choices) and every page's name for it
    adapter: str  # dotted path of the adapter class, imported on first use
    help_text: str  # one line on admin's kind picker: what a channel of this kind reads
    config_example: Mapping[str, Any]  # a config validate_config accepts, shown in admin's raw box
    budget: BudgetOf | None  # the request budgets a poll spends (channels.freshness)
    watch: WatchPlan | None  # how often a watched thread is read
    replies: str | None  # dotted path of what posts the desk's reply there (an adapter's post_reply)
    accounts: str | None  # dotted path of the sign-in flow (Provider) that connects the accounts replying
    # The credential keys (its schema's `Credential.key`s) a channel cannot be read without, or a function of
    # its config where that depends on it: admin refuses to save a channel lacking one, instead of letting
    # it fail at its first poll. Empty needs `credentials_none`, why none is required.
    credentials_required: tuple[str, ...] | CredentialsOf
    # How a reply is counted, how long it may be, the images it may carry and where its link goes
    # (channels.adapters.reply_rule): required, so that no platform is without one. `reply_rule.NO_REPLIES` where
    # the desk posts nothing there.
    reply_rule: ReplyRule
    unsupported: Mapping[OptionalPart, str] = field(default_factory=dict)  # why a part is missing
    pushed: bool = False  # the platform posts to the desk (POST /hooks/<slug>/): never polled
    credentials_none: str = ""  # why a platform requiring no credential needs none (public API, optional key)
    # Dotted path of `karma_of(*, channel, session, handle) -> int | None`, the author's karma, where the
    # platform's items do not carry their author's weight (people.karma asks after a poll, within a budget).
    # None: the items carry it (X, Stack Exchange) or the platform has none.
    karma_lookup: str | None = None

    # What the rest of the desk asks of the platform instead of comparing its kind (docs/platforms/README.md,
    # "What the desk asks a platform"). Each default is what most platforms do; a declaration sets what differs.
    # How a sentence names it ("4,210 followers on X"; an address is "E-mail ..."); "" is its label.
    name: str = ""
    # How a line of counts names it ("X 8, Reddit 4, HN 2": stories); "" is its name.
    short_label: str = ""
    # Written before a handle where one is shown or addressed (X: "@name"); most platforms show the bare name.
    handle_prefix: str = ""
    # What a drafted reply says first, with the saved replies' placeholders ({handle} written with
    # handle_prefix, {requester}): "@{handle} " on a forum, "Hi {requester},\n\n" in a mail. "": the reply
    # threads under theirs, which says whom it answers.
    reply_opening: str = ""
    # Who posts the desk's replies (ReplyAs above); read only where `replies` names a sender.
    reply_as: ReplyAs = "accounts"
    # Its posts' titles say what they are about (Reddit and Hacker News submissions): a story is named after one
    # before a post's first words.
    story_titles: bool = False
    # Its posts' titles are headlines (an article's, a blog entry's): "Why I moved to X?" is the hook of a post that
    # asks nobody anything, so the judgement reads a question in the body only (dev.to, feeds).
    headline_titles: bool = False
    # Its stories can reach a front page that makes them urgent (Hacker News: Algolia's `front_page` tag or the
    # points, notifications.urgency; the stored story is refreshed as it is read again, intake's seen_again).
    front_page: bool = False
    # A channel of it reads the product's own place (its forum, issue tracker, mailbox, blog comments, Stack
    # Exchange tag, Slack) rather than searching everyone's words: the judgement takes what is found there as
    # about the product even when the product is not named.
    own_place: bool = False
    # How people know an author there (IdentityKind above).
    identity: IdentityKind = "handle"
    # Experts list their accounts on it (a column of the experts' CSV, named by the kind): false where an
    # author is nobody's account (a relay) or the expert's account has a place of its own (Slack's handle).
    expert_accounts: bool = True
    # What the desk can do there besides replying, by the platform's own word ({"like": "Favourite", "repost":
    # "Boost", "delete": "Delete", "message": "Send a DM"}), done as the account that replies (ACTION_METHODS: the
    # adapter's method for each; the parts test checks it has them). Empty: nothing but replies.
    actions: Mapping[Action, str] = field(default_factory=dict)
    # The result of an action, in the platform's own word, where its button is not the desk's "Like" / "Repost"
    # ({"like": "Favourited", "repost": "Boosted"}): what the ticket page says once it is done. One not given is
    # said as ACTIONS_DONE (the parts test checks a platform's own word comes with its own result).
    actions_done: Mapping[Action, str] = field(default_factory=dict)
    # Dotted path of `read(*, channel, body: bytes, headers) -> base.Pushed` (raising base.PushRefused), where the
    # platform can also push deliveries to the desk's door `POST /hooks/<slug>/` beside its polling (GitHub's
    # webhooks); intake stores what it read and then calls its `stored`. None: the door is not the platform's.
    push_reader: str | None = None
    # Dotted path of the module that files and reads the platform's issues (channels.adapters.issues.Tracker:
    # `issue_create`, `issue_read`, `issue_ref`), where a channel of it is an issue tracker the desk can file a
    # bug in and follow to its end. None: no issues there.
    issues: str | None = None
    # Where an item's raw payload names its author's own ids on the platform (dotted keys: "author.did", "author_id"),
    # ids that identify the account whatever its handle (a Bluesky DID, an X or Discord user id). Erasing a person
    # treats them as their identifiers and scrubs them from links and JSON (people.identifiers). Empty: the
    # handle or address is the only id (Hacker News, e-mail) or the items carry none.
    author_ids: tuple[str, ...] = ()
    # The rule of a direct message there (`actions["message"]`): its own limit and count (X: 10,000 characters).
    # NO_REPLIES where the desk sends none; the parts test requires one where "message" is an action.
    message_rule: ReplyRule = NO_REPLIES
    # Share of voice (intake.services.competitors): the config key holding the list of terms its adapter searches in
    # everyone's words, each on its own ("keywords"), where a channel of it can search a competitor's terms too, and
    # the settings that search takes over the channel's: its other reads off (a subreddit's listing, the account's
    # notifications), a day read back the first time whatever the channel's own backfill. "": competitors are not
    # listened for there (a stream, a webhook, a mailbox, our own forum).
    competitor_search: str = ""
    competitor_search_settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only views: a declaration is shared by every caller for the life of the process.
        object.__setattr__(self, "config_example", MappingProxyType(dict(self.config_example)))
        object.__setattr__(self, "unsupported", MappingProxyType(dict(self.unsupported)))
        object.__setattr__(self, "actions", MappingProxyType(dict(self.actions)))
        object.__setattr__(self, "actions_done", MappingProxyType(dict(self.actions_done)))
        object.__setattr__(self, "competitor_search_settings", MappingProxyType(dict(self.competitor_search_settings)))

    def action_done(self, action: Action) -> str:
        """What the result of `action` says there: "Boosted", "+1'd", or the desk's "Liked"."""
        return self.actions_done.get(action) or ACTIONS_DONE[action]

    @property
    def spoken_name(self) -> str:
        """How a sentence names the platform: its `name`, or its label."""
        return self.name or self.label

    @property
    def counted_name(self) -> str:
        """How a line of counts names the platform: its `short_label`, or its spoken name."""
        return self.short_label or self.spoken_name

    def handle_shown(self, handle: str) -> str:
        """`handle` as the platform writes it (X: "@name"), whether or not it came with the prefix."""
        handle = handle.strip()
        if not handle or not self.handle_prefix or handle.startswith(self.handle_prefix):
            return handle
        return self.handle_prefix + handle

    def identity_platform(self, channel_slug: str) -> str:
        """The `Identity.platform` of an author met on a channel of this platform (people.ingest)."""
        return f"{self.kind}:{channel_slug}" if self.identity == "channel" else self.kind

    def example_config(self) -> dict[str, Any]:
        """A fresh copy of the config example (a caller may store it on a channel and change it)."""
        return copy.deepcopy(dict(self.config_example))

    def required_credentials(self, config: Mapping[str, Any]) -> tuple[str, ...]:
        """The credential keys a channel of this config must have stored."""
        required = self.credentials_required
        return required(config) if callable(required) else required

    def missing(self) -> list[OptionalPart]:
        """The optional parts this platform does not have."""
        has = {"budget": self.budget is not None, "watch": self.watch is not None}
        has |= {"replies": self.replies is not None, "accounts": self.accounts is not None}
        return [part for part in OPTIONAL_PARTS if not has[part]]

    def competitor_config(self, config: Mapping[str, Any], terms: list[str]) -> dict[str, Any] | None:
        """A channel's `config` turned into a search of `terms` only (its other reads off), for the adapter's own
        search; None where the platform does not search competitors."""
        if not self.competitor_search:
            return None
        return {**copy.deepcopy(dict(config)), **self.competitor_search_settings, self.competitor_search: list(terms)}

    @property
    def package(self) -> str:
        return f"channels.adapters.{self.kind}"

    @property
    def tests_package(self) -> str:
        return f"{self.package}.tests"

    @property
    def fixtures_dir(self) -> Path:
        """Recorded payloads, with SOURCES.md naming where each came from."""
        return ADAPTERS_DIR / self.kind / "tests" / "fixtures"

    @property
    def docs_page(self) -> Path:
        return DOCS_DIR / f"{self.kind}.md"
