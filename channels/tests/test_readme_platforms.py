"""The README's lists of platforms name every platform the registry declares for them (issue 69: dev.to, Lobsters,
feeds, Telegram and YouTube were registered, demoed and replied on, and missing from every list of the README's front
page, which a newcomer reads first). Read from the registry (channels.adapters.registry) and each platform's
declaration, so a platform added without its name in the README fails here; the documentation list's links are
checked in test_platform_parts.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from channels.adapters.platform import Platform
from channels.adapters.registry import PLATFORMS, demo_specs, platform_of

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def _said(text: str, platform: Platform) -> bool:
    """Whether `text` names the platform by any of its names (its declaration's name, label and short label, a part
    of a label such as "Stack Overflow / Stack Exchange", or its label's first word: "Discourse forum" is said as
    "Discourse forums"), as a whole word; a one-letter name ("X") only as written."""
    label = platform.label.split(" (")[0]
    names = {platform.name, platform.short_label, label, *label.split(" / "), label.split()[0]} - {""}
    return any(
        re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text, 0 if len(name) == 1 else re.IGNORECASE)
        for name in names
    )


def _mention_sources() -> list[str]:
    """Every kind a mention comes from: all but an issue tracker only (Jira, Linear: the desk files bugs there, reads
    no mention) and the team's own Slack pushing a teammate's question (not a public mention)."""
    kinds = []
    for kind in PLATFORMS:
        p = platform_of(kind)
        tracker_only = p.issues is not None and p.budget is None and not p.pushed
        internal = p.pushed and p.own_place
        if not (tracker_only or internal):
            kinds.append(kind)
    return kinds


def _part(pattern: str) -> str:
    found = re.search(pattern, README, re.DOTALL)
    assert found, f"the README no longer has {pattern!r}: say where its list of platforms went"
    return found.group(1)


INTRO = README.split("\n## ", 1)[0]
DEMO_CHANNELS = _part(r"Every channel kind has a demo channel \((.*?)\)")
DEMO_WRITES = _part(r"On every platform the desk\s+writes to \((.*?)\)")
REPLIES = _part(r"\*\*Mark\s+replied\*\* with the link; (.*?) mails it from")


@pytest.mark.parametrize("kind", _mention_sources())
def test_the_readme_opens_with_every_platform_mentions_come_from(kind):
    assert _said(INTRO, platform_of(kind)), f"{platform_of(kind).label} is not in the README's first paragraph"


@pytest.mark.parametrize("kind", sorted(demo_specs()))
def test_the_demo_list_names_every_platform_with_a_demo_channel(kind):
    assert _said(DEMO_CHANNELS, platform_of(kind)), f"{platform_of(kind).label}: the README's demo channels"


@pytest.mark.parametrize(
    "kind", sorted(k for k, spec in demo_specs().items() if platform_of(k).replies and "account_tokens" in spec)
)
def test_the_demo_list_names_every_platform_it_writes_to(kind):
    assert _said(DEMO_WRITES, platform_of(kind)), f"{platform_of(kind).label}: the README's demo writes there"


@pytest.mark.parametrize("kind", [k for k in PLATFORMS if platform_of(k).replies])
def test_the_first_ten_minutes_name_every_platform_the_desk_replies_on(kind):
    assert _said(REPLIES, platform_of(kind)), f"{platform_of(kind).label}: where the desk posts the reply itself"


def test_the_lists_are_what_they_say_and_the_readme_stays_a_front_door():
    # The matching is not so loose that anything passes: a platform the registry does not read mentions from is not
    # in the first paragraph, and the README stays small (STYLE: a front door, docs behind it).
    assert "jira" not in _mention_sources() and not _said(INTRO, platform_of("jira"))
    assert not _said("Hacker News, Reddit", platform_of("twitter"))
    assert len(README.encode()) < 15_000
