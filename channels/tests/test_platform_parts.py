"""Every registered platform has the same parts (channels.adapters.platform): its package and declaration,
an adapter that fetches, parses and checks its config, a config example that check accepts, a request budget,
a thread-watch plan, a reply sender and a sign-in flow (each one or an explicit "not supported" with its
reason), help for admin, recorded fixtures with SOURCES.md, a tests package with tests, and its page in
docs/platforms/ linked from the README; what the rest of the desk asks of it (who sends its replies, how a
reply is addressed) agrees with those parts. No HTTP: only the declarations and the code they name are read."""

import ast
import importlib
import inspect
import pkgutil
import re
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from channels.adapters.adapter import Adapter
from channels.adapters.platform import ACTION_METHODS, ACTIONS_DONE, OPTIONAL_PARTS, Platform
from channels.adapters.registry import PLATFORMS, get_adapter, platform_of, platform_or_default, reply_sender
from channels.adapters.reply_rule import IMAGE_TYPES, NO_REPLIES, MiB, ReplyRule
from channels.adapters.watch import WatchPlan
from channels.freshness import Bucket, buckets_of
from channels.models import Channel

KINDS = list(PLATFORMS)
# What a platform's declaration module may import at its top: the descriptor's own types, never a client.
CHEAP_IMPORTS = {
    "__future__",
    "typing",
    "channels.adapters.platform",
    "channels.adapters.reply_rule",
    "channels.adapters.watch",
    "channels.freshness",
}


def resolve(dotted: str) -> object:
    """A module attribute or a class attribute, by dotted path."""
    parts = dotted.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for name in parts[split:]:
            found = getattr(found, name)
        return found
    raise ImportError(dotted)


@pytest.mark.parametrize("kind", KINDS)
def test_the_package_declares_its_platform(kind):
    platform = platform_of(kind)
    module = importlib.import_module(PLATFORMS[kind])

    assert isinstance(platform, Platform)
    assert module.PLATFORM is platform
    assert PLATFORMS[kind] == f"{platform.package}.platform"
    assert platform.label.strip()
    assert platform.help_text.strip()


@pytest.mark.parametrize("kind", KINDS)
def test_the_declaration_imports_no_client_at_module_level(kind):
    source = Path(importlib.import_module(PLATFORMS[kind]).__file__ or "").read_text()
    top = [node for node in ast.parse(source).body if isinstance(node, ast.Import | ast.ImportFrom)]
    imported = {n.module or "" if isinstance(n, ast.ImportFrom) else n.names[0].name for n in top}

    assert imported <= CHEAP_IMPORTS


@pytest.mark.parametrize("kind", KINDS)
def test_the_adapter_fetches_parses_and_accepts_its_config_example(kind):
    platform = platform_of(kind)
    adapter = get_adapter(kind)

    assert type(adapter) is resolve(platform.adapter)
    assert isinstance(adapter, Adapter)
    assert adapter.kind == kind
    # A tracker only (issues, nothing polled: no request budget) keeps the base's empty fetch: the issues it follows
    # are read by the follow-up beat (stories.issues.follow), not by a poll.
    tracker_only = platform.issues is not None and platform.budget is None
    fetches = adapter.offers("fetch_chunks") or adapter.offers("fetch")
    assert platform.pushed or tracker_only or fetches, f"{kind}: polled, not fetched"
    assert not (tracker_only and fetches), f"{kind}: a tracker only fetches nothing"
    assert adapter.validate_config(platform.example_config()) == platform.example_config()


@pytest.mark.parametrize("kind", KINDS)
def test_each_part_it_lacks_says_why_and_nothing_else_does(kind):
    platform = platform_of(kind)

    assert set(platform.unsupported) == set(platform.missing())
    assert set(platform.unsupported) <= set(OPTIONAL_PARTS)
    for part, reason in platform.unsupported.items():
        assert len(reason.split()) >= 5, f"{kind}: say why it has no {part}"


@pytest.mark.parametrize("kind", KINDS)
def test_the_budget_counts_the_example_channels_requests(kind):
    platform = platform_of(kind)
    channel = Channel(kind=kind, config=platform.example_config())

    buckets = buckets_of(channel)

    if platform.budget is None:
        assert buckets == []  # polled at the admin's interval (or the no-budget default)
        return

    assert buckets
    assert all(isinstance(b, Bucket) and b.requests > 0 and b.limit > 0 and b.label for b in buckets)


@pytest.mark.parametrize("kind", KINDS)
def test_a_watch_plan_comes_with_a_thread_reader(kind):
    platform = platform_of(kind)
    adapter = get_adapter(kind)
    readable = adapter.offers("fetch_thread") and adapter.offers("thread_ref")

    assert readable == adapter.reads_threads == (platform.watch is not None)
    if platform.watch is not None:
        assert isinstance(platform.watch, WatchPlan)
        # 100 watched threads leave polling its half of the budget (docs/platforms/README.md).
        assert platform.watch.share_of_budget(100) <= 0.25


@pytest.mark.parametrize("kind", KINDS)
def test_the_reply_sender_is_what_the_declaration_names(kind):
    platform = platform_of(kind)
    adapter = get_adapter(kind)
    if platform.replies is None:
        assert not adapter.offers("post_reply")
        return

    assert platform.replies == f"{platform.adapter}.post_reply"
    assert adapter.offers("post_reply")
    assert resolve(platform.replies) is type(adapter).post_reply


@pytest.mark.parametrize("kind", KINDS)
def test_each_declared_action_is_a_method_of_the_adapter_and_only_those(kind):
    # Done as the account that replies: a platform without replies has no actions either.
    platform = platform_of(kind)
    adapter = get_adapter(kind)
    bound = {"like": adapter.like, "repost": adapter.repost, "delete_post": adapter.delete_post}
    bound["direct_message"] = adapter.direct_message
    for action, method in ACTION_METHODS.items():
        declared = action in platform.actions
        assert declared == adapter.offers(method), f"{kind}: {action} declared {declared}"
        if declared:
            assert platform.actions[action].strip(), f"{kind}: the platform's word for {action}"
            assert platform.replies is not None
            params = set(inspect.signature(bound[method]).parameters)
            assert params >= {"channel", "account", "session", "target"}
    assert set(platform.actions_done) <= set(platform.actions), f"{kind}: a result for an action it does not declare"
    for action, word in platform.actions.items():
        # Its own word for the act comes with its own word for the result ("Boost" -> "Boosted"): the desk's
        # "Liked" after a "Favourite" button was a newcomer's finding.
        if action in ("like", "repost") and word != {"like": "Like", "repost": "Repost"}[action]:
            assert platform.actions_done.get(action, "").strip(), f"{kind}: what '{word}' done is called"
        assert platform.action_done(action) == (platform.actions_done.get(action) or ACTIONS_DONE[action])
    # A direct message has its text, and the platform's rule for it; a platform without DMs declares no rule.
    if "message" in platform.actions:
        assert "text" in inspect.signature(adapter.direct_message).parameters
        assert (platform.message_rule.limit or 0) > 0
    else:
        assert platform.message_rule is NO_REPLIES


@pytest.mark.parametrize("kind", KINDS)
def test_the_sign_in_flow_is_the_one_the_adapter_uses(kind):
    from channels.accounts.tokens import provider_for

    platform = platform_of(kind)
    adapter = get_adapter(kind)
    if platform.accounts is None:
        assert adapter.oauth is None
        assert provider_for(kind) is None
        return
    provider = provider_for(kind)

    provider_class = resolve(platform.accounts)
    assert isinstance(provider_class, type)
    assert isinstance(provider, provider_class)
    for step in ("begin", "complete", "refresh"):
        assert callable(getattr(provider, step, None)), f"{kind}: the sign-in flow has no {step}"


# The token requests of the standard flow (channels.accounts.oauth): made by `Provider` alone.
TOKEN_CALLS = {"code_exchange", "token_post", "pkce_pair", "grant_from", "client_credentials"}


@pytest.mark.parametrize("kind", KINDS)
def test_the_sign_in_flow_is_a_provider_and_writes_no_token_request_of_its_own(kind):
    from channels.accounts.oauth import Provider

    platform = platform_of(kind)
    if platform.accounts is None:
        return
    flow = resolve(platform.accounts)
    assert isinstance(flow, type) and issubclass(flow, Provider), f"{kind}: its sign-in flow is not a Provider"
    package = Path(inspect.getfile(importlib.import_module(f"channels.adapters.{kind}"))).parent
    for path in package.glob("*.py"):
        called = {
            node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call)
        }
        assert not called & TOKEN_CALLS, f"{path}: calls {called & TOKEN_CALLS}: set Provider's attributes instead"


@pytest.mark.parametrize("kind", KINDS)
def test_recorded_fixtures_say_where_they_come_from(kind):
    fixtures = platform_of(kind).fixtures_dir

    assert (fixtures / "SOURCES.md").is_file()
    assert [p for p in fixtures.rglob("*") if p.is_file() and p.name != "SOURCES.md"], f"{kind}: no fixtures"


@pytest.mark.parametrize("kind", KINDS)
def test_the_tests_package_has_tests(kind):
    package = importlib.import_module(platform_of(kind).tests_package)
    modules = [
        importlib.import_module(f"{package.__name__}.{m.name}")
        for m in pkgutil.iter_modules(package.__path__)
        if m.name.startswith("test_")
    ]
    tests: list[Callable] = [
        f
        for module in modules
        for name, f in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("test_")
    ]

    assert tests, f"{kind}: no tests in {package.__name__}"


@pytest.mark.parametrize("kind", KINDS)
def test_the_platform_has_its_docs_page(kind):
    page = platform_of(kind).docs_page

    assert page.is_file()
    assert page.read_text().strip()


@pytest.mark.parametrize("kind", KINDS)
def test_the_readme_documentation_list_links_the_platforms_page(kind):
    # A newcomer finds the platforms from the README's list; one added without its link there went unseen.
    page = platform_of(kind).docs_page
    readme = page.parents[2] / "README.md"
    documentation = readme.read_text().partition("\n## Documentation\n")[2]

    assert f"]({page.relative_to(readme.parent).as_posix()})" in documentation


@pytest.mark.parametrize("kind", KINDS)
def test_it_declares_the_credentials_a_channel_cannot_be_read_without(kind):
    # Admin refuses a channel lacking one (intake/admin/channel_forms.py): each must be a credential its form
    # has a field for; a platform requiring none says why.
    platform = platform_of(kind)
    required = platform.required_credentials(platform.config_example)
    fields = {c.key for c in get_adapter(kind).schema.credentials}

    assert isinstance(required, tuple)
    assert set(required) <= fields, f"{kind}: requires a credential admin has no field for"
    if required:
        assert not platform.credentials_none, f"{kind}: requires credentials yet says it needs none"
    else:
        assert len(platform.credentials_none.split()) >= 5, f"{kind}: say why no credential is required"


@pytest.mark.parametrize("kind", KINDS)
def test_the_reply_path_finds_the_declared_sender(kind):
    platform = platform_of(kind)
    sender = reply_sender(kind)

    assert (sender is None) == (platform.replies is None)
    if sender is not None:
        assert set(inspect.signature(sender).parameters) >= {"channel", "account", "session", "target", "text", "style"}


@pytest.mark.parametrize("kind", KINDS)
def test_a_reply_carries_images_only_where_it_declares_them_and_its_sender_takes_them(kind):
    # The reply path passes `media` only when there are images, and only a platform declaring reply_media is given
    # any (mentions.services.reply_images): its sender takes them; every other sender keeps its signature.
    platform = platform_of(kind)
    sender = reply_sender(kind)
    media = platform.reply_rule.media
    takes = sender is not None and "media" in inspect.signature(sender).parameters

    assert takes == (media is not None), f"{kind}: reply_media {media} but the sender takes media: {takes}"
    page = platform.docs_page.read_text()
    if media is None:
        return
    assert platform.replies is not None
    assert 1 <= media.count <= 10 and 0 < media.max_bytes <= 16 * MiB
    assert media.types and set(media.types) <= set(IMAGE_TYPES)
    assert media.how.strip(), f"{kind}: say how the platform takes a reply's images"
    assert "image" in page.casefold() and "EXIF" in page, f"{kind}: its docs page says what a reply's image does"


def test_github_has_no_upload_api_and_its_page_says_so():
    from channels.adapters.github.platform import PLATFORM as GITHUB

    assert GITHUB.reply_rule.media is None
    assert "no API to upload" in GITHUB.docs_page.read_text()


@pytest.mark.parametrize("kind", KINDS)
def test_who_sends_the_replies_agrees_with_the_parts(kind):
    # The channel's own address sends without accounts (e-mail); accounts and handles are connected accounts,
    # and handles are chosen by the adapter's respond-from rule (X).
    platform = platform_of(kind)
    if platform.replies is None:
        assert platform.reply_as == "accounts", f"{kind}: no replies, nothing to say of who sends them"
        return

    assert (platform.reply_as == "address") == (platform.accounts is None)
    if platform.reply_as == "handles":
        assert get_adapter(kind).offers("choose_reply_handle")


@pytest.mark.parametrize("kind", KINDS)
def test_a_reply_opening_uses_only_the_requesters_placeholders(kind):
    # Filled by answers.saved_replies (a higher app, so not imported here): {handle} and {requester}; the link
    # goes after the answer, never before it.
    opening = platform_of(kind).reply_opening
    names = {name for _, name, _, _ in string.Formatter().parse(opening) if name is not None}

    assert names <= {"handle", "requester"}


def test_an_undeclared_kind_reads_every_part_at_its_default():
    platform = platform_or_default("myspace")

    assert platform.missing() == list(OPTIONAL_PARTS)
    assert (platform.spoken_name, platform.counted_name, platform.handle_shown("tom")) == ("myspace",) * 2 + ("tom",)
    assert (platform.reply_opening, platform.identity_platform("s")) == ("", "myspace")
    assert not (platform.story_titles or platform.front_page or platform.own_place)
    assert platform.reply_rule is NO_REPLIES and platform.message_rule is NO_REPLIES


@pytest.mark.parametrize("kind", KINDS)
def test_the_platform_declares_its_reply_rule_and_it_agrees_with_the_sender(kind):
    # One rule per platform (channels.adapters.reply_rule), read by every place that checks, shows or cuts a reply;
    # a platform the desk posts on has a limit, one it does not post on has nothing to count against.
    platform = platform_of(kind)
    rule = platform.reply_rule

    assert isinstance(rule, ReplyRule)
    if platform.replies is None:
        assert rule is NO_REPLIES
        return
    assert rule.limit is None or rule.limit > 0
    assert rule.limit is not None or platform.reply_as == "address", f"{kind}: how long may a reply be?"
    assert rule.length("hello") == 5  # plain words count as characters everywhere
    assert rule.link_separator in (" ", "\n\n")
    assert all(value and label for value, label in rule.styles)


def test_a_platform_declared_without_a_reply_rule_is_refused():
    declaration: dict[str, Any] = {
        "kind": "myspace",
        "label": "MySpace",
        "adapter": "",
        "help_text": "",
        "config_example": {},
        "budget": None,
        "watch": None,
        "replies": None,
        "accounts": None,
        "credentials_required": (),
    }
    with pytest.raises(TypeError, match="reply_rule"):
        Platform(**declaration)
    assert Platform(**declaration, reply_rule=NO_REPLIES).reply_rule is NO_REPLIES


def test_adding_a_platform_is_at_most_five_steps_each_naming_its_file():
    # The steps a newcomer follows (docs/platforms/README.md, "Adding a platform"): few, and each says where.
    page = (Path(__file__).resolve().parents[2] / "docs" / "platforms" / "README.md").read_text()
    section = page.split("## Adding a platform\n", 1)[1].split("\n## ", 1)[0]
    steps = [line for line in section.splitlines() if line[:1].isdigit() and line[1:3] == ". "]

    assert 1 <= len(steps) <= 5
    for step in steps:
        assert re.search(r"`(channels|docs)/[\w/<>.-]+`", step), f"a step that names no file: {step}"
