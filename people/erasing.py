"""What an erasure reaches and how a copy of a person's strings is replaced where it stands: `Erasing`, handed to
every shredder (people.privacy.erasure_hooks), with the pattern of their strings, the rows that are theirs, and
`scrub`, which replaces their strings in the text and JSON columns of a set of rows in one UPDATE.

The pattern is one case-insensitive regular expression that PostgreSQL (`~*`, `regexp_replace`) and Python's `re`
(SQLite's REGEXP, and `regexp_replace` there: advocacy.sqlite) read the same way: every character that is not a
letter, digit or underscore is escaped with a backslash, which both read as that character itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote, quote_plus

from django.db import models
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Cast
from django.db.models.lookups import IRegex

from people.models import Person

ERASED = "[erased]"
# Shorter strings (a two-letter handle) would match inside too many other words to be replaced blindly.
SHORTEST = 3
_WORD = re.compile(r"[^\W_]+")


def _regex_escaped(text: str) -> str:
    """`text` as a literal in a PostgreSQL or Python regular expression: a backslash before every character that
    is not a letter, digit or underscore (a backslash before those would be an escape, a class or a group)."""
    return "".join(c if c.isalnum() or c == "_" else "\\" + c for c in text)


def strings_pattern(strings: list[str]) -> str:
    """One case-insensitive alternation of `strings` and their escaped forms, longest first so a name is
    replaced whole before a handle inside it."""
    variants: set[str] = set()
    for text in strings:
        text = text.strip()
        if len(text) >= SHORTEST:
            # As written; inside JSON text (as PostgreSQL prints it, and with ASCII escapes as Django writes JSON on
            # SQLite); escaped for Slack or HTML (& < >), as the lines sent there hold it; in a URL's query (a saved
            # search, a link to a profile).
            escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            in_json = {json.dumps(text, ensure_ascii=False)[1:-1], json.dumps(text)[1:-1]}
            variants |= {text, escaped, quote(text), quote_plus(text), *in_json}
    return "|".join(_regex_escaped(v) for v in sorted(variants, key=lambda v: (-len(v), v)))


def text_columns(model: type[models.Model]) -> list[str]:
    """The columns of `model` that can hold someone's text: character, text and JSON fields, less those whose
    values the code chooses (choices) and a text primary key (a row's identity is dropped, never rewritten)."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField) and not f.choices and not f.primary_key
    ]


@dataclass
class Erasing:
    """What one erasure reaches: the person's identities, the messages they wrote, the tickets they opened,
    every ticket holding one of their messages or a message addressed to them, their strings (name, handles,
    addresses, profile links) and the pattern that finds them."""

    person: Person
    identity_ids: list[int]
    message_ids: list[int]
    opened_ticket_ids: list[int]
    ticket_ids: list[int]
    strings: list[str]
    pattern: str = field(init=False)

    def __post_init__(self) -> None:
        self.pattern = strings_pattern(self.strings)

    @cached_property
    def _compiled(self) -> re.Pattern[str] | None:
        return re.compile(self.pattern, re.IGNORECASE) if self.pattern else None

    @cached_property
    def words(self) -> set[str]:
        """The words their name, handles and addresses are made of (lower-cased, SHORTEST letters or more), for
        the indexes that keep words rather than text (stems, story terms): "Vera Kowalska", "vera_k" and
        "vera.k@example.org" give vera, kowalska. An address gives the words before its @ only, a link none."""
        words: set[str] = set()
        for text in self.strings:
            if "://" in text:
                continue
            local = text.rsplit("@", 1)[0] if "@" in text.lstrip("@") else text
            words |= {w.casefold() for w in _WORD.findall(local) if len(w) >= SHORTEST}
        return words

    def matches(self, text: str) -> bool:
        """Whether `text` holds one of their strings."""
        return bool(self._compiled and self._compiled.search(text))

    def replaced(self, text: str) -> str:
        """`text` with each of their strings replaced by ERASED, as `scrub` does in the database."""
        return self._compiled.sub(ERASED, text) if self._compiled else text

    def scrub(self, rows: models.QuerySet[Any], *names: str, replacement: str = ERASED) -> int:
        """Replace every copy of the person's strings in these columns of these rows (every text and JSON column,
        `text_columns`, when none is named), in place; answers how many rows changed. `replacement` is read as
        PostgreSQL's regexp_replace reads it (a backslash escapes)."""
        names = names or tuple(text_columns(rows.model))
        if not self.pattern or not names:
            return 0
        model = rows.model
        matches: Any = Q()  # ORed with lookups (conditional expressions)
        updates: dict[str, Any] = {}
        for name in names:
            is_json = isinstance(model._meta.get_field(name), models.JSONField)
            text = Cast(F(name), TextField()) if is_json else F(name)
            matches |= IRegex(text, self.pattern)
            replaced: Any = Func(
                text,
                Value(self.pattern),
                Value(replacement),
                Value("gi"),
                function="regexp_replace",
                output_field=TextField(),
            )
            updates[name] = Cast(replaced, models.JSONField()) if is_json else replaced
        return rows.filter(matches).update(**updates)
