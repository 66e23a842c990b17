"""What an admin can set on a channel of one kind, declared once beside the adapter's settings.

Each kind's config module has a `SCHEMA` (`KindSchema`): its settings (`Setting`: a config key, its form type,
help, example and default) and its credentials (`Credential`: a key of the encrypted credentials). The admin
builds the channel form from it (channels.admin); the adapter's own `validate_config` stays the only validator,
so a form and a script that stores a config get the same answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SettingType = Literal["text", "int", "bool", "choice", "lines", "records"]


@dataclass(frozen=True)
class Setting:
    """One config key as a form field.

    `type`: "text" (a string), "int" (a whole number), "bool" (true/false), "choice" (one of `choices`),
    "lines" (a list of strings, one per line) or "records" (a list of objects, one per line, their values
    `parts` separated by spaces). An empty field leaves the key out, so the adapter's default applies."""

    key: str
    label: str
    type: SettingType
    help: str
    example: str = ""
    default: Any = None
    required: bool = False
    limits: tuple[int, int] | None = None
    choices: tuple[tuple[str, str], ...] = ()
    parts: tuple[str, ...] = ()

    def help_text(self) -> str:
        said = [self.help.rstrip(".") + "."]
        if self.limits:
            said.append(f"{self.limits[0]:,} to {self.limits[1]:,}.")
        if self.example:
            said.append(f"Example: {self.example}")
        if self.default not in (None, "", [], ()) and self.type != "bool":
            shown = dict(self.choices).get(self.default, self.default)
            said.append(f"Empty: {shown:,}." if isinstance(shown, int) else f"Empty: {shown}.")
        return " ".join(said)


@dataclass(frozen=True)
class Credential:
    """One key of the channel's encrypted credentials. Always write-only in admin: never shown back, an
    empty field keeps the stored value. `secret` False only changes the input from a password box to text."""

    key: str
    label: str
    help: str
    secret: bool = True


@dataclass(frozen=True)
class KindSchema:
    # The one line on admin's kind picker is the platform's `help_text` (channels.adapters.platform).
    settings: tuple[Setting, ...] = ()
    credentials: tuple[Credential, ...] = ()
    # Credentials that are not flat strings (X's per-handle tokens): only the raw JSON box can set them.
    raw_credentials_note: str = ""
    settings_by_key: dict[str, Setting] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "settings_by_key", {s.key: s for s in self.settings})


def int_setting(key: str, label: str, help: str, *, defaults: dict[str, Any], limits: dict[str, tuple[int, int]]):
    """A whole-number setting whose default and bounds are the config module's own."""
    return Setting(key, label, "int", help, default=defaults.get(key), limits=limits.get(key))


# Settings most polled kinds share, worded once.
OVERLAP_HELP = "Seconds re-read before the last item seen, so late-indexed items are not missed"
BACKFILL_HOURS_HELP = "How far back the first poll of a new channel reads, in hours"
MAX_REQUESTS_HELP = "Requests one poll may make; the rest of a backlog waits for the next poll"
SHARED_INTS: dict[str, tuple[str, str]] = {
    "overlap_seconds": ("Overlap (seconds)", OVERLAP_HELP),
    "backfill_hours": ("Backfill (hours)", BACKFILL_HOURS_HELP),
    "max_requests_per_poll": ("Requests per poll", MAX_REQUESTS_HELP),
}


def int_settings(
    *words: str | tuple[str, str, str], defaults: dict[str, Any], limits: dict[str, tuple[int, int]]
) -> tuple[Setting, ...]:
    """A config module's whole-number settings in the form's order, each with its default and bounds: a key of
    `SHARED_INTS` in the words every kind shares, or the kind's own (key, label, help)."""
    return tuple(
        int_setting(*((w, *SHARED_INTS[w]) if isinstance(w, str) else w), defaults=defaults, limits=limits)
        for w in words
    )
