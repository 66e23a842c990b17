"""What an erasure reaches and how a copy of a person's strings is replaced where it stands: `Erasing`, handed to
every shredder (people.privacy.erasure_hooks), with the pattern of their strings, the rows that are theirs, and
`scrub`, which replaces their strings in the text and JSON columns of a set of rows in one UPDATE.

The pattern is one case-insensitive regular expression that PostgreSQL (`~*`, `regexp_replace`) and Python's `re`
(SQLite's REGEXP, and `regexp_replace` there: advocacy.sqlite) read the same way: every character that is not a
letter, digit or underscore is escaped with a backslash, which both read as that character itself; the forms of
a platform id and a phone number (people.identifiers) use only bracket classes, `(?:…)`, `?`, `{m,n}` and the
lookarounds `(?<!…)`/`(?!…)`, which both read alike too.
"""

from __future__ import annotations

import html
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

from people.identifiers import ids_pattern, phones_pattern, regex_escaped, slug_forms
from people.models import Person

ERASED = "[erased]"
# Shorter strings (a two-letter handle) would match inside too many other words to be replaced blindly.
SHORTEST = 3
# A string cut short by a clip is recognised from this many of its first characters (people.erasing.Erasing.cut_in).
CUT_SHORTEST = 4
_WORD = re.compile(r"[^\W_]+")


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
            in_html = html.escape(text)  # as a rendered page holds it (a cached fragment)
            in_json = {json.dumps(text, ensure_ascii=False)[1:-1], json.dumps(text)[1:-1]}
            # In a link's path or query, encoded once or twice (jane%40example.com, jane%2540example.com), and as
            # a slug in a link's path (a forum topic titled with their address: /t/jane-doe-example-com/12).
            encoded = {quote(text), quote_plus(text), quote(text, safe=""), quote(quote(text, safe=""), safe="")}
            variants |= {text, escaped, in_html, *encoded, *in_json, *slug_forms(text)}
    return "|".join(regex_escaped(v) for v in sorted(variants, key=lambda v: (-len(v), v)))


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
    # Their accounts' own ids on the platforms (a Bluesky DID, an X user id) and their phone numbers (E.164),
    # found by people.identifiers: matched in their own forms (whole ids; a number in any spacing).
    ids: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    pattern: str = field(init=False)

    def __post_init__(self) -> None:
        parts = (strings_pattern(self.strings), ids_pattern(self.ids), phones_pattern(self.phones))
        self.pattern = "|".join(p for p in parts if p)

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

    def cut_in(self, text: str) -> bool:
        """Whether `text` holds one of their strings cut short where the desk clipped a quote ("jane.doe@exa…"),
        which the pattern cannot find: at least CUT_SHORTEST of its first characters just before an ellipsis."""
        folded = text.casefold()
        for clip in re.finditer("…|\\.\\.\\.", folded):
            before = folded[: clip.start()].rstrip()
            for string in self.strings:
                string = string.casefold()
                if any(before.endswith(string[:n]) for n in range(CUT_SHORTEST, len(string) + 1)):
                    return True
        return False

    def replaced(self, text: str) -> str:
        """`text` with each of their strings replaced by ERASED, as `scrub` does in the database."""
        return self._compiled.sub(ERASED, text) if self._compiled else text

    def scrub(self, rows: models.QuerySet[Any], *names: str, replacement: str = ERASED) -> int:
        """Replace every copy of the person's strings in these columns of these rows (every text and JSON column,
        `text_columns`, when none is named), in place; answers how many rows changed. `replacement` is read as
        PostgreSQL's regexp_replace reads it (a backslash escapes).

        Text columns are rewritten by one UPDATE. JSON is rewritten value by value here (`json_replaced`): a
        platform id stands bare in JSON as a number (`"in_reply_to_user_id": 1234567890`), and replacing it in
        the JSON's text would leave JSON that is not."""
        names = names or tuple(text_columns(rows.model))
        if not self.pattern or not names:
            return 0
        model = rows.model
        json_names = [n for n in names if isinstance(model._meta.get_field(n), models.JSONField)]
        matches: Any = Q()  # ORed with lookups (conditional expressions)
        updates: dict[str, Any] = {}
        for name in names:
            is_json = name in json_names
            text = Cast(F(name), TextField()) if is_json else F(name)
            matches |= IRegex(text, self.pattern)
            if not is_json:
                updates[name] = Func(
                    text,
                    Value(self.pattern),
                    Value(replacement),
                    Value("gi"),
                    function="regexp_replace",
                    output_field=TextField(),
                )
        matched = list(rows.filter(matches).values_list("pk", flat=True))
        if not matched:
            return 0
        if updates:
            model._base_manager.filter(pk__in=matched).update(**updates)
        if json_names:
            shown = re.sub(r"\\(.)", r"\1", replacement)  # as regexp_replace reads it
            rewritten = []
            for row in model._base_manager.filter(pk__in=matched).only("pk", *json_names):
                for name in json_names:
                    setattr(row, name, self.json_replaced(getattr(row, name), shown))
                rewritten.append(row)
            model._base_manager.bulk_update(rewritten, json_names, batch_size=500)
        return len(matched)

    def json_replaced(self, value: Any, replacement: str = ERASED) -> Any:
        """`value` (decoded JSON) with their strings replaced in every string and key, and a number that is one of
        their ids replaced by `replacement` as a string."""
        if isinstance(value, str):
            return self._compiled.sub(lambda _m: replacement, value) if self._compiled else value
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            return replacement if self._compiled and self._compiled.fullmatch(str(value)) else value
        if isinstance(value, list):
            return [self.json_replaced(v, replacement) for v in value]
        if isinstance(value, dict):
            return {self.json_replaced(k, replacement): self.json_replaced(v, replacement) for k, v in value.items()}
        return value
