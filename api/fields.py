"""Input fields that accept exactly what the OpenAPI schema says, and the schema that says it.

DRF's own fields are lenient in ways the schema cannot state: a CharField takes the number 5 as "5" and
trims white space before it measures, an IntegerField reads "1.0" and " 1" as 1, a DateField reads
"2026-1-5". A client (or schemathesis) holding the schema would then see invalid requests accepted. These
fields take the wire value as it is, so the schema and the server agree on every value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils.dateparse import parse_datetime
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

# White space as both Python (str.isspace, what the services' strip() removes) and JavaScript's regular
# expressions (\s, what the schema's patterns are checked with) read it: their union, written out so that
# every regular expression engine reads the pattern alike.
SPACE_CLASS = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
SPACE = frozenset(
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
)
# PostgreSQL text cannot hold a NUL character.
NO_NUL_PATTERN = r"^[^\x00]*$"
# White space, then the first other character, then anything but NUL: one way to match, so a regular
# expression engine that backtracks (Python's) checks a long text in linear time.
HAS_TEXT_PATTERN = r"^[" + SPACE_CLASS + r"]*[^\x00" + SPACE_CLASS + r"][^\x00]*$"
INTEGER = re.compile(r"[+-]?[0-9]+")
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# An unknown field's name is said back: cut, and only so many, so a body of 10,000 odd keys is not a 10,000-line answer.
UNKNOWN_NAMES_SAID = 20
UNKNOWN_NAME_LENGTH = 100


class StrictInput(serializers.Serializer):
    # The base of every request body's serializer: a field it does not declare is a 400 naming it. DRF drops them
    # silently, so a typo (`{"judgment": "noise"}`) was a 200 that changed nothing; the schema says the same
    # (`additionalProperties: false`, api/schema.py). A comment, not a docstring: the schema would give it as the
    # description of every body that has none of its own.

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            known = [name for name, field in self.fields.items() if not field.read_only]
            unknown = [str(key) for key in data if key not in known]
            if unknown:
                said = f"Not a field of this request, which takes {', '.join(known) or 'no field'}."
                raise serializers.ValidationError(
                    {name[:UNKNOWN_NAME_LENGTH]: [said] for name in sorted(unknown)[:UNKNOWN_NAMES_SAID]}
                )
        return super().to_internal_value(data)


def has_text(value: str) -> bool:
    """Whether `value` holds something other than white space."""
    return any(c not in SPACE for c in value)


class WireField(serializers.Field):
    """A field that answers its value as it is and states its own schema (`openapi`, given by WireScheme)."""

    def to_representation(self, value: Any) -> Any:
        return value

    def openapi(self) -> dict:
        raise NotImplementedError("each field states its schema")


class WireScheme(OpenApiSerializerFieldExtension):
    target_class = "api.fields.WireField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict:
        return self.target.openapi()


class Text(WireField):
    """A JSON string, as sent: never a number or a list read as one, never trimmed before it is measured,
    never a NUL; with `blank=False`, at least one character that is not white space."""

    default_error_messages = {
        "invalid": "Must be a string.",
        "max_length": "At most {max_length} characters.",
        "null_character": "A NUL character cannot be stored.",
        "blank": "This field may not be blank.",
    }

    def __init__(self, *, max_length: int, blank: bool = False, **kwargs: Any) -> None:
        self.max_length = max_length
        self.blank = blank
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        if len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        if "\x00" in data:
            self.fail("null_character")
        if not self.blank and not has_text(data):
            self.fail("blank")
        return data

    def openapi(self) -> dict:
        return {
            "type": "string",
            "maxLength": self.max_length,
            "pattern": NO_NUL_PATTERN if self.blank else HAS_TEXT_PATTERN,
        }


class Link(Text):
    """A link to a page: empty, or http:// or https:// and the rest (checked as the schema's pattern is)."""

    SCHEME = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://")
    default_error_messages = {**Text.default_error_messages, "scheme": "The link must start with http:// or https://."}

    def __init__(self, *, required: bool = False, **kwargs: Any) -> None:
        # What a message's permalink holds (Message.permalink), as the ticket page's link field; `required`: a link
        # that must be given (an issue's address), never empty.
        if required:
            super().__init__(max_length=1_000, blank=False, required=True, **kwargs)
        else:
            super().__init__(max_length=1_000, blank=True, required=False, default="", **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value and not self.SCHEME.match(value):
            self.fail("scheme")
        return value

    def openapi(self) -> dict:
        link = r"[Hh][Tt][Tt][Pp][Ss]?://[^\x00]*"
        return {
            "type": "string",
            "maxLength": self.max_length,
            "pattern": f"^(?:{link})?$" if self.blank else f"^{link}$",
        }


class OffsetDateTime(serializers.DateTimeField):
    """A time with its UTC offset (`Z` or `+01:00`), as the schema's date-time (RFC 3339) says: DRF reads one
    without an offset in the server's time zone, which a client neither knows nor meant."""

    default_error_messages = {
        "offset": "Give the time with its UTC offset (Z or +01:00): without it the time is ambiguous.",
    }

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value)
            except ValueError:  # a day or an hour out of range: DRF's own message below
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("offset")
        return super().to_internal_value(value)


class QueryText(WireField):
    """Any text: a search box's words, cleaned by the form that reads them (NULs and all)."""

    default_error_messages = {"invalid": "Must be text."}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return data

    def openapi(self) -> dict:
        return {"type": "string"}


class Matching(WireField):
    """Text that matches `regex` whole. Write `regex` with ASCII classes and literals only ([0-9], |, (?:)),
    which Python and the schema's (JavaScript) regular expressions read alike."""

    default_error_messages = {"invalid": "{help}"}

    def __init__(self, regex: str, *, help_text: str, **kwargs: Any) -> None:
        self.regex = regex
        self.compiled = re.compile(regex, re.ASCII)
        super().__init__(help_text=help_text, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str) or not self.compiled.fullmatch(data):
            self.fail("invalid", help=self.help_text)
        return data

    def openapi(self) -> dict:
        return {"type": "string", "pattern": f"^(?:{self.regex})$"}


class QueryInt(WireField):
    """An integer query parameter: ASCII digits with an optional sign ("7", "-1", "+07"; not "7.0", "1e2",
    " 7" nor a non-ASCII digit), as a client holding the schema reads an integer off the wire (schemathesis does)."""

    default_error_messages = {
        "invalid": "A whole number, such as 7.",
        "range": "Between {min_value} and {max_value}.",
    }

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if not isinstance(data, str) or not INTEGER.fullmatch(data):
            self.fail("invalid")
        value = int(data)
        if not self.min_value <= value <= self.max_value:
            self.fail("range", min_value=self.min_value, max_value=self.max_value)
        return value

    def openapi(self) -> dict:
        return {"type": "integer", "minimum": self.min_value, "maximum": self.max_value}


class QueryDate(WireField):
    """A day as YYYY-MM-DD, between `earliest` and `latest`."""

    default_error_messages = {
        "invalid": "A date as YYYY-MM-DD, such as 2026-10-31.",
        "range": "Dates must be between {earliest} and {latest}.",
    }

    def __init__(self, *, earliest: date, latest: date, **kwargs: Any) -> None:
        self.earliest, self.latest = earliest, latest
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> date:
        if not isinstance(data, str) or not ISO_DATE.fullmatch(data):
            self.fail("invalid")
        try:
            value = date.fromisoformat(data)
        except ValueError:
            self.fail("invalid")
        if not self.earliest <= value <= self.latest:
            self.fail("range", earliest=self.earliest.isoformat(), latest=self.latest.isoformat())
        return value

    def to_representation(self, value: date) -> str:
        return value.isoformat()

    def openapi(self) -> dict:
        # JSON Schema has no bounds for a date: the pattern bounds its year, the description says the rest.
        years = _years_pattern(self.earliest, self.latest)
        return {
            "type": "string",
            "format": "date",
            "pattern": rf"^{years}-[0-9]{{2}}-[0-9]{{2}}$",
            "description": f"From {self.earliest.isoformat()} to {self.latest.isoformat()}.",
        }


def _years_pattern(earliest: date, latest: date) -> str:
    """A regular expression for the whole years from `earliest` to `latest`: a century and the next one's
    first year, such as 2000-2100 (the only range the desk has; anything else is refused here)."""
    century = earliest.year // 100
    if (earliest.month, earliest.day, latest.month, latest.day) != (1, 1, 12, 31) or (
        earliest.year % 100,
        latest.year,
    ) != (0, (century + 1) * 100):
        raise ValueError(f"Write the year pattern for {earliest} to {latest}.")
    return f"(?:{century}[0-9]{{2}}|{latest.year})"
