"""regexp_replace on the embedded default's SQLite (advocacy.sqlite) does what PostgreSQL's does with what the desk
passes it: the erasure's pattern (people.erasing.strings_pattern: every character that is not a letter, digit or
underscore escaped) and PostgreSQL's replacement escapes. Each case runs on PostgreSQL, the suite's database, and
through the function SQLite calls, and both must give the same text; a Django SQLite connection has the function.
The names are made up to hold every ASCII punctuation mark and a few other scripts."""

from __future__ import annotations

import json
import string

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

from advocacy.sqlite import regexp_replace
from people.erasing import ERASED, strings_pattern

pytestmark = pytest.mark.django_db

NAMES = [
    f"Ann {string.punctuation} Lee",
    'Ann "A&B" O\'Neil',
    "Zoë Ødegård-Łukasiewicz",
    "李小龙 (Bruce)",
    "José María [JM] {dev}",
    "a.b+c@example.org",
    "back\\slash\\name",
    "emoji 🚀 rocket_fan",
    "tab\tand\nnewline",
    "$^*?|.+ regex_chars",
    "https://example.org/u/vera?x=1&y=2#top",
]


def _pg(text: str | None, pattern: str, replacement: str, flags: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT regexp_replace(%s, %s, %s, %s)", [text, pattern, replacement, flags])
        return cursor.fetchone()[0]


def _as_copied(name: str) -> list[str]:
    """The forms a copy of a name takes in the desk's columns: in text, in any case, in JSON (as PostgreSQL prints
    it and with Django's ASCII escapes), escaped for Slack."""
    slack = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return [
        f"hi {name}, bye {name}",
        name.upper(),
        json.dumps({"n": name}, ensure_ascii=False),
        json.dumps({"n": name}),
        f"• <https://desk/t/1|#1> {slack}",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_the_erasure_pattern_replaces_the_same_text_on_postgresql_and_sqlite(name):
    pattern = strings_pattern([name])
    for text in _as_copied(name):
        on_postgresql = _pg(text, pattern, ERASED, "gi")
        assert on_postgresql is not None and ERASED in on_postgresql, (name, text)
        assert regexp_replace(text, pattern, ERASED, "gi") == on_postgresql, (name, text)


@pytest.mark.parametrize(
    "replacement", [r"\\[erased\\]", r"<\&>", r"\2-\1", r"\[x\]", r"a\\\\b", "plain", r"\0 and \9", "end\\"]
)
def test_replacement_escapes_are_read_as_postgresql_reads_them(replacement):
    text, pattern = "xxABcdyy abcd", "(ab)(cd)"
    for flags in ("gi", "i", "g", ""):
        assert regexp_replace(text, pattern, replacement, flags) == _pg(text, pattern, replacement, flags), flags


def test_null_in_null_out():
    assert regexp_replace(None, "a", "b", "g") is None
    assert _pg(None, "a", "b", "g") is None


def test_a_django_sqlite_connection_has_the_function():
    """The embedded default's connections get it when they open (connection_created)."""
    handler = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
    sqlite = handler["default"]
    try:
        with sqlite.cursor() as cursor:
            cursor.execute("SELECT regexp_replace(%s, %s, %s, %s)", ["Vera K and vera k", r"vera\ k", ERASED, "gi"])
            assert cursor.fetchone()[0] == f"{ERASED} and {ERASED}"
    finally:
        sqlite.close()


# A person's platform ids and phone numbers (people.identifiers), each beside a near miss that must stay: a longer
# id or number holding theirs, another account's DID.
IDENTIFIER_CASES = [
    ("at://did:plc:zyxqoppa42/app.bsky.feed.post/3k", "at://[erased]/app.bsky.feed.post/3k"),
    ("at://did:plc:zyxqoppa42x/app.bsky.feed.post/3k", "at://did:plc:zyxqoppa42x/app.bsky.feed.post/3k"),
    ("https://x.com/messages/1500-1790000000004242424", "https://x.com/messages/1500-[erased]"),
    ('{"in_reply_to_user_id": "1790000000004242424"}', '{"in_reply_to_user_id": "[erased]"}'),
    ("ids 17900000000042424245 and 21790000000004242424", "ids 17900000000042424245 and 21790000000004242424"),
    ("call +1 415 555 0132 or (415) 555-0132", "call [erased] or [erased]"),
    ("1-415-555-0132, 4155550132, tel:%2B14155550132", "[erased], [erased], tel:[erased]"),
    ("order 941555501320 on 2026-11-02", "order 941555501320 on 2026-11-02"),
    ("office +49 (0)30 1234 5678, 030/12345678, 0049 30 12345678", "office [erased], [erased], [erased]"),
    ("https://forum.example.com/t/jane-doe-example-com/7?to=jane.doe%40example.com", None),
]


@pytest.mark.parametrize(("text", "expected"), IDENTIFIER_CASES)
def test_ids_phone_numbers_and_slugs_are_replaced_alike_on_postgresql_and_sqlite(text, expected):
    from people.identifiers import ids_pattern, phones_pattern

    pattern = "|".join(
        [
            strings_pattern(["jane.doe@example.com"]),
            ids_pattern(["did:plc:zyxqoppa42", "1790000000004242424"]),
            phones_pattern(["+14155550132", "+493012345678"]),
        ]
    )
    on_postgresql = _pg(text, pattern, ERASED, "gi")
    assert regexp_replace(text, pattern, ERASED, "gi") == on_postgresql
    assert on_postgresql == (expected or f"https://forum.example.com/t/{ERASED}/7?to={ERASED}")


def test_a_json_column_stays_json_with_a_bare_numeric_id_replaced():
    from people.erasing import Erasing
    from people.models import Person

    erasing = Erasing(Person(name="x"), [], [], [], [], ["Zyxwvut Qoppa"], ids=["1790000000004242424"])
    raw = {"author_id": 1790000000004242424, "n": 17900000000042424245, "by": "Zyxwvut Qoppa", "ok": True}
    assert erasing.json_replaced(raw) == {"author_id": ERASED, "n": 17900000000042424245, "by": ERASED, "ok": True}
