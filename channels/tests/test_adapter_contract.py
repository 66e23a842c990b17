"""The adapter contract holds: every platform's adapter is an `Adapter` (channels.adapters.adapter), whose members
are each optional ability with its default, and no production module asks an adapter or a platform's declaration
whether it has a member (`getattr`/`hasattr`) outside the base class. A caller that probes hides part of the
interface from the base, the docs and the type checker: the issue that made the base found 36 probes in 19 modules
over 23 names, 10 of them documented nowhere. No HTTP: the source is read, and the adapters are instantiated."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from channels.adapters.adapter import Adapter
from channels.adapters.platform import Platform
from channels.adapters.poll.adapter import PolledAdapter
from channels.adapters.poll.stored import Stored
from channels.adapters.registry import PLATFORMS, get_adapter, platform_of

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "channels" / "adapters" / "adapter.py"
# Names an adapter or a platform answered under before the base class: a probe for one is a probe still.
FORMER = {
    "reply_max_length",
    "reply_length",
    "reply_length_note",
    "reply_styles",
    "reply_media",
    "link_separator",
    "direct_message_max_length",
    "direct_message_length",
    "parse_payload_for_channel",
}
MEMBERS = (
    {n for n in vars(Adapter) if not n.startswith("__")} | {f.name for f in dataclasses.fields(Platform)} | FORMER
) - {"kind", "label", "name"}  # words too common to mean an adapter's member in another object's probe
OWNERS = ("adapter", "platform", "declaration", "get_adapter", "platform_of", "platform_or_default")


APPS = [p.parent for p in ROOT.glob("*/apps.py")] + [ROOT / "advocacy"]


def production_modules() -> list[Path]:
    paths = sorted({p for app in APPS for p in app.rglob("*.py")})
    return [
        p
        for p in paths
        if "tests" not in p.relative_to(ROOT).parts
        and "migrations" not in p.parts
        and not p.name.startswith("test_")
        and p.name != "conftest.py"
        and p != BASE
    ]


def _owner_words(node: ast.expr) -> str:
    """The names in the probed expression: `adapter`, `self.adapter`, `get_adapter(kind)`, `platform_of(kind)`."""
    if isinstance(node, ast.Call):
        return _owner_words(node.func)
    if isinstance(node, ast.Attribute):
        return f"{_owner_words(node.value)}.{node.attr}"
    if isinstance(node, ast.Name):
        return node.id
    return ""


def probes(source: str) -> list[tuple[int, str]]:
    """(line, what) for each getattr/hasattr on an adapter or a platform, or for a member of theirs by name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id not in ("getattr", "hasattr") or len(node.args) < 2:
            continue
        owner = _owner_words(node.args[0]).casefold()
        name = node.args[1].value if isinstance(node.args[1], ast.Constant) else None
        if any(word in owner for word in OWNERS) or name in MEMBERS:
            found.append((node.lineno, f"{node.func.id}({ast.unparse(node.args[0])}, {ast.unparse(node.args[1])})"))
    return found


def test_no_module_probes_an_adapter_or_a_platform_outside_the_base():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in production_modules()
        for line, what in probes(path.read_text())
    ]

    assert found == [], "ask the adapter (channels.adapters.adapter.Adapter) instead:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        'limit = getattr(adapter, "reply_max_length", None)',
        'if hasattr(get_adapter(kind), "fetch_thread"): pass',
        "x = getattr(self.adapter, name)",
        'x = getattr(platform_of(kind), "reply_media", None)',
        'x = getattr(something, "parse_payload_for_channel", None)',
    ],
)
def test_the_scan_finds_a_probe(source):
    assert len(probes(source)) == 1


def test_the_scan_leaves_other_objects_alone():
    assert probes('x = getattr(settings, "DESK_HTTP_TIMEOUT_SECONDS", 5)\ny = getattr(row, field)') == []


@pytest.mark.parametrize("kind", list(PLATFORMS))
def test_every_adapter_is_an_adapter_and_answers_every_member(kind):
    adapter = get_adapter(kind)
    platform = platform_of(kind)

    assert isinstance(adapter, Adapter)
    # What a caller reads of any adapter, without asking whether it is there.
    assert adapter.own_accounts(platform.example_config()) is None or all(
        isinstance(a, str) for a in adapter.own_accounts(platform.example_config()) or []
    )
    assert isinstance(adapter.channel_key_words, str) and isinstance(adapter.edit_history_key, str)
    assert isinstance(adapter.version_key, str)
    assert adapter.edit_chain_window("1") is None or adapter.edit_history_key
    assert adapter.connects_with_channel_key == adapter.offers("channel_key_grant")


def test_an_ability_not_offered_says_so_in_words():
    from channels.adapters.base import ConfigError, ReplyError

    class Quiet(Adapter):
        kind = "quiet"

    quiet = Quiet()
    with pytest.raises(ReplyError, match="cannot like posts on quiet"):
        quiet.act("like", channel=None, account=None, session=None, target=None)
    with pytest.raises(ConfigError, match="cannot read threads on quiet"):
        quiet.fetch_thread(channel=None, session=None, ref="1")
    assert quiet.thread_ref("1", "", {}) == "" and quiet.own_accounts({}) is None
    assert not Quiet.offers("post_reply") and not quiet.reads_threads
    with pytest.raises(ValueError, match="not one of an adapter's abilities"):
        Quiet.offers("teleport")


# The one poll not on the engine, and why: channels/adapters/email/__init__.py's fetch_chunks says.
OWN_POLL = {"email"}


def test_every_polled_adapter_polls_on_the_engine_but_email():
    """A polled adapter declares its client, cursor and streams to the engine (channels.adapters.poll); one that
    writes its own `fetch_chunks` writes the poll loop again."""
    polled = {kind for kind in PLATFORMS if isinstance(get_adapter(kind), PolledAdapter)}
    own = {kind for kind in polled if type(get_adapter(kind)).fetch_chunks is not PolledAdapter.fetch_chunks}
    assert len(polled) == 17 and own == OWN_POLL


# The polled platforms whose cursor is written by hand, not on `Stored` (channels.adapters.poll.stored), and why (each
# cursor's docstring says it too).
HAND_WRITTEN_CURSORS = {
    "bluesky": "MarkedCursor: streams and seen read for the streams configured now, by the platform's readers",
    "reddit": "MarkedCursor: streams and seen read for the streams configured now, by the platform's readers",
    "devto": 'its walk is kept nested under "articles" (page and top together), its maps read for the articles '
    "followed now",
    "discourse": "its state is kept under the key its mode names, read back only for the same site and mode",
}


def test_every_polled_cursor_is_stored_but_the_listed():
    """A polled platform's cursor (its adapter's `cursor_type`) declares how each field is read back and lets `Stored`
    load, dump and version it: one that cleans and dumps field by field writes that again."""
    polled = {kind: adapter for kind in PLATFORMS if isinstance(adapter := get_adapter(kind), PolledAdapter)}
    cursors = {kind: type(adapter).cursor_type for kind, adapter in polled.items()}
    assert all(isinstance(cursor, type) for cursor in cursors.values()), cursors
    by_hand = {kind for kind, cursor in cursors.items() if not issubclass(cursor, Stored)}
    assert len(cursors) == 17 and by_hand == set(HAND_WRITTEN_CURSORS)
