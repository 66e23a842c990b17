"""What the platforms' cursors (`Channel.cursor`) and walks keep and read back the same way: a map of ids to the
second each was created or handed over, cleaned and cut to its newest; a time read as such a second; a platform's
paging token fit to be stored. And `Stored`, the base of a cursor whose fields say how each is read back (`kept`,
with a `Reading`): it loads them from untrusted JSON, dropping what is damaged, dumps them, and writes the cursor's
`VERSION`, once for every cursor instead of by hand in each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, Field, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Self, TypeVar, dataclass_transform

from channels import clean

T = TypeVar("T")


def stamps(raw: Any) -> dict[str, int]:
    """A stored map of ids to whole epoch seconds, cleaned: what is not an id with a second is dropped."""
    found = {clean.ident(k): clean.whole(v, minimum=0) for k, v in clean.mapping(raw).items()}
    return {k: v for k, v in found.items() if k and v is not None}


def newest(stamped: dict[str, int], limit: int) -> dict[str, int]:
    """The `limit` newest entries of a map of ids to seconds, oldest first (the same second: by id)."""
    return dict(sorted(stamped.items(), key=lambda kv: (kv[1], kv[0]))[-limit:])


def epoch_of(value: Any) -> int | None:
    """An ISO 8601 time as whole epoch seconds; None when it is not one."""
    moment = clean.iso_time(value)
    return int(moment.timestamp()) if moment is not None else None


def token(value: Any, *, max_length: int) -> str | None:
    """A platform's paging token (a cursor, an `after`) the channel's cursor may keep: only a plain short string
    (no NUL, surrogate or control character); None otherwise."""
    fits = isinstance(value, str) and value and len(value) <= max_length and clean.ident(value) == value
    return value if fits else None


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Reading(Generic[T]):
    """How a kept field is read back and written: `read` cleans the stored value (None: missing or damaged, the
    field keeps its default), `write` gives what is stored."""

    read: Callable[[Any], T | None]
    write: Callable[[T], Any] = _same


def whole(*, minimum: int | None = None, maximum: int | None = None) -> Reading[int]:
    """A whole number (a second, a count, a page), within bounds."""
    return Reading(lambda value: clean.whole(value, minimum=minimum, maximum=maximum))


def ident(*, max_length: int = clean.ID_MAX) -> Reading[str]:
    """A platform id (`clean.ident`)."""
    return Reading(lambda value: clean.ident(value, max_length=max_length) or None)


def line(*, max_length: int) -> Reading[str]:
    """One line of text (`clean.line`): a name, a validator, an error said."""
    return Reading(lambda value: clean.line(value, max_length=max_length))


def text() -> Reading[str]:
    """Any string, as it was stored (a name compared to the one configured)."""
    return Reading(lambda value: value if isinstance(value, str) else None)


def flag() -> Reading[bool]:
    """True only when stored as true."""
    return Reading(lambda value: value is True)


def moment(*, timespec: str) -> Reading[datetime]:
    """An ISO 8601 time, in UTC, written back to `timespec` with a Z."""

    def read(value: Any) -> datetime | None:
        found = clean.iso_time(value)
        return found.astimezone(UTC) if found is not None else None

    def write(at: datetime) -> str:
        return at.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")

    return Reading(read, write)


def seconds(*, limit: int | None = None) -> Reading[dict[str, int]]:
    """A map of ids to seconds (`stamps`), written cut to its `limit` newest (`newest`) when it has one."""
    return Reading(stamps, (lambda kept: newest(kept, limit)) if limit is not None else _same)


def ids(*, max_length: int = clean.ID_MAX) -> Reading[list[str]]:
    """A list of ids, in order; what is not one is dropped."""
    return Reading(lambda value: [i for i in (clean.ident(v, max_length=max_length) for v in clean.items(value)) if i])


S = TypeVar("S", bound="Stored")


def nested(kind: type[S]) -> Reading[S]:
    """A part kept as its own `Stored` (None when a field it cannot go without is damaged: `Stored.loaded`)."""
    return Reading(kind.loaded, lambda part: part.dump())


def _ident(value: Any) -> str | None:
    return clean.ident(value) or None


def keyed(reading: Reading[T], *, key: Callable[[Any], Any] = _ident) -> Reading[dict[Any, T]]:
    """A map of ids (read by `key`, by default `clean.ident`: None drops the entry; written as text) to values read
    by `reading` (None drops it too)."""

    def read(value: Any) -> dict[Any, T]:
        found = ((key(k), reading.read(v)) for k, v in clean.mapping(value).items())
        return {k: v for k, v in found if k is not None and v is not None}

    return Reading(read, lambda kept: {str(k): reading.write(v) for k, v in kept.items()})


@dataclass(frozen=True)
class Kept:
    reading: Reading[Any]  # (a field holding None is written as null)
    key: str | None  # the key it is stored under, when it is not the field's name
    optional: bool  # not written while the field holds its default


def kept(
    reading: Reading[Any],
    *,
    key: str | None = None,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    optional: bool = False,
) -> Any:
    """A `Stored` field kept in the channel's cursor: read back by `reading` from `key` (by default the field's name);
    an `optional` one is not written while it holds its default. Without a default, the field is one its part cannot
    go without (`Stored.loaded`)."""
    return field(default=default, default_factory=default_factory, metadata={"kept": Kept(reading, key, optional)})


@dataclass_transform(field_specifiers=(kept, field))
class Stored:
    """A cursor, or a part of one, whose `kept` fields say how each is read back from the stored JSON and written:
    `load` cleans untrusted JSON into it (what is damaged is dropped: the field keeps its default), `dump` writes
    it, with `VERSION` as "version" when the cursor writes one. A subclass is a dataclass (`class Cursor(Stored,
    frozen=True)` passes dataclass arguments); fields not `kept` are the poll's own. A cursor whose load needs what
    the poll knows (the time, the config) reads its fields with `cleaned` and applies that in its own classmethod."""

    VERSION: ClassVar[int | None] = None
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]  # set on each subclass (`__init_subclass__`)

    def __init_subclass__(cls, **options: Any) -> None:
        super().__init_subclass__()
        dataclass(cls, **options)

    @classmethod
    def cleaned(cls, raw: Any) -> dict[str, Any]:
        """The kept fields that `raw` holds usable, by field name."""
        raw = clean.mapping(raw)
        found: dict[str, Any] = {}
        for each in fields(cls):
            how = each.metadata.get("kept")
            if how is not None and (value := how.reading.read(raw.get(how.key or each.name))) is not None:
                found[each.name] = value
        return found

    @classmethod
    def load(cls, raw: Any) -> Self:
        """The cursor `raw` holds, each kept field missing or damaged at its default (a part with a kept field that
        has none is read by `loaded`)."""
        return cls(**cls.cleaned(raw))

    @classmethod
    def loaded(cls, raw: Any) -> Self | None:
        """The part, or None when a kept field without a default is missing or damaged."""
        found = cls.cleaned(raw)
        needed = (f.name for f in fields(cls) if "kept" in f.metadata and f.default is f.default_factory is MISSING)
        return cls(**found) if all(name in found for name in needed) else None

    def dump(self) -> dict[str, Any]:
        dumped: dict[str, Any] = {} if self.VERSION is None else {"version": self.VERSION}
        for each in fields(self):
            how, value = each.metadata.get("kept"), getattr(self, each.name)
            if how is None or (how.optional and value == _default(each)):
                continue
            dumped[how.key or each.name] = how.reading.write(value) if value is not None else None
        return dumped


def _default(each: Field[Any]) -> Any:
    return each.default_factory() if each.default is MISSING and each.default_factory is not MISSING else each.default
