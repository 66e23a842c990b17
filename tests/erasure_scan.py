"""Every model that keeps text, a row of each holding one person's strings, and which models still hold them
after the person is erased: the every-model check that tests/test_person_erasure.py runs on PostgreSQL and
tests/test_embedded_default.py on SQLite (imported by its subprocess, so it lives here rather than in a test).

A model is in the check when its table has a text column (character, text, JSON, or a search vector the
database keeps). Each gets one row whose every text column holds the person's strings (choices columns
excepted: they hold the code's values), tied to the person's ticket, person, identity, message or story where
it has such a key, its other required fields filled plainly (a factory's row where a factory exists). After the
erasure each model is either clean ("scrubbed") or declared free of personal data by its app
(`FREE_OF_PERSONAL_DATA` in the app's `privacy` module: model label -> one line of reason). Anything else fails,
and so does a model declared free that the erasure changed (the declaration would be wrong), so a new model
fails until its app gives it a shredder or a declaration.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone

from people.models import Identity, Person, Requester

TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb", "ARRAY", "bytea")
_neutral_ids = itertools.count(1)


@dataclass
class Theirs:
    """The person an erasure is about, what the rows are tied to, and the strings they hold."""

    person: Person
    identity: Identity
    tickets: list[int]  # tickets they opened: a row takes the first free one where one row per ticket is allowed
    message: Any
    strings: tuple[str, ...]  # their name, a handle, then anything else of theirs (an address)
    story: Any = None
    made: dict[str, str] = field(default_factory=dict)  # model label -> "" (made) or why it could not be

    @classmethod
    def of(cls, person: Person, strings: Iterable[str]) -> Theirs:
        from mentions.models import Message
        from people.models import Authorship

        identities = Identity.objects.filter(person=person).order_by("pk")
        tickets = list(
            Requester.objects.filter(identity__in=identities).order_by("ticket_id").values_list("ticket_id", flat=True)
        )
        written = Authorship.objects.filter(identity__in=identities).values("message_id")
        message = Message.objects.filter(pk__in=written).order_by("pk").first()
        return cls(person, identities[0], tickets, message, tuple(strings))


# --- which models keep text ------------------------------------------------------------------------------------


def text_columns() -> dict[str, list[str]]:
    """{table: its text, JSON and binary columns} for every table, read from the database (so a column Django does
    not know of, a search vector, is in too)."""
    quote = connection.ops.quote_name
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND (data_type = ANY(%s) OR udt_name = 'tsvector') ORDER BY table_name, ordinal_position",
                [list(TEXT_TYPES)],
            )
            rows = cursor.fetchall()
        else:
            rows = []
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"PRAGMA table_xinfo({quote(table)})")
                texty = ("varchar", "char", "text", "json", "clob", "blob")
                rows += [(table, c[1]) for c in cursor.fetchall() if str(c[2]).lower().startswith(texty)]
    for table, column in rows:
        found.setdefault(table, []).append(column)
    return found


def text_models() -> dict[str, type[models.Model]]:
    """{label: model} for every installed model whose table has a text column."""
    columns = text_columns()
    return {
        m._meta.label: m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.db_table in columns and not m._meta.proxy
    }


def tables_without_models() -> list[str]:
    """Tables with text columns that no model owns (Django's own migration record aside): the check would not
    see them, so there must be none."""
    owned = {m._meta.db_table for m in apps.get_models(include_auto_created=True)}
    return sorted(set(text_columns()) - owned - {"django_migrations", "sqlite_sequence"})


def declared_free() -> dict[str, str]:
    """Every app's declaration of its models that hold no community member's text: {label: reason}."""
    out: dict[str, str] = {}
    for config in apps.get_app_configs():
        name = f"{config.name}.privacy"
        if importlib.util.find_spec(config.name) is None or importlib.util.find_spec(name) is None:
            continue
        for label, reason in getattr(importlib.import_module(name), "FREE_OF_PERSONAL_DATA", {}).items():
            assert label not in out, f"{label} is declared twice"
            out[label] = reason
    return out


# --- a row per model -------------------------------------------------------------------------------------------


def _text(f: models.Field, theirs: Theirs) -> str | None:
    limit = f.max_length or 1_000_000
    joined = " ".join(theirs.strings)
    if len(joined) <= limit:
        return joined
    fitting = [s for s in theirs.strings if len(s) <= limit]
    return max(fitting, key=len) if fitting else None


def _bytes(theirs: Theirs) -> bytes:
    # Padded to whole 8-byte words: the columns holding vectors (float16/32) and histograms are read as arrays.
    raw = " ".join(theirs.strings).encode()
    return raw + b" " * (-len(raw) % 8)


def _json(f: models.Field, theirs: Theirs) -> Any:
    return list(theirs.strings) if isinstance(f.get_default(), list) else {s: s for s in theirs.strings}


def _stem(theirs: Theirs) -> str:
    from answers.terms import text_terms

    return text_terms(theirs.strings[0])[0]


def _their_send(theirs: Theirs) -> int:
    """A send of a reply on their ticket: what a reply's image (mentions.ReplyImage) belongs to."""
    from mentions.models import ReplySend

    send = ReplySend.objects.create(key=uuid.uuid4().hex, ticket_id=theirs.tickets[0], sender="desk", body="")
    return send.pk


# Where a column says which ticket or object a row is about without a foreign key, or holds a shape of its own
# (what the app writes there: a word's stem, an @handle as the story detector keeps it).
SHAPES: dict[str, Callable[[Theirs], Any]] = {
    # One version is active at most (a conditional unique constraint) and a demo that learned one has it: a kept one.
    "mentions.JudgementModel.outcome": lambda t: "kept",
    "notifications.CoverageDigest.ticket_ids": lambda t: [t.tickets[0]],
    "api.WebhookDelivery.ticket_id": lambda t: t.tickets[0],
    "admin.LogEntry.object_id": lambda t: str(t.person.pk),
    "stories.Story.term_counts": lambda t: {s: [s, 2] for s in t.strings},
    "answers.Term.term": _stem,
    "stories.TermDay.term": lambda t: "@" + t.strings[1].lstrip("@").casefold(),
    "mentions.ReplyImage.send": _their_send,
    "channels.CompetitorMention.author": lambda t: t.strings[
        1
    ],  # a handle, as the platform gave it  # tied to their ticket through its send
    # A level of its own: the seeded ones hold the thresholds a neutral row would repeat.
    "people.Recognition.to_level": lambda t: _scan_level(),
    "people.ActivityWeight.kind": lambda t: "scan",  # every kind is seeded: one of its own
    "people.Level.threshold": lambda t: 987_655,
    "people.Level.order": lambda t: 9_877,
}


def _scan_level() -> int:
    from people.models import Level

    return Level.objects.get_or_create(name="Scan level", defaults={"threshold": 987_654, "order": 9_876})[0].pk


def _plain(f: models.Field) -> Any:
    """A value for a required field that is not text: its default, or the simplest of its type."""
    if f.has_default():
        return f.get_default()
    if f.choices:
        return f.choices[0][0]
    if f.null:
        return None
    if isinstance(f, models.DateTimeField):
        return timezone.now() + timedelta(days=1)  # later than the row's own creation (an expiry, a due time)
    if isinstance(f, models.DateField):
        return date(2001, 1, 1)  # a day long past: outside any period a test's reports compute again
    if isinstance(f, models.TimeField):
        return time(9)
    if isinstance(f, models.DurationField):
        return timedelta(0)
    if isinstance(f, models.BooleanField):
        return False
    if isinstance(f, models.DecimalField):
        return Decimal(0)
    if isinstance(f, models.UUIDField):
        return uuid.uuid4()
    if isinstance(f, models.GenericIPAddressField):
        return "192.0.2.1"
    if isinstance(f, models.BinaryField):
        return b""
    if isinstance(f, models.IntegerField | models.FloatField):
        return 1
    if isinstance(f, models.JSONField):
        return {}
    if isinstance(f, models.CharField | models.TextField):
        return f"n{next(_neutral_ids)}"[: f.max_length or 20]
    raise AssertionError(f"no plain value for {f.model._meta.label}.{f.name} ({type(f).__name__})")


def _factories() -> dict[str, Any]:
    from channels.tests.factories import ChannelFactory
    from experts.tests.factories import ExpertFactory, ProductAreaFactory
    from mentions.tests.factories import TicketFactory, UserFactory, ViewFactory
    from people.tests.factories import PersonFactory

    return {
        "auth.User": UserFactory,
        "channels.Channel": ChannelFactory,
        "experts.Expert": ExpertFactory,
        "experts.ProductArea": ProductAreaFactory,
        "mentions.Ticket": TicketFactory,
        "mentions.View": ViewFactory,
        "people.Person": PersonFactory,
    }


def _neutral_row(model: type[models.Model]) -> models.Model:
    """A row a required foreign key can point at, holding none of the person's strings."""
    factory = _factories().get(model._meta.label)
    if factory is not None:
        return factory()
    values = {}
    for f in model._meta.concrete_fields:
        if (f.primary_key and f.auto_created) or isinstance(f, models.AutoField):
            continue
        if f.is_relation:
            values[f.name] = None if f.null else _neutral_row(_target(f))
        elif not f.has_default() or not f.blank:
            values[f.name] = _plain(f)
    return model._base_manager.create(**values)


def _free_ticket(model: type[models.Model], f: models.Field, theirs: Theirs) -> int:
    """The person's first ticket with no row of `model` yet, where `f` allows one row per ticket."""
    if not f.unique:
        return theirs.tickets[0]
    for ticket_id in theirs.tickets:
        if not model._base_manager.filter(**{f.attname: ticket_id}).exists():
            return ticket_id
    from mentions.models import Ticket

    return build_row(Ticket, theirs).pk  # one more ticket of theirs


def _their_story(theirs: Theirs) -> Any:
    if theirs.story is None:
        from stories.models import Story

        theirs.story = build_row(Story, theirs)
    return theirs.story


def _target(f: models.Field) -> type[models.Model]:
    assert isinstance(f.related_model, type) and issubclass(f.related_model, models.Model), f
    return f.related_model


def _related(model: type[models.Model], f: models.Field, theirs: Theirs) -> Any:
    target = _target(f)._meta.label
    if _target(f) is model:
        return None  # a row pointing at itself (merged into): left empty
    ties: dict[str, Callable[[], Any]] = {
        "mentions.Ticket": lambda: _free_ticket(model, f, theirs),
        "people.Person": lambda: theirs.person.pk,
        "people.Identity": lambda: theirs.identity.pk,
        "mentions.Message": lambda: theirs.message.pk,
        "stories.Story": lambda: _their_story(theirs).pk,
        "contenttypes.ContentType": lambda: ContentType.objects.get_for_model(Person).pk,
    }
    if target in ties:
        return ties[target]()
    if f.null:
        return None
    return _neutral_row(_target(f)).pk


def row_values(model: type[models.Model], theirs: Theirs) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        shape = SHAPES.get(f"{model._meta.label}.{f.name}")
        if shape is not None:
            values[f.attname] = shape(theirs)
        elif f.is_relation:
            values[f.attname] = _related(model, f, theirs)
        elif f.primary_key and (f.auto_created or isinstance(f, models.AutoField)):
            continue
        elif f.choices:
            values[f.attname] = f.get_default() if f.has_default() else f.choices[0][0]
        elif isinstance(f, models.JSONField):
            values[f.attname] = _json(f, theirs)
        elif isinstance(f, models.CharField | models.TextField):
            text = _text(f, theirs)
            values[f.attname] = text if text is not None else _plain(f)
        elif isinstance(f, models.BinaryField):  # a vector or an image made of their words: their strings' bytes
            values[f.attname] = _bytes(theirs)
        else:
            values[f.attname] = _plain(f)
    return values


def build_row(model: type[models.Model], theirs: Theirs) -> models.Model:
    """One row of `model` holding the person's strings, tied to them, inserted as it is (no save() logic)."""
    label = model._meta.label
    if label == "people.Person":  # their own row: every text column of it filled, their name kept as the desk knows it
        values = row_values(model, theirs)
        texts = {
            f.attname: values[f.attname]
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices and f.name != "name"
        }
        model._base_manager.filter(pk=theirs.person.pk).update(**texts)
        return theirs.person
    row = model._base_manager.bulk_create([model(**row_values(model, theirs))])[0]
    if label == "mentions.Ticket":  # a ticket is theirs when they are its requester
        Requester.objects.create(ticket_id=row.pk, identity=theirs.identity)
        theirs.tickets.append(row.pk)
    elif label == "stories.Story":  # a story is theirs when one of their tickets is in it
        from stories.models import Membership

        ticket_id = _free_ticket(Membership, Membership._meta.get_field("ticket"), theirs)
        Membership.objects.create(story_id=row.pk, ticket_id=ticket_id, via="link", reason="links to their post")
    return row


def rows_build(theirs: Theirs) -> dict[str, str]:
    """A row of every model that keeps text; {label: ""} when made, else why it could not be."""
    for label, model in sorted(text_models().items()):
        if label == "stories.Story" and theirs.story is not None:
            theirs.made[label] = ""
            continue
        try:
            from django.db import transaction

            with transaction.atomic():
                built = build_row(model, theirs)
                if label == "stories.Story":
                    theirs.story = built
            theirs.made[label] = ""
        except Exception as error:
            theirs.made[label] = f"{type(error).__name__}: {error}"
    return theirs.made


# --- the scan and the verdicts ---------------------------------------------------------------------------------


def _binary_columns() -> set[tuple[str, str]]:
    if connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND data_type = 'bytea'"
        )
        return set(cursor.fetchall())


def columns_with_hits(after: dict[str, list[str]], declared: dict[str, str]) -> list[str]:
    """ "<model>.<column>" for every column still holding one of the strings, in a model not declared free of
    personal data (a declared model keeps what the scan itself wrote into it: staff's and admins' rows)."""
    return sorted(
        {f"{label}.{hit.split(':', 1)[0]}" for label, hits in after.items() if label not in declared for hit in hits}
    )


def scan_strings(strings: Iterable[str]) -> list[str]:
    """The strings and, where they differ, as JSON writes them with ASCII escapes (SQLite keeps JSON so)."""
    out: list[str] = []
    for s in strings:
        for variant in (s, json.dumps(s)[1:-1]):
            if variant not in out:
                out.append(variant)
    return out


def holders(strings: Iterable[str]) -> dict[str, list[str]]:
    """{model label: ["column: string", ...]} for every model whose table holds one of `strings` anywhere."""
    quote = connection.ops.quote_name
    postgresql = connection.vendor == "postgresql"
    like = "ILIKE" if postgresql else "LIKE"
    by_table = {m._meta.db_table: label for label, m in text_models().items()}
    binary = _binary_columns()
    wanted = scan_strings(strings)
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table, columns in text_columns().items():
            if table not in by_table:
                continue
            for column in columns:
                # A binary column read as its bytes' text (PostgreSQL: printable bytes as they are; SQLite reads a
                # blob cast to TEXT as UTF-8).
                as_text = (
                    f"encode({quote(column)}, 'escape')"
                    if postgresql and (table, column) in binary
                    else f"CAST({quote(column)} AS TEXT)"
                )
                for text in wanted:
                    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
                    cursor.execute(
                        # Names from the catalogue, quoted; the string is a parameter.
                        f"SELECT count(*) FROM {quote(table)} "  # noqa: S608
                        f"WHERE {as_text} {like} %s ESCAPE '\\'",
                        [pattern],
                    )
                    if cursor.fetchone()[0]:
                        found.setdefault(by_table[table], []).append(f"{column}: {text}")
    return found


@dataclass
class Verdict:
    label: str
    outcome: str
    failed: bool

    def __str__(self) -> str:
        return f"{'FAIL ' if self.failed else ''}{self.label} → {self.outcome}"


def verdicts(
    made: dict[str, str], before: dict[str, list[str]], after: dict[str, list[str]], declared: dict[str, str]
) -> list[Verdict]:
    """Each model that keeps text: scrubbed, or declared free of personal data (with the reason), or failed."""
    out = []
    for label in sorted(text_models()):
        reason = declared.get(label)
        if made.get(label):
            out.append(Verdict(label, f"no row could be made: {made[label]}", True))
        elif label in after and reason is None:
            out.append(Verdict(label, f"still holds {', '.join(after[label])}; not declared free", True))
        elif label in after:
            out.append(Verdict(label, f"declared free ({reason})", False))
        elif reason is not None and label in before:
            out.append(Verdict(label, f"declared free ({reason}) but the erasure changed it", True))
        elif reason is not None:
            out.append(Verdict(label, f"declared free ({reason}); its columns cannot hold the strings", False))
        elif label not in before:
            out.append(Verdict(label, "held none of the strings before the erasure; declare it free", True))
        else:
            out.append(Verdict(label, "scrubbed", False))
    return out
