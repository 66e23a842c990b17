"""The people the platforms' tests talk about, named once: our advocate, a community member asking, a bystander
joining the thread, an expert the desk asks, and a spammer. Each has a handle per platform (the shape that
platform's handles take), so a test says who posts (`MEMBER.on("twitter")`) instead of inventing a name, and
tests of different platforms tell the same story.

Only names live here: the payloads stay in each platform's recorded shapes (its tests/fixtures/SOURCES.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Persona:
    role: str  # what the person is to the desk, in words
    name: str  # the display name
    handles: Mapping[str, str] = field(default_factory=dict)  # channel kind -> handle there

    def __post_init__(self) -> None:
        object.__setattr__(self, "handles", MappingProxyType(dict(self.handles)))

    def on(self, kind: str) -> str:
        """The persona's handle on the platform `kind` (KeyError: the persona has none there)."""
        return self.handles[kind]


ADVOCATE = Persona(
    "one of our advocates: what they post is our reply, never a ticket",
    "Gabe from GitLab",
    {
        "twitter": "GitLab",
        "hackernews": "gitlab_gabe",
        "reddit": "gitlab_gabe",
        "stackexchange": "Gabe",
        "disqus": "gitlab_gabe",
        "discourse": "gabe",
        "email": "community@example.com",
    },
)
MEMBER = Persona(
    "a community member with a question: their post opens a ticket",
    "Alice",
    {
        "twitter": "alice",
        "hackernews": "alice",
        "reddit": "alice",
        "stackexchange": "Alice",
        "disqus": "alice",
        "discourse": "alice",
        "email": "alice@example.org",
    },
)
BYSTANDER = Persona(
    "another member in the same thread or search: theirs is a mention of its own, not ours",
    "Bob",
    {
        "twitter": "bob",
        "hackernews": "bob",
        "reddit": "bob",
        "stackexchange": "Bob",
        "disqus": "bob",
        "discourse": "bob",
        "email": "bob@example.org",
    },
)
EXPERT = Persona(
    "an expert the desk asks to answer: their answer on the platform closes the outreach",
    "Erin Expert",
    {
        "twitter": "erin_codes",
        "hackernews": "erin",
        "reddit": "erin_codes",
        "stackexchange": "Erin",
        "disqus": "erin_codes",
        "discourse": "erin",
        "email": "erin@example.org",
    },
)
SPAMMER = Persona(
    "a spammer: triage rules should close what they post",
    "Cheap Followers",
    {
        "twitter": "cheap_followers",
        "hackernews": "cheapfollowers",
        "reddit": "cheap_followers",
        "stackexchange": "Cheap Followers",
        "disqus": "cheap_followers",
        "discourse": "cheap_followers",
        "email": "offers@spam.example",
    },
)
